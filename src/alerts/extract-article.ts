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
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { isPageFurniture } from "../knowledge/page-furniture.js";
import { foldPhrase, foldSyllable } from "../knowledge/vietnamese.js";

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

/** The page could not be fetched, or holds no article that can be saved. */
export class ExtractError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = "ExtractError";
  }
}

// ---------------------------------------------------------------------------------------------
// Extraction

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

// ---------------------------------------------------------------------------------------------
// Fetching

export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
export const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_BYTES = 10 * 1024 * 1024;

export interface FetchOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Aborts the request early (the poller stopping). */
  readonly signal?: AbortSignal;
  readonly accept?: string;
  /**
   * Whether the URL and every redirect may lead to loopback, private, link-local or metadata
   * addresses. Off by default: a feed's item links are written by its publisher. The first URL
   * is still fetched when `trustedUrl` says an operator typed it (a feed of FEED_URLS, ingest).
   */
  readonly allowPrivate?: boolean;
  readonly trustedUrl?: boolean;
  /** Bytes read at most (decoded); 10 MB by default. */
  readonly maxBytes?: number;
}

/** Redirects followed at most. */
const MAX_REDIRECTS = 5;

/**
 * GETs a page as text, decoded by its declared charset, within the time limit. Throws ExtractError
 * naming the URL: HTTP error status, timeout, network failure.
 */
export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  return (await fetchPage(url, options)).text;
}

/**
 * The body is read as it streams and the read stops past MAX_BYTES of decoded content: a gzip
 * bomb or an endless page costs at most that much memory, however it is sent.
 */
async function fetchPage(url: string, options: FetchOptions): Promise<{ text: string; contentType: string | null }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const doFetch = options.fetch ?? globalThis.fetch;
  try {
    let current = url;
    let response: Response;
    for (let hop = 0; ; hop += 1) {
      if (!options.allowPrivate && !(hop === 0 && options.trustedUrl)) await refuseInternal(current, url);
      response = await doFetch(current, {
        signal,
        redirect: "manual",
        headers: {
          "user-agent": BROWSER_USER_AGENT,
          accept: options.accept ?? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "accept-language": "vi-VN,vi;q=0.9,en;q=0.5",
        },
      });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (!location) break;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new ExtractError(url, `more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current).toString();
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ExtractError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    }
    const maxBytes = options.maxBytes ?? MAX_BYTES;
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ExtractError(url, `too large (${length} bytes, the limit is ${maxBytes})`);
    }
    const contentType = response.headers.get("content-type");
    return { text: decode(await readCapped(url, response, maxBytes), contentType), contentType };
  } catch (error) {
    if (error instanceof ExtractError) throw error;
    if (timeout.aborted) throw new ExtractError(url, `no answer within ${Math.round(timeoutMs / 100) / 10}s`);
    if (options.signal?.aborted) throw new ExtractError(url, "cancelled");
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    throw new ExtractError(url, `cannot fetch (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
}

/**
 * Refuses a URL whose host is, or resolves to, an address inside this machine or its network:
 * loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local and metadata
 * (169.254/16, fe80::/10), carrier-grade NAT, unspecified, multicast and reserved ranges.
 */
async function refuseInternal(target: string, original: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    throw new ExtractError(original, `not a URL (${target})`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ExtractError(original, `not an http(s) link (${parsed.protocol})`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new ExtractError(original, `cannot fetch (${host} has no address)`);
  const internal = addresses.find(isInternalAddress);
  if (internal) throw new ExtractError(original, `refused: ${target === original ? "it" : `a redirect to ${parsed.host}`} leads to an internal address (${internal})`);
}

/** Whether an IP address is one a fetch from outside content must not reach. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isInternalAddress(mapped);
  if (isIP(address) === 4) {
    const [a, b] = address.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19));
  }
  const lower = address.toLowerCase();
  return lower === "::" || lower === "::1" || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || /^ff/.test(lower) || /^64:ff9b:/.test(lower) || /^2001:db8:/.test(lower);
}

async function readCapped(url: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ExtractError(url, `too large (more than ${maxBytes} bytes once decoded): stopped reading`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function decode(bytes: Uint8Array, contentType: string | null): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1] ??
    /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ??
    /<\?xml[^>]+encoding=["']([\w-]+)/i.exec(head)?.[1] ??
    "utf-8";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

/** Fetches a page and extracts its article. */
export async function fetchArticle(url: string, options: FetchOptions & { readonly fallback?: ExtractFallback } = {}): Promise<ExtractedArticle> {
  const { text, contentType } = await fetchPage(url, options);
  // A text file, an image or a PDF is not a page an article can be read from.
  if (contentType && !/^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) {
    throw new ExtractError(url, `not a web page (${contentType.split(";")[0]!.trim()})`);
  }
  return extractArticle(text, url, options.fallback);
}
