/**
 * Renders answers as Telegram HTML. Everything that comes from users or articles is escaped here,
 * and every message is built to fit Telegram's length limit whatever the input.
 */
import { type Article, type ArticleMeta, type InterviewSection, type Passage, passageUrl } from "../knowledge/article.js";
import { displayDate } from "../knowledge/dates.js";
import { canonicalSyllable, foldSyllable } from "../knowledge/vietnamese.js";
import { clip } from "../text.js";
import { MESSAGE_LIMIT, escapeHtml, visibleLength } from "./html.js";
import type { Translate } from "./i18n.js";

/** Passages longer than this are quoted in an expandable (collapsed) blockquote. */
const EXPANDABLE_FROM = 500;

export interface Quote {
  readonly article: ArticleMeta;
  readonly passage: Passage;
  readonly section?: InterviewSection;
  /** The sentence that answers, shown first in bold when the passage has more than it. */
  readonly sentence?: string;
}

/**
 * Wraps the passage's words that the user asked about in <b>, comparing folded syllables so
 * "kho khan" highlights "khó khăn". Returns escaped HTML.
 */
export function highlight(text: string, words: ReadonlySet<string>): string {
  let html = "";
  let done = 0; // text before this index is in html
  // The run of highlighted words being built: consecutive ones joined only by spaces share one
  // <b> ("<b>khó khăn</b>").
  let runStart = -1;
  let runEnd = -1;
  const closeRun = (): void => {
    html += `${escapeHtml(text.slice(done, runStart))}<b>${escapeHtml(text.slice(runStart, runEnd))}</b>`;
    done = runEnd;
  };
  // Words at even indexes, the text between them at odd ones; one split allocates far less than a
  // match object per word.
  const parts = text.split(BETWEEN_WORDS);
  let at = 0;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    const start = at;
    at += part.length;
    if (i % 2 === 1 || !part || !words.has(foldedWord(part))) continue;
    if (runStart >= 0 && runEnd === start - parts[i - 1]!.length && SPACES_ONLY.test(parts[i - 1]!)) {
      runEnd = at;
      continue;
    }
    if (runStart >= 0) closeRun();
    runStart = start;
    runEnd = at;
  }
  if (runStart >= 0) closeRun();
  return html + escapeHtml(text.slice(done));
}

const BETWEEN_WORDS = /([^\p{L}\p{M}\p{N}]+)/u;
const SPACES_ONLY = /^\s+$/u;

/** Folded forms of words already seen: quotes repeat the same words (bounded, cleared when full). */
const FOLDED_WORDS = new Map<string, string>();
function foldedWord(word: string): string {
  let folded = FOLDED_WORDS.get(word);
  if (folded === undefined) {
    if (FOLDED_WORDS.size >= 50_000) FOLDED_WORDS.clear();
    folded = foldSyllable(canonicalSyllable(word.toLowerCase().normalize("NFC")));
    FOLDED_WORDS.set(word, folded);
  }
  return folded;
}

/**
 * The attribution: who said it (an interview answer's speaker; plain news and leads have none:
 * the site is not a speaker), then the article with its link, date and newspaper.
 */
function attribution(quote: Quote, t: Translate): string {
  const { article, passage, section } = quote;
  return [
    ...(section?.answerer ? [`— <b>${escapeHtml(section.answerer)}</b>`] : []),
    `📰 <a href="${escapeHtml(passageUrl(article, passage))}">${escapeHtml(article.title)}</a>`,
    escapeHtml(t("source-line", { date: displayDate(article.date), source: article.source.name })),
  ].join("\n");
}

/**
 * A quoted passage with its interview question and attribution. The passage is cut (at a word,
 * with "…") only when the whole message would pass Telegram's limit.
 */
export function renderQuote(quote: Quote, t: Translate, options: { words?: ReadonlySet<string>; heading?: string } = {}): string {
  const { section } = quote;
  const sentence = quote.sentence && quote.sentence !== quote.passage.text ? quote.sentence : undefined;
  const head = [
    ...(options.heading ? [options.heading] : []),
    ...(section ? [`❓ <b>${escapeHtml(section.asker)}:</b> <i>${escapeHtml(clip(section.question, 600))}</i>`] : []),
    ...(sentence ? [`💬 <b>${escapeHtml(clip(sentence, 800))}</b>`] : []),
  ].join("\n");
  const tail = attribution(quote, t);
  // Budget in visible characters: everything but the passage, plus newlines and a margin.
  const fixed = visibleLength(head) + visibleLength(tail) + 8;
  const passage = clip(quote.passage.text, MESSAGE_LIMIT - fixed - 16);
  const body = options.words ? highlight(passage, options.words) : escapeHtml(passage);
  const open = passage.length > EXPANDABLE_FROM ? "<blockquote expandable>" : "<blockquote>";
  return [head, `${open}${body}</blockquote>`, tail].filter(Boolean).join("\n");
}

/** Several passages of one interview answer, as one message that fits the limit. */
export function renderFullAnswer(article: Article, section: InterviewSection, t: Translate): string {
  const passages = section.passageIds.map((id) => article.passages.find((p) => p.id === id)!).filter(Boolean);
  const first = passages[0]!;
  const quote: Quote = { article, passage: { ...first, text: passages.map((p) => p.text).join("\n\n") }, section };
  return renderQuote(quote, t);
}
