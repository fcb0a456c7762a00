/**
 * Sends queued alerts from the SQLite outbox, within Telegram's limits, surviving restarts.
 *
 * - Durable: each alert is a row; it is claimed ('sending', committed) before its request leaves
 *   and marked 'sent' when Telegram answers. After a hard kill, claimed rows count as sent (the
 *   request was on its way), so nothing is sent twice; pending rows are simply sent on restart.
 * - Limits: ALERT_RATE messages per second over all chats (token bucket), at most 20 per minute
 *   per group or channel and one per second per private chat. Telegram's ~30 messages a second
 *   are shared with the bot's answers, and answers come first: while users are being answered,
 *   alerts take only what ALERT_RATE leaves (never less than a tenth of it, so they still move).
 * - Errors: 429 waits `retry_after` for that chat only (other chats and user answers go on);
 *   5xx and network errors back off and retry; 403 (blocked, kicked, deleted) and "chat not found"
 *   end the subscription; a group upgraded to a supergroup moves its subscription and resends.
 */
import { type Api, GrammyError, HttpError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Article } from "../knowledge/article.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { OutboxItem, Storage } from "../storage/repositories.js";

/**
 * Writes the alert for an article in a subscriber's language (null: the bot's default). The bot
 * provides it (its messages and translations); the broadcaster only sends what it returns.
 */
export type RenderAlert = (article: Article, language: string | null) => { readonly text: string; readonly keyboard: InlineKeyboardMarkup };

export interface BroadcasterOptions {
  /** A Bot API client without auto-retry: this class handles 429 and 5xx itself, per chat. */
  readonly api: Api;
  readonly storage: Storage;
  readonly knowledge: KnowledgeIndex;
  readonly renderAlert: RenderAlert;
  readonly logger: Logger;
  /** Messages per second over all chats. */
  readonly ratePerSecond: number;
  /** Messages per minute to one group, supergroup or channel (Telegram: 20). */
  readonly groupPerMinute?: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * Capacity of the global token bucket, in sends. With exactly one, every late timer (a busy event
 * loop: answers being computed) loses its lateness for good and broadcasts run below ALERT_RATE.
 * Half a token more lets the next send make up a lateness of up to half an interval, still without
 * bursts: at most rate × T + 1.5 sends in any T seconds.
 */
const BUCKET_CAPACITY = 1.5;
/** However busy the bot is answering, alerts keep this share of ALERT_RATE. */
export const MIN_ALERT_SHARE = 0.1;
/** The answer rate is averaged over about this long (seconds). */
const ANSWER_RATE_WINDOW_S = 1;
/** After this many failed attempts (5xx, network) an alert is dropped and logged. */
const MAX_ATTEMPTS = 25;

export class Broadcaster {
  private readonly groupPerMinute: number;
  private readonly concurrency: number;
  private tokens: number;
  private lastRefill = performance.now();
  /** Answers per second lately: an exponentially decaying count. */
  private answerRate = 0;
  private answerRateAt = performance.now();
  private readonly inFlight = new Map<number, Promise<void>>(); // by outbox id
  private readonly busyChats = new Set<number>();
  /** Send times per chat in the last minute, for the per-chat limits. */
  private readonly recentSends = new Map<number, number[]>();
  private running = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: BroadcasterOptions) {
    this.groupPerMinute = options.groupPerMinute ?? 20;
    this.concurrency = options.concurrency ?? Math.max(1, Math.ceil(options.ratePerSecond));
    this.tokens = 1;
  }

  /** Settles alerts interrupted by a hard stop, then sends until stopped. */
  start(): void {
    if (this.running) return;
    const settled = this.options.storage.outbox.settleInterrupted();
    if (settled > 0) this.options.logger.warn({ settled }, "alerts in flight at the last stop counted as sent");
    this.running = true;
    this.loop = this.run();
  }

  /** New alerts were queued: look now rather than at the next timer. */
  wake(): void {
    this.wakeUp?.();
  }

  /** The bot sent a user a message (an answer, an edit): alerts make room for it. */
  noteAnswerSent(): void {
    this.decayAnswerRate();
    this.answerRate += 1 / ANSWER_RATE_WINDOW_S;
  }

  /** Stops taking alerts and waits for those in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async run(): Promise<void> {
    const { outbox } = this.options.storage;
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      const due = free > 0 ? outbox.due(free + this.busyChats.size + 50).filter((item) => this.canSendTo(item.chatId)) : [];
      if (due.length === 0) {
        await this.idle(this.inFlight.size > 0 ? 50 : this.untilNextDue());
        continue;
      }
      for (const item of due.slice(0, free)) {
        if (!this.running) break;
        if (!this.canSendTo(item.chatId)) continue;
        await this.takeToken();
        if (!this.running || !outbox.claim(item.id)) continue;
        this.busyChats.add(item.chatId);
        this.noteSend(item.chatId);
        const sending = this.send(item).finally(() => {
          this.inFlight.delete(item.id);
          this.busyChats.delete(item.chatId);
          this.wake();
        });
        this.inFlight.set(item.id, sending);
      }
    }
  }

  private untilNextDue(): number {
    const next = this.options.storage.outbox.nextDueAt();
    return next === undefined ? 60_000 : Math.min(60_000, Math.max(20, next - Date.now()));
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Waits for a token of the global rate. The bucket holds 1.5 tokens: sends are evenly spaced, no bursts. */
  private async takeToken(): Promise<void> {
    for (;;) {
      const rate = this.alertRateNow();
      const now = performance.now();
      this.tokens = Math.min(BUCKET_CAPACITY, this.tokens + ((now - this.lastRefill) * rate) / 1000);
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) * 1000) / rate)));
    }
  }

  /** ALERT_RATE less the answers being sent, but at least MIN_ALERT_SHARE of it. */
  private alertRateNow(): number {
    this.decayAnswerRate();
    const full = this.options.ratePerSecond;
    return Math.min(full, Math.max(full * MIN_ALERT_SHARE, full - this.answerRate));
  }

  private decayAnswerRate(): void {
    const now = performance.now();
    this.answerRate *= Math.exp(-(now - this.answerRateAt) / 1000 / ANSWER_RATE_WINDOW_S);
    this.answerRateAt = now;
  }

  /** One request at a time per chat, ≤ 1/s to a private chat, ≤ groupPerMinute to a group or channel. */
  private canSendTo(chatId: number): boolean {
    if (this.busyChats.has(chatId)) return false;
    const now = Date.now();
    const times = (this.recentSends.get(chatId) ?? []).filter((t) => now - t < 60_000);
    if (times.length === 0) this.recentSends.delete(chatId);
    else this.recentSends.set(chatId, times);
    if (chatId < 0) return times.length < this.groupPerMinute; // groups and channels have negative ids
    return times.every((t) => now - t >= 1000);
  }

  private noteSend(chatId: number): void {
    const times = this.recentSends.get(chatId) ?? [];
    times.push(Date.now());
    this.recentSends.set(chatId, times);
  }

  private async send(item: OutboxItem): Promise<void> {
    const { storage, knowledge, api } = this.options;
    const article = knowledge.article(item.articleId);
    if (!article) {
      storage.outbox.drop(item.id, "article no longer in the knowledge base");
      return;
    }
    const { text, keyboard } = this.options.renderAlert(article, item.language);
    try {
      await api.sendMessage(item.chatId, text, { parse_mode: "HTML", reply_markup: keyboard, link_preview_options: { is_disabled: true } });
      storage.outbox.markSent(item.id);
    } catch (error) {
      this.handleFailure(item, error);
    }
  }

  private handleFailure(item: OutboxItem, error: unknown): void {
    const { storage, logger } = this.options;
    const log = logger.child({ chat: item.chatId, article: item.articleId, attempt: item.attempts + 1 });
    if (error instanceof GrammyError) {
      const description = error.description;
      if (error.error_code === 429) {
        const waitMs = (error.parameters.retry_after ?? 5) * 1000;
        storage.outbox.retryLater(item.id, Date.now() + waitMs, description);
        storage.outbox.delayChat(item.chatId, Date.now() + waitMs);
        log.warn({ retryAfterS: waitMs / 1000 }, "alert rate-limited by Telegram; that chat waits");
        return;
      }
      if (error.error_code === 400 && error.parameters.migrate_to_chat_id) {
        const newChatId = error.parameters.migrate_to_chat_id;
        storage.outbox.retryLater(item.id, 0, description);
        storage.subscriptions.migrate(item.chatId, newChatId);
        log.info({ newChatId }, "group upgraded to a supergroup: subscription moved, alert resent");
        return;
      }
      if (error.error_code === 403 || (error.error_code === 400 && /chat not found/i.test(description))) {
        storage.outbox.drop(item.id, description);
        storage.subscriptions.remove(item.chatId);
        log.info({ description }, "chat gone: subscription ended");
        return;
      }
      if (error.error_code < 500) {
        storage.outbox.drop(item.id, description);
        log.error({ code: error.error_code, description }, "alert refused by Telegram: dropped");
        return;
      }
    }
    const reason = error instanceof GrammyError ? error.description : error instanceof HttpError ? "network error" : String(error);
    if (item.attempts + 1 >= MAX_ATTEMPTS) {
      storage.outbox.drop(item.id, reason);
      log.error({ reason }, "alert dropped after repeated failures");
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** item.attempts);
    storage.outbox.retryLater(item.id, Date.now() + backoff, reason);
    log.warn({ reason, backoffMs: backoff }, "alert failed; will retry");
  }
}
