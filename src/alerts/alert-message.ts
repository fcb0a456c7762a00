/** The alert a subscribed chat receives for a new article: title, date, lead, source link, a button to ask. */
import type { InlineKeyboardMarkup } from "grammy/types";
import { type Article, articleUrl } from "../knowledge/article.js";
import { escapeHtml } from "../bot/html.js";
import { clip } from "../text.js";
import { displayDate } from "../knowledge/dates.js";

/** The lead shown in an alert, in characters: enough to judge the article, short enough to scan. */
const LEAD_LENGTH = 350;

export function renderAlert(article: Article, botUsername: string): { text: string; keyboard: InlineKeyboardMarkup } {
  const lead = article.passages[0]?.text ?? "";
  const url = articleUrl(article);
  const text = [
    `🆕 <b>Bài báo mới</b> · ${displayDate(article.date)} · ${escapeHtml(article.source.name)}`,
    `📰 <b>${escapeHtml(clip(article.title, 300))}</b>`,
    ...(lead ? [`<i>${escapeHtml(clip(lead, LEAD_LENGTH))}</i>`] : []),
    `🔗 <a href="${escapeHtml(url)}">Đọc bài trên ${escapeHtml(article.source.name)}</a>`,
  ].join("\n\n");
  const start = article.passages[0]?.id;
  const keyboard: InlineKeyboardMarkup = {
    inline_keyboard: start ? [[{ text: "💬 Hỏi về bài này", url: `https://t.me/${botUsername}?start=${start}` }]] : [],
  };
  return { text, keyboard };
}
