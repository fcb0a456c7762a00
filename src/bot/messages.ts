/**
 * The bot's messages, as text plus buttons. Built from the knowledge base and the user's words;
 * no Telegram calls here, so every feature (and the local chat) shows the same thing.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { type Article, type ArticleMeta, type InterviewSection, articleUrl } from "../knowledge/article.js";
import { displayDate } from "../knowledge/dates.js";
import type { Answer, KnowledgeIndex, SearchHit } from "../knowledge/search-index.js";
import { encodeAction } from "./callback-data.js";
import { clip } from "../text.js";
import { MESSAGE_LIMIT, escapeHtml, visibleLength } from "./html.js";
import { type Translate, type Translations, localeOf } from "./i18n.js";
import { renderFullAnswer, renderQuote } from "./render.js";

export interface OutgoingMessage {
  readonly text: string;
  readonly keyboard?: InlineKeyboardMarkup;
}

/** Telegram shows about this many characters of a button; longer labels are cut. */
const BUTTON_LABEL = 60;
/** At most this many question buttons under a message. */
const MAX_QUESTION_BUTTONS = 10;
/** The lead shown in an alert, in characters: enough to judge the article, short enough to scan. */
const ALERT_LEAD_LENGTH = 350;

/** One hit of an answer, with buttons: full answer, next match, other questions, share. */
export function hitMessage(answer: Answer, index: number, key: string, t: Translate): OutgoingMessage {
  const hit = answer.hits[index]!;
  const position = answer.hits.length > 1 ? t("match-position", { index: index + 1, total: answer.hits.length }) : undefined;
  // Related passages are labelled as such: they are the closest the articles come, not an answer.
  const label = answer.tier === "related" ? [t("related-heading"), position].filter(Boolean).join(" · ") : position;
  const heading = label ? `<i>${escapeHtml(label)}</i>` : undefined;
  const text = renderQuote(hit, t, { words: answer.analysis.highlight, ...(heading ? { heading } : {}) });
  const next = index + 1 < answer.hits.length ? { key, index: index + 1 } : undefined;
  return { text, keyboard: answerKeyboard(hit, t, next) };
}

/**
 * The buttons under a quoted passage: the full answer (when the interview answer has more
 * paragraphs) and the next match (when there is one), then other questions and share.
 */
export function answerKeyboard(hit: SearchHit, t: Translate, next?: { readonly key: string; readonly index: number }): InlineKeyboardMarkup {
  const row: InlineKeyboardButton[] = [];
  if (hit.section && hit.section.passageIds.length > 1) row.push({ text: t("button-full"), callback_data: encodeAction({ kind: "full", passageId: hit.passage.id }) });
  if (next) row.push({ text: t("button-next"), callback_data: encodeAction({ kind: "next", key: next.key, index: next.index }) });
  return { inline_keyboard: [row, ...shareRows(hit, t)].filter((r) => r.length > 0) };
}

function shareRows(hit: SearchHit, t: Translate): InlineKeyboardButton[][] {
  const row: InlineKeyboardButton[] = [{ text: t("button-share"), switch_inline_query: hit.passage.id }];
  if (hit.article.sections.length > 0) row.unshift({ text: t("button-questions"), callback_data: encodeAction({ kind: "questions", articleId: hit.article.id }) });
  return [row];
}

/** The honest "not in the article", with the questions the bot can answer as buttons. */
export function notFoundMessage(query: string, knowledge: KnowledgeIndex, t: Translate): OutgoingMessage {
  const article = latestInterview(knowledge);
  const shown = clip(query.replace(/\s+/g, " ").trim(), 120);
  const text = shown ? t("not-found", { query: escapeHtml(shown) }) : t("not-found-short");
  return article ? { text, keyboard: questionKeyboard(article) } : { text };
}

/** The whole interview answer a passage belongs to (or the passage, in plain news). */
export function fullAnswerMessage(hit: SearchHit, article: Article, t: Translate): OutgoingMessage {
  const text = hit.section ? renderFullAnswer(article, hit.section, t) : renderQuote(hit, t);
  return { text, keyboard: { inline_keyboard: shareRows(hit, t) } };
}

/** The answer to one interview question: its first passage, with the full-answer button. */
export function sectionMessage(article: Article, section: InterviewSection, knowledge: KnowledgeIndex, t: Translate): OutgoingMessage | undefined {
  const hit = knowledge.passage(section.passageIds[0]!);
  return hit && passageMessage(hit, t);
}

/** One passage, quoted, with its buttons. */
export function passageMessage(hit: SearchHit, t: Translate): OutgoingMessage {
  return { text: renderQuote(hit, t), keyboard: answerKeyboard(hit, t) };
}

/** /questions: the interview questions of an article as buttons. */
export function questionsMessage(article: Article | undefined, t: Translate): OutgoingMessage {
  if (!article || article.sections.length === 0) return { text: t("no-questions") };
  const head = `${t("questions-title")}\n📰 <b>${escapeHtml(clip(article.title, 300))}</b>\n\n`;
  // A long interview (an online Q&A has dozens of questions) would pass Telegram's limit: the
  // list stops with "…" where the next question would not fit.
  let room = MESSAGE_LIMIT - visibleLength(head) - 2;
  const lines: string[] = [];
  for (const section of article.sections) {
    const line = `${section.index}. ${clip(section.question, 300)}`;
    if (line.length + 1 > room) {
      lines.push("…");
      break;
    }
    lines.push(escapeHtml(line));
    room -= line.length + 1;
  }
  return { text: head + lines.join("\n"), keyboard: questionKeyboard(article) };
}

/** /article: title, date, source, link and the questions. */
export function articleMessage(article: Article | undefined, t: Translate): OutgoingMessage {
  if (!article) return { text: t("not-found-short") };
  const text = t("article-info", {
    title: escapeHtml(article.title),
    place: article.place ? `${escapeHtml(article.place)} · ` : "",
    date: displayDate(article.date),
    url: escapeHtml(article.pageUrl ?? article.source.url),
    source: escapeHtml(article.source.name),
    sections: article.sections.length,
    passages: article.passages.length,
  });
  return article.sections.length ? { text, keyboard: questionKeyboard(article) } : { text };
}

export function questionKeyboard(article: ArticleMeta): InlineKeyboardMarkup {
  return {
    inline_keyboard: article.sections.slice(0, MAX_QUESTION_BUTTONS).map((s) => [
      { text: clip(`${s.index}. ${s.question}`, BUTTON_LABEL), callback_data: encodeAction({ kind: "question", articleId: article.id, section: s.index }) },
    ]),
  };
}

/** The newest article that is an interview (the one whose questions the bot offers), else the newest. */
export function latestInterview(knowledge: KnowledgeIndex): Article | undefined {
  const heads = knowledge.articleHeads.sort((a, b) => b.date.localeCompare(a.date) || b.id.localeCompare(a.id));
  const latest = heads.find((a) => a.sections.length > 0) ?? heads[0];
  return latest && knowledge.article(latest.id);
}

/**
 * The alert a subscribed chat receives for a new article: title, date, source, lead, a link to the
 * page and a button that opens the bot on the article's first passage.
 */
export function alertMessage(article: Article, botUsername: string, t: Translate): Required<OutgoingMessage> {
  const lead = article.passages[0]?.text ?? "";
  const source = escapeHtml(article.source.name);
  const text = [
    t("alert-title", { date: displayDate(article.date), source }),
    `📰 <b>${escapeHtml(clip(article.title, 300))}</b>`,
    ...(lead ? [`<i>${escapeHtml(clip(lead, ALERT_LEAD_LENGTH))}</i>`] : []),
    t("alert-read-on", { url: escapeHtml(articleUrl(article)), source }),
  ].join("\n\n");
  const start = article.passages[0]?.id;
  return { text, keyboard: { inline_keyboard: start ? [[{ text: t("button-ask-article"), url: `https://t.me/${botUsername}?start=${start}` }]] : [] } };
}

/** Alerts in each subscriber's language, for the broadcaster (which knows nothing of the bot). */
export function alertRenderer(translations: Translations, botUsername: string): (article: Article, language: string | null) => Required<OutgoingMessage> {
  return (article, language) => alertMessage(article, botUsername, translations.translator(localeOf(language ?? undefined)));
}
