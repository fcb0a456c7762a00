/**
 * Polls the newspapers' RSS and Atom feeds (FEED_URLS) and saves each new item's page as an article
 * file of the knowledge folder; the folder watcher then indexes and announces it, exactly once.
 *
 * - Every feed is checked every interval; a feed that fails (HTTP error, timeout, not a feed) is
 *   retried with exponential backoff recorded in the Feeds repository, and never holds up the others.
 * - An item is marked seen only once its article is saved: a page that fails (timeout, no article
 *   text) is tried again on the next poll.
 * - On the first poll of a feed every current item is new; the announcement layer still dedups by
 *   article id, page URL and content hash, so a page saved twice is announced once.
 */
import Parser from "rss-parser";
import type { Logger } from "../logger.js";
import type { Storage } from "../storage/repositories.js";
import { formatArticle } from "../knowledge/format-article.js";
import { fetchArticle } from "./extract-article.js";
import { DEFAULT_TIMEOUT_MS, fetchText } from "./fetch-page.js";
import { type KnownArticles, saveArticle } from "./save-article.js";
import { SourceError } from "./source-error.js";

/** A feed was fetched but is not one: not RSS or Atom. */
export class FeedError extends SourceError {}

export interface FeedPollerOptions {
  readonly feedUrls: readonly string[];
  /** Time between two checks of a feed that works. */
  readonly intervalMs: number;
  readonly storage: Storage;
  readonly knowledgeDir: string;
  /** Where the folder's articles are (the bot's index): saving then reads no other file. */
  readonly known?: KnownArticles;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** Item links and redirects may reach loopback and private addresses (ALLOW_PRIVATE_ADDRESSES). */
  readonly allowPrivateAddresses?: boolean;
  /** Per request (feed or page); 20 s by default. */
  readonly timeoutMs?: number;
  /** First retry delay of a failing feed, doubled on each failure; min(interval, 1 min) by default. */
  readonly retryBaseMs?: number;
  /** Longest wait between two checks of a failing feed; max(interval, 1 h) by default. */
  readonly maxBackoffMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

export interface FeedReport {
  readonly feed: string;
  /** False when the feed itself could not be fetched or parsed. */
  readonly ok: boolean;
  readonly error?: string;
  /** Items in the feed. */
  readonly items: number;
  /** Items not seen before (including those whose page failed). */
  readonly newItems: number;
  /** Article files written (created or updated). */
  readonly saved: number;
  /** Pages that failed; tried again on the next poll. */
  readonly failed: number;
  /** When the feed is checked next (ms epoch). */
  readonly nextCheckAt: number;
}

interface FeedItem {
  readonly key: string;
  readonly link: string | undefined;
  readonly title: string | undefined;
  readonly date: Date | undefined;
}

/** Pages read in one check of a feed; the rest wait for the next check. */
const MAX_PAGES_PER_CHECK = 20;
/** Time one check of a feed may take before the rest of its items wait for the next check. */
const CHECK_DEADLINE_MS = 120_000;
/** Items of a feed considered at all (a feed lists the newest first). */
const MAX_FEED_ITEMS = 500;
/** A feed document larger than this is refused before it is parsed. */
const MAX_FEED_BYTES = 1024 * 1024;

export class FeedPoller {
  private readonly parser = new Parser();
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;
  /** Each feed on its own schedule: a slow or hung feed never holds another one up. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The check under way per feed (one at a time per feed). */
  private readonly running = new Map<string, Promise<FeedReport>>();
  private abort = new AbortController();
  private stopped = true;
  /** Saves one at a time: two feeds carrying the same article must not race for its file. */
  private saving: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FeedPollerOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryBaseMs = options.retryBaseMs ?? Math.min(options.intervalMs, 60_000);
    this.maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs, 3_600_000);
    this.now = options.now ?? Date.now;
  }

  /** Checks the feeds now, then each whenever it is due, each on its own. Does nothing without feeds. */
  start(): void {
    if (!this.stopped || this.options.feedUrls.length === 0) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.options.logger.info({ feeds: this.options.feedUrls.length, intervalMs: this.options.intervalMs }, "feed polling started");
    for (const url of this.options.feedUrls) this.schedule(url, 0);
  }

  /** Stops polling; requests under way are cancelled. Resolves once the checks under way have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.all([...this.running.values()].map((run) => run.catch(() => undefined)));
    if (this.stopped) this.abort = new AbortController(); // a later checkAll() runs normally
  }

  /**
   * Checks every feed whose time has come (all of them with `force`), feeds side by side. Never
   * throws: each feed's outcome is in its report and in the Feeds repository.
   */
  async checkAll(options: { readonly force?: boolean } = {}): Promise<FeedReport[]> {
    const now = this.now();
    const due = this.options.feedUrls.filter((url) => options.force || this.options.storage.feeds.state(url).nextCheckAt <= now);
    return Promise.all(due.map((url) => this.checkOnce(url)));
  }

  /** One check of a feed at a time: a manual check waits for the scheduled one (and the reverse). */
  private checkOnce(url: string): Promise<FeedReport> {
    const previous = this.running.get(url) ?? Promise.resolve(undefined);
    const run = previous.catch(() => undefined).then(() => this.checkFeed(url));
    this.running.set(url, run);
    void run.finally(() => {
      if (this.running.get(url) === run) this.running.delete(url);
    }).catch(() => undefined);
    return run;
  }

  private schedule(url: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(url));
    const timer = setTimeout(() => {
      void this.checkOnce(url)
        .catch((error: unknown) => this.options.logger.error({ feed: url, err: String(error) }, "feed check failed unexpectedly"))
        .finally(() => this.schedule(url, this.untilDue(url)));
    }, delayMs);
    timer.unref?.();
    this.timers.set(url, timer);
  }

  /** Time until the feed is due, within [1 s, interval]. */
  private untilDue(url: string): number {
    const next = this.options.storage.feeds.state(url).nextCheckAt;
    return Math.min(Math.max(next - this.now(), 1000), this.options.intervalMs);
  }

  private async checkFeed(feedUrl: string): Promise<FeedReport> {
    const { storage, logger } = this.options;
    let items: FeedItem[];
    try {
      items = await this.readFeed(feedUrl);
    } catch (error) {
      const message = errorMessage(error);
      if (this.abort.signal.aborted) {
        return { feed: feedUrl, ok: false, error: message, items: 0, newItems: 0, saved: 0, failed: 0, nextCheckAt: storage.feeds.state(feedUrl).nextCheckAt };
      }
      const failures = storage.feeds.state(feedUrl).failures + 1;
      const delay = Math.min(this.retryBaseMs * 2 ** (failures - 1), this.maxBackoffMs);
      const nextCheckAt = this.now() + delay;
      storage.feeds.recordFailure(feedUrl, nextCheckAt, message, this.now());
      logger.warn({ feed: feedUrl, failures, retryInMs: delay, err: message }, "feed check failed");
      return { feed: feedUrl, ok: false, error: message, items: 0, newItems: 0, saved: 0, failed: 0, nextCheckAt };
    }

    const fresh = items.filter((item) => !storage.feeds.hasSeen(feedUrl, item.key));
    let saved = 0;
    let failed = 0;
    let skipped = 0;
    // A check reads at most this many pages, for at most this long: a feed of thousands of new
    // items (or of slow pages) is worked through over several checks, and never holds the others.
    const deadline = performance.now() + CHECK_DEADLINE_MS;
    let read = 0;
    for (const item of fresh) {
      if (this.abort.signal.aborted || read >= MAX_PAGES_PER_CHECK || performance.now() > deadline) break;
      const outcome = await this.saveItem(feedUrl, item, (count) => (skipped += count));
      if (outcome !== "skipped") read += 1;
      if (outcome === "saved") saved += 1;
      else if (outcome === "failed") failed += 1;
    }
    // One line for all the items without a link, however many (a 50,000-item feed).
    if (skipped > 0) logger.warn({ feed: feedUrl, skipped }, "feed items without a link: skipped");
    const left = fresh.length - read - skipped;
    if (left > 0 && !this.abort.signal.aborted) logger.info({ feed: feedUrl, left }, "feed items left for the next check");
    if (this.abort.signal.aborted) {
      // Stopped half-way: the feed stays due, the items not saved are not seen.
      logger.info({ feed: feedUrl, saved }, "feed check interrupted by stop");
      return { feed: feedUrl, ok: true, items: items.length, newItems: fresh.length, saved, failed, nextCheckAt: storage.feeds.state(feedUrl).nextCheckAt };
    }
    const nextCheckAt = this.now() + this.options.intervalMs;
    storage.feeds.recordSuccess(feedUrl, nextCheckAt, this.now());
    logger.info({ feed: feedUrl, items: items.length, newItems: fresh.length, saved, failed }, "feed checked");
    return { feed: feedUrl, ok: true, items: items.length, newItems: fresh.length, saved, failed, nextCheckAt };
  }

  private async readFeed(feedUrl: string): Promise<FeedItem[]> {
    const xml = await fetchText(feedUrl, {
      fetch: this.options.fetch,
      // The feed's own URL is the operator's; its redirects and its items' links are the publisher's.
      trustedUrl: true,
      // A news feed is tens of kilobytes; parsing a document of megabytes holds answers (it is synchronous).
      maxBytes: MAX_FEED_BYTES,
      allowPrivate: this.options.allowPrivateAddresses ?? false,
      timeoutMs: this.timeoutMs,
      signal: this.abort.signal,
      accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    });
    let feed: Awaited<ReturnType<Parser["parseString"]>>;
    try {
      feed = await this.parser.parseString(xml);
    } catch (error) {
      throw new FeedError(feedUrl, `not an RSS or Atom feed (${errorMessage(error).split("\n")[0]})`);
    }
    const items: FeedItem[] = [];
    // The newest items come first in a feed; an enormous one is read only so far.
    for (const raw of feed.items.slice(0, MAX_FEED_ITEMS)) {
      const link = absolute(raw.link, feedUrl);
      const key = text(raw.guid) ?? text((raw as { id?: unknown }).id) ?? link;
      if (!key) continue; // nothing to know the item by
      const dateText = raw.isoDate ?? raw.pubDate;
      const date = dateText ? new Date(dateText) : undefined;
      items.push({ key, link, title: text(raw.title), date: date && !Number.isNaN(date.getTime()) ? date : undefined });
    }
    return items;
  }

  /** Fetches, extracts and saves one item's page; marks it seen once saved. */
  private async saveItem(feedUrl: string, item: FeedItem, onSkipped: (count: number) => void): Promise<"saved" | "unchanged" | "failed" | "skipped"> {
    const { storage, logger } = this.options;
    if (!item.link) {
      storage.feeds.markSeen(feedUrl, item.key, this.now());
      onSkipped(1);
      return "skipped";
    }
    try {
      const extracted = await fetchArticle(item.link, {
        fetch: this.options.fetch,
        allowPrivate: this.options.allowPrivateAddresses ?? false,
        timeoutMs: this.timeoutMs,
        signal: this.abort.signal,
        fallback: { ...(item.title ? { title: item.title } : {}), ...(item.date ? { date: item.date } : {}) },
      });
      const result = await this.serialized(() => saveArticle(this.options.knowledgeDir, formatArticle(extracted), { source: item.link, ...(this.options.known ? { known: this.options.known } : {}) }));
      storage.feeds.markSeen(feedUrl, item.key, this.now());
      logger.info(
        { feed: feedUrl, url: item.link, file: result.article.file, title: result.article.title, passages: result.article.passages.length, status: result.status },
        result.status === "unchanged" ? "feed article already saved" : "feed article saved",
      );
      return result.status === "unchanged" ? "unchanged" : "saved";
    } catch (error) {
      logger.warn({ feed: feedUrl, url: item.link, err: errorMessage(error) }, "feed article failed; tried again on the next poll");
      return "failed";
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = this.saving.then(task);
    this.saving = result.catch(() => undefined);
    return result;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed || undefined;
}

function absolute(link: string | undefined, base: string): string | undefined {
  const value = text(link);
  if (!value) return undefined;
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof SourceError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
