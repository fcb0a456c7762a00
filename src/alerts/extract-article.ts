/**
 * Reads the article of a newspaper web page: the title, the publication date and the article's own
 * paragraphs — not the menus, ads, related links, comments and footer around them — and the page
 * URL, which src/knowledge/format-article.ts writes as the source mark of its article file, so
 * answers can link to the passage on the page.
 *
 * The article text comes from Readability (Mozilla's reader view) over a linkedom DOM, after
 * removing the page furniture Vietnamese news sites name in their own words ("tin liên quan",
 * "bình luận", "quảng cáo" …) that Readability's English patterns do not know.
 */
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { isPageFurniture } from "../knowledge/page-furniture.js";
import { foldPhrase, foldSyllable } from "../knowledge/vietnamese.js";
import { type FetchOptions, fetchWebPage } from "./fetch-page.js";
import { SourceError } from "./source-error.js";

export interface ExtractedArticle {
  /** One line, site-name suffix removed; may keep a place prefix ("Sóc Trăng: …"). */
  readonly title: string;
  /** ISO date (yyyy-mm-dd) of publication, in Vietnam time. */
  readonly date: string;
  /** The article's paragraphs in order, whitespace collapsed; interview labels kept as written. */
  readonly paragraphs: readonly string[];
  /** The article's page, written as the source mark. */
  readonly pageUrl: string;
}

/** What is known about the article besides its page, e.g. from the feed item. */
export interface ExtractFallback {
  readonly title?: string;
  readonly date?: Date;
}

/** The page holds no article that can be saved: no title, no date or no text. */
export class ExtractError extends SourceError {}

/** Minimal DOM shapes used here (the project compiles without the DOM library). */
interface El {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly parentElement: El | null;
  readonly children: ArrayLike<El>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  closest(selector: string): El | null;
  contains(other: El): boolean;
  remove(): void;
  replaceWith(...nodes: unknown[]): void;
}
interface Doc {
  readonly body: El | null;
  readonly documentElement: El;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  createTextNode(text: string): unknown;
}

function parseDocument(html: string): Doc {
  return parseHTML(html).document as unknown as Doc;
}

/**
 * Extracts the article of a page. `fallback` fills what the page does not say (a feed item's title
 * and pubDate). Throws ExtractError when no title, date or text can be found.
 */
export function extractArticle(html: string, pageUrl: string, fallback: ExtractFallback = {}): ExtractedArticle {
  const doc = parseDocument(html);
  // Everything read from the page's head and furniture is read before Readability rewrites the DOM.
  const siteName = meta(doc, "og:site_name") ?? meta(doc, "application-name");
  const rawTitle = meta(doc, "og:title") ?? meta(doc, "twitter:title") ?? articleHeading(doc);
  const metaDate = publishedDate(doc);
  const lead = leadParagraph(doc);
  removeFurniture(doc);
  const pageDate = dateNearHeading(doc) ?? dateInText(datedElementsText(doc)) ?? dateInText(articleText(doc));
  const bodyDate = dateInText(doc.body?.textContent ?? "");

  const parsed = new Readability(doc as never, { charThreshold: 200 }).parse();
  const title = cleanTitle(rawTitle ?? parsed?.title ?? fallback.title ?? "", siteName, pageUrl);
  if (!title) throw new ExtractError(pageUrl, "no title found on the page");

  const date =
    metaDate ??
    isoDate(parsed?.publishedTime) ??
    pageDate ??
    (fallback.date && !Number.isNaN(fallback.date.getTime()) ? vietnamDay(fallback.date) : undefined) ??
    bodyDate;
  if (!date) throw new ExtractError(pageUrl, "no publication date found on the page");

  const paragraphs = parsed?.content ? contentParagraphs(String(parsed.content)) : [];
  const kept = paragraphs.filter((p) => !isBoilerplate(p) && foldPhrase(p) !== foldPhrase(title) && !isDateLine(p));
  if (lead && !kept.some((p) => p.includes(lead) || lead.includes(p))) kept.unshift(lead);
  if (kept.length === 0) throw new ExtractError(pageUrl, "no article text found on the page");
  return { title, date, paragraphs: kept, pageUrl: pageUrl.replace(/#.*$/u, "") };
}

function meta(doc: Doc, name: string): string | undefined {
  const el = doc.querySelector(`meta[property="${name}"], meta[name="${name}"], meta[itemprop="${name}"]`);
  return collapse(el?.getAttribute("content") ?? "") || undefined;
}

/** The article's h1: one inside the article if there is one (a site's logo is often an h1 too). */
function headingElement(doc: Doc): El | null {
  return doc.querySelector("article h1, main h1, [itemprop=headline], .detail h1, .article h1") ?? doc.querySelector("h1");
}

function articleHeading(doc: Doc): string | undefined {
  const h1 = headingElement(doc);
  const text = collapse(h1?.textContent ?? "");
  return text || collapse(doc.querySelector("title")?.textContent ?? "") || undefined;
}

const SITE_WORDS = /^(báo|tạp chí|cổng thông tin|trang tin|trang thông tin|đài|tin tức|thông tấn|truyền hình)\b/iu;

/** "Tiêu đề - Báo Sóc Trăng" → "Tiêu đề"; dashes inside the title ("kinh tế - xã hội") stay. */
export function cleanTitle(raw: string, siteName: string | undefined, pageUrl: string): string {
  let title = collapse(raw);
  const host = hostOf(pageUrl);
  for (;;) {
    const match = /^(.*\S)\s+[-|–—]{1,2}\s+([^-|–—]+)$/u.exec(title) ?? /^(.*\S)\s+::\s+(.+)$/u.exec(title);
    if (!match) break;
    const suffix = match[2]!.trim();
    const folded = foldPhrase(suffix).replace(/\s+/gu, "");
    const isSite =
      (siteName !== undefined && foldPhrase(suffix) === foldPhrase(siteName)) ||
      SITE_WORDS.test(suffix) ||
      /^[\w-]+(\.[\w-]+)+$/u.test(suffix) ||
      (folded.length >= 4 && host.replace(/[^a-z0-9]/g, "").includes(folded));
    if (!isSite) break;
    title = match[1]!;
  }
  return title.normalize("NFC");
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "").toLowerCase();
  } catch {
    return "";
  }
}

/** The publication date the page declares in its metadata: meta tags, JSON-LD, <time datetime>. */
function publishedDate(doc: Doc): string | undefined {
  for (const name of ["article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate", "date", "dc.date", "dc.date.issued"]) {
    const value = isoDate(meta(doc, name));
    if (value) return value;
  }
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json"]'))) {
    const value = isoDate(jsonLdDate(script.textContent ?? ""));
    if (value) return value;
  }
  for (const time of Array.from(doc.querySelectorAll("time[datetime], [itemprop=datePublished][content]"))) {
    const value = isoDate(time.getAttribute("datetime") ?? time.getAttribute("content") ?? undefined);
    if (value) return value;
  }
  return undefined;
}

function jsonLdDate(json: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (typeof record.datePublished === "string") return record.datePublished;
      stack.push(...Object.values(record).filter((v) => v && typeof v === "object"));
    }
  }
  return undefined;
}

/**
 * The date printed next to the article's heading: sites also print today's date in their top bar,
 * so the closest dated element around the heading wins.
 */
function dateNearHeading(doc: Doc): string | undefined {
  let scope = headingElement(doc)?.parentElement ?? null;
  for (let depth = 0; scope && depth < 4; depth += 1, scope = scope.parentElement) {
    const found = dateInText(datedElementsText(scope));
    if (found) return found;
  }
  return undefined;
}

/** Text of the elements a page prints its date in (class or id naming a date or time). */
function datedElementsText(scope: Pick<Doc, "querySelectorAll">): string {
  return Array.from(scope.querySelectorAll("[class*=date], [class*=time], [id*=date], [class*=ngay], [class*=publish]"))
    .map((el) => el.textContent ?? "")
    .join(" \n ");
}

function articleText(doc: Doc): string {
  return (doc.querySelector("article, main, [itemprop=articleBody]")?.textContent ?? "").slice(0, 5000);
}

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The calendar day of an instant in Vietnam (UTC+7, no daylight saving). */
export function vietnamDay(instant: Date): string {
  return new Date(instant.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * A date value as pages write it → yyyy-mm-dd. A date without a time zone is taken as written; an
 * instant with a zone is converted to the day in Vietnam.
 */
export function isoDate(value: string | null | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/u.exec(text);
  if (local) return realDate(Number(local[1]), Number(local[2]), Number(local[3]));
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\b/u.exec(text);
  if (vn) return realDate(Number(vn[3]), Number(vn[2]), Number(vn[1]));
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? vietnamDay(new Date(ms)) : undefined;
}

function realDate(year: number, month: number, day: number): string | undefined {
  if (year < 1945 || year > 2200) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/** The first real "dd/mm/yyyy" (or dd-mm-yyyy) in a text. */
function dateInText(text: string): string | undefined {
  for (const match of text.matchAll(/(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?!\d)/gu)) {
    const date = realDate(Number(match[3]), Number(match[2]), Number(match[1]));
    if (date) return date;
  }
  return undefined;
}

/** The lead ("sapo") that many Vietnamese sites print above the body, outside the body's element. */
function leadParagraph(doc: Doc): string | undefined {
  const el = doc.querySelector(".sapo, .lead, .chapeau, .article-sapo, .detail-sapo, .summary, .tomtat, .tom-tat, [itemprop=description]:not(meta)");
  const text = collapse(el?.textContent ?? "");
  return text.length >= 40 && !isBoilerplate(text) ? text : undefined;
}

/** Elements that are never article text. */
const FURNITURE_SELECTOR = "script, style, noscript, template, iframe, form, nav, aside, footer, header:not(article header), button, select, svg, canvas, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true]";

/** Class or id words of page furniture, in English and in the Vietnamese of local CMSs. */
const FURNITURE_WORD =
  /(^|[-_])(nav|navbar|menu|top-?bar|breadcrumbs?|sidebar|widget|footer|copyright|related|relate|comments?|binh-?luan|binhluan|share|sharing|social|print|tags?|tag-?list|keywords?|tu-?khoa|advert|advertisement|ads?|banner|qc|quang-?cao|quangcao|tin-?lien-?quan|tinlienquan|tin-?khac|tinkhac|other-?news|more-?news|xem-?them|doc-?them|most-?read|doc-?nhieu|popup|modal|cookie|newsletter|subscribe|login)($|[-_])/iu;

/**
 * Removes the page furniture around the article. An element is kept anyway when it holds the
 * article (its heading or most of the page's paragraph text): a wrapper named "has-sidebar" must
 * not take the article with it.
 */
function removeFurniture(doc: Doc): void {
  for (const el of Array.from(doc.querySelectorAll(FURNITURE_SELECTOR))) {
    if (!isArticleWrapper(doc, el)) el.remove();
  }
  const total = paragraphTextLength(doc.body);
  for (const el of Array.from(doc.querySelectorAll("[class], [id]"))) {
    if (!el.parentElement) continue; // inside an element already removed
    const names = `${el.getAttribute("class") ?? ""} ${el.getAttribute("id") ?? ""}`.split(/\s+/u).filter(Boolean);
    if (!names.some((n) => FURNITURE_WORD.test(n))) continue;
    if (isArticleWrapper(doc, el) || paragraphTextLength(el) > total * 0.4) continue;
    el.remove();
  }
}

function isArticleWrapper(doc: Doc, el: El): boolean {
  if (["HTML", "BODY", "MAIN", "ARTICLE"].includes(el.tagName.toUpperCase())) return true;
  const heading = doc.querySelector("article h1, main h1, h1");
  return Boolean(heading && el.contains(heading)) || Boolean(el.querySelector("article, [itemprop=articleBody]"));
}

function paragraphTextLength(el: El | null): number {
  if (!el) return 0;
  return Array.from(el.querySelectorAll("p")).reduce((sum, p) => sum + (p.textContent?.length ?? 0), 0);
}

const BLOCKS = "p, h2, h3, h4, h5, h6, li, blockquote, pre";

/** The paragraphs of Readability's content: block texts, line breaks splitting paragraphs. */
function contentParagraphs(html: string): string[] {
  const doc = parseDocument(`<!doctype html><html><body>${html}</body></html>`);
  for (const br of Array.from(doc.querySelectorAll("br"))) br.replaceWith(doc.createTextNode("\n"));
  const out: string[] = [];
  for (const block of Array.from(doc.querySelectorAll(BLOCKS))) {
    if (block.querySelector(BLOCKS)) continue; // its inner blocks give the text
    if (block.closest("figure, figcaption, nav, aside, footer")) continue;
    const table = block.closest("table");
    if (table?.querySelector("img")) continue; // a photo with its caption
    for (const line of (block.textContent ?? "").split("\n")) {
      const text = collapse(line).normalize("NFC");
      if (text) out.push(text);
    }
  }
  return out;
}

const BOILERPLATE_PREFIX = /^(tags?|tu khoa|xem them|doc them|tin lien quan|bai lien quan|chia se|nguon|bai va anh|bai anh|tin anh|anh|bai|tin va anh|anh va bai|video|clip)\s*:/u;

/** True for share/print links, "Các tin khác", credits and the like. */
export function isBoilerplate(text: string): boolean {
  const trimmed = collapse(text);
  if (!trimmed) return true;
  const pieces = trimmed.split(/\s*[|•·/]\s*/u).filter((p) => foldPhrase(p));
  if (pieces.length === 0 || pieces.every(isPageFurniture)) return true;
  const folded = foldText(trimmed);
  const words = folded.replace(/[^\p{L}\p{N}:]+/gu, " ").trim();
  if (trimmed.length < 120 && BOILERPLATE_PREFIX.test(words)) return true;
  if (/theo doi .* tren google news/u.test(folded) && trimmed.length < 160) return true;
  // A bare attribution such as "(TTXVN)" or "(baosoctrang.org.vn)": the source mark is ours to write.
  if (/^\([^()]{1,60}\)$/u.test(trimmed) || /^\([^()\s]+\)$/u.test(trimmed)) return true;
  return false;
}

/** A line that only gives the date (and time, weekday): the page's dateline, not text. */
function isDateLine(text: string): boolean {
  if (text.length > 60 || !dateInText(text)) return false;
  const rest = foldText(text).replace(
    /\d{1,2}[/-]\d{1,2}[/-]\d{4}|\d{1,2}[:h]\d{2}(?::\d{2})?|gmt\s*[+-]?\d*|\b(thu|chu nhat|hai|ba|tu|nam|sau|bay|ngay|cap nhat|dang|luc|gio|am|pm)\b|[^a-z]/gu,
    "",
  );
  return rest.length === 0;
}

function collapse(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/gu, " ").trim();
}

/** Lower case without marks, punctuation kept (for prefixes such as "Ảnh:"). */
function foldText(text: string): string {
  return foldSyllable(collapse(text).normalize("NFC").toLowerCase());
}

/** Fetches a web page and extracts its article. Throws FetchError or ExtractError. */
export async function fetchArticle(url: string, options: FetchOptions & { readonly fallback?: ExtractFallback } = {}): Promise<ExtractedArticle> {
  return extractArticle(await fetchWebPage(url, options), url, options.fallback);
}
