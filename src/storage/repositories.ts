/** Small typed repositories over the database: every SQL statement of hoibao is in this file. */
import type { Db } from "./database.js";

export type SubscriberChatType = "private" | "group" | "supergroup" | "channel";

export interface Subscription {
  readonly chatId: number;
  readonly chatType: SubscriberChatType;
  readonly title: string | null;
  readonly subscribedBy: number | null;
  /** The language of the chat's alerts (a locale of the bot, e.g. "vi", "en"); null: the bot's default. */
  readonly language: string | null;
  readonly createdAt: number;
}

export class Subscriptions {
  constructor(private readonly db: Db) {}

  /** Returns false when the chat was already subscribed. */
  add(s: Omit<Subscription, "createdAt" | "language"> & { readonly language?: string | null }, now = Date.now()): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO subscriptions (chat_id, chat_type, title, subscribed_by, language, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (chat_id) DO NOTHING`,
      )
      .run(s.chatId, s.chatType, s.title, s.subscribedBy, s.language ?? null, now);
    return result.changes > 0;
  }

  /** Ends a subscription and drops the alerts still queued for the chat. Returns false if there was none. */
  remove(chatId: number): boolean {
    return this.db.transaction(() => {
      this.db.prepare(`UPDATE outbox SET status = 'dropped', last_error = 'unsubscribed' WHERE chat_id = ? AND status IN ('pending', 'sending')`).run(chatId);
      return this.db.prepare(`DELETE FROM subscriptions WHERE chat_id = ?`).run(chatId).changes > 0;
    })();
  }

  get(chatId: number): Subscription | undefined {
    const row = this.db.prepare(`SELECT * FROM subscriptions WHERE chat_id = ?`).get(chatId) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  count(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM subscriptions`).get() as { n: number }).n;
  }

  /**
   * A group became a supergroup: the subscription and its queued alerts follow the new id. If the
   * new id is already subscribed, the old row simply goes.
   */
  migrate(oldChatId: number, newChatId: number): void {
    this.db.transaction(() => {
      const exists = this.db.prepare(`SELECT 1 FROM subscriptions WHERE chat_id = ?`).get(newChatId);
      if (exists) this.db.prepare(`DELETE FROM subscriptions WHERE chat_id = ?`).run(oldChatId);
      else this.db.prepare(`UPDATE subscriptions SET chat_id = ?, chat_type = 'supergroup' WHERE chat_id = ?`).run(newChatId, oldChatId);
      // Alerts already queued for the new id win; the old id's copies are dropped, the others move.
      this.db
        .prepare(
          `UPDATE outbox SET status = 'dropped', last_error = 'migrated (duplicate)'
           WHERE chat_id = ? AND article_id IN (SELECT article_id FROM outbox WHERE chat_id = ?)`,
        )
        .run(oldChatId, newChatId);
      this.db
        .prepare(`UPDATE outbox SET chat_id = ?, not_before = 0 WHERE chat_id = ? AND status IN ('pending', 'sending')`)
        .run(newChatId, oldChatId);
    })();
  }
}

interface SubscriptionRow {
  chat_id: number;
  chat_type: SubscriberChatType;
  title: string | null;
  subscribed_by: number | null;
  language: string | null;
  created_at: number;
}

function toSubscription(row: SubscriptionRow): Subscription {
  return { chatId: row.chat_id, chatType: row.chat_type, title: row.title, subscribedBy: row.subscribed_by, language: row.language, createdAt: row.created_at };
}

/** What identifies an article however it arrives: its id, its page URL, the hash of its bytes. */
export interface ArticleIdentity {
  readonly articleId: string;
  readonly url: string | null;
  readonly contentHash: string;
  readonly title: string;
}

export class Announcements {
  constructor(private readonly db: Db) {}

  /** True when an article with this id, URL or content was already announced. */
  known(identity: ArticleIdentity): boolean {
    return Boolean(
      this.db
        .prepare(`SELECT 1 FROM announced_articles WHERE article_id = ? OR content_hash = ? OR (url IS NOT NULL AND url = ?) LIMIT 1`)
        .get(identity.articleId, identity.contentHash, identity.url),
    );
  }

  /**
   * Records the article and queues one alert per subscribed chat, in one transaction: either the
   * article is announced to every subscriber or not at all. Returns the number of alerts queued,
   * or undefined when the article was already announced.
   */
  announce(identity: ArticleIdentity, now = Date.now()): number | undefined {
    return this.db.transaction(() => {
      if (this.known(identity)) return undefined;
      this.db
        .prepare(`INSERT INTO announced_articles (article_id, url, content_hash, title, announced_at) VALUES (?, ?, ?, ?, ?)`)
        .run(identity.articleId, identity.url, identity.contentHash, identity.title, now);
      return this.db
        .prepare(
          `INSERT INTO outbox (chat_id, article_id, created_at)
           SELECT chat_id, ?, ? FROM subscriptions ORDER BY created_at
           ON CONFLICT (chat_id, article_id) DO NOTHING`,
        )
        .run(identity.articleId, now).changes;
    })();
  }

  count(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM announced_articles`).get() as { n: number }).n;
  }
}

export interface OutboxItem {
  readonly id: number;
  readonly chatId: number;
  readonly articleId: string;
  readonly attempts: number;
  /** The subscription's language for the alert; null: the bot's default. */
  readonly language: string | null;
}

export interface OutboxCounts {
  readonly pending: number;
  readonly sending: number;
  readonly sent: number;
  readonly dropped: number;
}

export class Outbox {
  constructor(private readonly db: Db) {}

  /** Pending alerts whose time has come, oldest first (the broadcaster skips chats it is still sending to). */
  due(limit: number, now = Date.now()): OutboxItem[] {
    const rows = this.db
      .prepare(
        `SELECT o.id, o.chat_id, o.article_id, o.attempts, s.language FROM outbox o
         LEFT JOIN subscriptions s ON s.chat_id = o.chat_id
         WHERE o.status = 'pending' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?`,
      )
      .all(now, limit) as { id: number; chat_id: number; article_id: string; attempts: number; language: string | null }[];
    return rows.map((r) => ({ id: r.id, chatId: r.chat_id, articleId: r.article_id, attempts: r.attempts, language: r.language }));
  }

  /** When the next pending alert becomes due (ms epoch), if any. */
  nextDueAt(): number | undefined {
    const row = this.db.prepare(`SELECT MIN(not_before) AS at FROM outbox WHERE status = 'pending'`).get() as { at: number | null };
    return row.at ?? undefined;
  }

  /**
   * Marks an alert as being sent, committed before the request leaves. Returns false when the row
   * is no longer pending (sent, dropped or claimed meanwhile).
   */
  claim(id: number): boolean {
    return this.db.prepare(`UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'`).run(id).changes > 0;
  }

  markSent(id: number, now = Date.now()): void {
    this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`).run(now, id);
  }

  /** Back to the queue, not before `notBefore` (429 retry_after, or backoff after a 5xx). */
  retryLater(id: number, notBefore: number, error: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'pending', not_before = ?, last_error = ? WHERE id = ?`).run(notBefore, error, id);
  }

  /** Every pending alert of a chat waits until `notBefore` (a 429 for that chat). */
  delayChat(chatId: number, notBefore: number): void {
    this.db.prepare(`UPDATE outbox SET not_before = MAX(not_before, ?) WHERE chat_id = ? AND status = 'pending'`).run(notBefore, chatId);
  }

  drop(id: number, error: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'dropped', last_error = ? WHERE id = ?`).run(error, id);
  }

  /**
   * After a hard stop, alerts marked 'sending' had their request on its way: Telegram receives a
   * request whole or not at all, so they are taken as sent rather than sent twice.
   */
  settleInterrupted(now = Date.now()): number {
    return this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, last_error = 'in flight at restart' WHERE status = 'sending'`).run(now).changes;
  }

  counts(): OutboxCounts {
    const rows = this.db.prepare(`SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`).all() as { status: keyof OutboxCounts; n: number }[];
    const counts = { pending: 0, sending: 0, sent: 0, dropped: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}

export interface FeedState {
  readonly url: string;
  readonly lastCheckedAt: number | null;
  readonly lastOkAt: number | null;
  readonly failures: number;
  readonly nextCheckAt: number;
  readonly lastError: string | null;
}

export class Feeds {
  constructor(private readonly db: Db) {}

  state(url: string): FeedState {
    const row = this.db.prepare(`SELECT * FROM feeds WHERE url = ?`).get(url) as
      | { url: string; last_checked_at: number | null; last_ok_at: number | null; failures: number; next_check_at: number; last_error: string | null }
      | undefined;
    if (!row) return { url, lastCheckedAt: null, lastOkAt: null, failures: 0, nextCheckAt: 0, lastError: null };
    return { url, lastCheckedAt: row.last_checked_at, lastOkAt: row.last_ok_at, failures: row.failures, nextCheckAt: row.next_check_at, lastError: row.last_error };
  }

  recordSuccess(url: string, nextCheckAt: number, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO feeds (url, last_checked_at, last_ok_at, failures, next_check_at, last_error) VALUES (?, ?, ?, 0, ?, NULL)
         ON CONFLICT (url) DO UPDATE SET last_checked_at = excluded.last_checked_at, last_ok_at = excluded.last_ok_at,
           failures = 0, next_check_at = excluded.next_check_at, last_error = NULL`,
      )
      .run(url, now, now, nextCheckAt);
  }

  recordFailure(url: string, nextCheckAt: number, error: string, now = Date.now()): number {
    this.db
      .prepare(
        `INSERT INTO feeds (url, last_checked_at, failures, next_check_at, last_error) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT (url) DO UPDATE SET last_checked_at = excluded.last_checked_at, failures = failures + 1,
           next_check_at = excluded.next_check_at, last_error = excluded.last_error`,
      )
      .run(url, now, nextCheckAt, error);
    return this.state(url).failures;
  }

  /** True the first time an item is seen for a feed. */
  markSeen(feedUrl: string, itemKey: string, now = Date.now()): boolean {
    return this.db.prepare(`INSERT INTO feed_items (feed_url, item_key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(feedUrl, itemKey, now).changes > 0;
  }

  hasSeen(feedUrl: string, itemKey: string): boolean {
    return Boolean(this.db.prepare(`SELECT 1 FROM feed_items WHERE feed_url = ? AND item_key = ?`).get(feedUrl, itemKey));
  }

  /** The most recent check of any feed (ms epoch). */
  lastCheckedAt(): number | undefined {
    const row = this.db.prepare(`SELECT MAX(last_checked_at) AS at FROM feeds`).get() as { at: number | null };
    return row.at ?? undefined;
  }
}

/** The repositories over one database. */
export interface Storage {
  readonly db: Db;
  readonly subscriptions: Subscriptions;
  readonly announcements: Announcements;
  readonly outbox: Outbox;
  readonly feeds: Feeds;
}

export function repositories(db: Db): Storage {
  return { db, subscriptions: new Subscriptions(db), announcements: new Announcements(db), outbox: new Outbox(db), feeds: new Feeds(db) };
}
