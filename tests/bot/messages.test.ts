import { describe, expect, it } from "vitest";
import { decodeAction } from "../../src/bot/callback-data.js";
import { Translations } from "../../src/bot/i18n.js";
import { alertMessage, alertRenderer, answerKeyboard, hitMessage, passageMessage, sectionMessage } from "../../src/bot/messages.js";
import type { InlineKeyboardMarkup } from "grammy/types";
import { formatArticle } from "../../src/knowledge/format-article.js";
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

describe("alertMessage", () => {
  const translations = new Translations();
  const page = { date: "2024-12-02", title: 'Giá <lúa> & "gạo"', paragraphs: ["Giá lúa vụ mùa năm nay tăng mạnh ở các huyện."], pageUrl: "https://baosoctrang.org.vn/a?b=1&c=2" };
  const tricky = parseArticle(Buffer.from(formatArticle(page)), "tricky.txt");

  it("in Vietnamese: title, date, source, lead, a link to the page and a button to ask, all escaped", () => {
    const alert = alertMessage(tricky, "hoibao_bot", translations.translator("vi"));
    expect(alert.text).toBe(
      [
        "🆕 <b>Bài báo mới</b> · 02/12/2024 · baosoctrang.org.vn",
        "📰 <b>Giá &lt;lúa&gt; &amp; &quot;gạo&quot;</b>",
        "<i>Giá lúa vụ mùa năm nay tăng mạnh ở các huyện.</i>",
        '🔗 <a href="https://baosoctrang.org.vn/a?b=1&amp;c=2">Đọc bài trên baosoctrang.org.vn</a>',
      ].join("\n\n"),
    );
    expect(alert.keyboard).toEqual({ inline_keyboard: [[{ text: "💬 Hỏi về bài này", url: `https://t.me/hoibao_bot?start=${tricky.passages[0]!.id}` }]] });
  });

  it("in English for an English-speaking subscriber; Vietnamese when the language is unknown", () => {
    const render = alertRenderer(translations, "hoibao_bot");
    const english = render(tricky, "en");
    expect(english.text).toMatch(/^🆕 <b>New article<\/b> · 02\/12\/2024 · baosoctrang\.org\.vn\n/);
    expect(english.text).toContain(">Read on baosoctrang.org.vn</a>");
    expect(english.keyboard.inline_keyboard[0]![0]!.text).toBe("💬 Ask about this article");
    expect(render(tricky, null)).toEqual(alertMessage(tricky, "hoibao_bot", translations.translator("vi")));
  });
});
