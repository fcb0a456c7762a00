import { describe, expect, it } from "vitest";
import { decodeAction } from "../../src/bot/callback-data.js";
import { answerKeyboard, hitMessage, passageMessage, sectionMessage } from "../../src/bot/messages.js";
import type { InlineKeyboardMarkup } from "grammy/types";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { newsArticle, seedArticle } from "../knowledge/helpers.js";

const t = (key: string) => key;
const news = parseArticle(Buffer.from(newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa năm nay tăng mạnh ở các huyện."])), "news.txt");
const interview = seedArticle();
const knowledge = KnowledgeIndex.build([interview, news]);

/** Each button as its label and what it does. */
function buttons(keyboard: InlineKeyboardMarkup | undefined) {
  return (keyboard?.inline_keyboard ?? []).map((row) =>
    row.map((b) => ("callback_data" in b && b.callback_data ? [b.text, decodeAction(b.callback_data)?.kind] : [b.text, "switch_inline_query" in b ? "share" : "?"])),
  );
}

describe("answerKeyboard", () => {
  const longAnswer = interview.sections.find((s) => s.passageIds.length > 1)!;
  const first = knowledge.passage(longAnswer.passageIds[0]!)!;

  it("a passage of a longer interview answer: full answer and next match, then other questions and share", () => {
    expect(buttons(answerKeyboard(first, t, { key: "k", index: 1 }))).toEqual([
      [["button-full", "full"], ["button-next", "next"]],
      [["button-questions", "questions"], ["button-share", "share"]],
    ]);
    expect(buttons(answerKeyboard(first, t))).toEqual([[["button-full", "full"]], [["button-questions", "questions"], ["button-share", "share"]]]);
  });

  it("plain news: share only; the empty first row is left out", () => {
    expect(buttons(answerKeyboard(knowledge.passage(news.passages[0]!.id)!, t))).toEqual([[["button-share", "share"]]]);
  });

  it("is the keyboard of every message that quotes a passage", () => {
    expect(passageMessage(first, t).keyboard).toEqual(answerKeyboard(first, t));
    expect(sectionMessage(interview, longAnswer, knowledge, t)!.keyboard).toEqual(answerKeyboard(first, t));
    const answer = knowledge.search("kết quả");
    expect(answer.hits.length).toBeGreaterThan(1);
    const next = { key: "k", index: 1 };
    expect(hitMessage(answer, 0, "k", t).keyboard).toEqual(answerKeyboard(answer.hits[0]!, t, next));
    const last = answer.hits.length - 1;
    expect(hitMessage(answer, last, "k", t).keyboard).toEqual(answerKeyboard(answer.hits[last]!, t));
  });
});
