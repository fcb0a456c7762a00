/**
 * Telegram, simulated in memory: the one model of the Bot API that the local chat, the unit
 * harness, the HTTP emulator (testkit/emulator.ts) and the benches share. It holds chats, users,
 * messages, callback and inline queries and an update queue, answers Bot API calls with
 * Telegram's results and error texts (HTML parsed and validated by ./html.ts and ./validate.ts),
 * and lets a caller act as users (`sendUserMessage`, `pressButton`, …) and inspect what the bot
 * did (`sent`, `calls`, `waitForMessage`, …).
 *
 * Updates leave the queue by `getUpdates` (long polls included), by a webhook (delivered like
 * Telegram's: up to `max_connections` in flight, one update per chat at a time and a chat's
 * updates in queue order, an update not answered 2xx retried before the chat's next one; the
 * posting itself is the `WebhookTransport`'s), or by `takeUpdates` for an in-process bot.
 *
 * Deliberate simplifications: Markdown parse modes are not parsed; webhooks accept plain http URLs
 * on any port; media methods are not implemented.
 */
import type {
  BotCommand,
  CallbackQuery,
  Chat,
  ChatMember,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { CHANNEL_BOT, GROUP_ANONYMOUS_BOT, SIMULATED_BOT, chatMember, simulatedBotInfo, type ChatMemberStatus } from "./fixtures.js";
import { FloodLimiter, type FloodLimits } from "./flood-limiter.js";
import { detectEntities, htmlToPlain, type ValidationMode } from "./html.js";
import {
  ApiError,
  badRequest,
  forbidden,
  isObject,
  optBool,
  optInt,
  optJson,
  optString,
  type ApiErrorBody,
  type Payload,
} from "./payload.js";
import {
  commandScopeKey,
  formatText,
  parseBotCommands,
  parseInlineResults,
  parseReplyMarkup,
  validateLanguageCode,
  validateNextOffset,
  validateResultsButton,
  type FormattedText,
  type InlineArticle,
} from "./validate.js";

export type { ApiErrorBody } from "./payload.js";
export type { ValidationMode } from "./html.js";
export type { ChatMemberStatus } from "./fixtures.js";
export type { FloodLimits } from "./flood-limiter.js";

export interface SimulatedTelegramOptions {
  /** Default "123:abc"; the bot id defaults to the number before the colon, as in real tokens. */
  token?: string;
  bot?: { id?: number; username?: string; first_name?: string; last_name?: string };
  /**
   * "strict" (default) also rejects HTML that Telegram silently repairs and button/field
   * combinations it tolerates; "telegram" follows tdlib exactly.
   */
  validation?: ValidationMode;
  /** Group privacy mode: group messages not addressed to the bot are not delivered. Default off. */
  privacyMode?: boolean;
  /** Built-in flood control answering 429 for `sendMessage`; off by default. */
  floodLimits?: FloodLimits;
  webhook?: {
    /** Delivery attempts per update before it is dropped (default 5). */
    maxAttempts?: number;
    /** Pause between attempts (default 100 ms). */
    retryDelayMs?: number;
    /** How long to wait for the webhook to answer (default 10 s). */
    timeoutMs?: number;
    /** Updates delivered at once when setWebhook sets no max_connections (default 40, as Telegram). */
    maxConnections?: number;
  };
  /** After this, answerCallbackQuery fails with "query is too old" (default 15 s, like Telegram). */
  callbackQueryTtlMs?: number;
  /** update_id of the first update (default 100000). */
  firstUpdateId?: number;
  /** Posts webhook deliveries; without one, a webhook is set but nothing answers it. */
  webhookTransport?: WebhookTransport;
}

/** `error` omitted with `delayMs` set: the call is only delayed, then handled normally. */
export type FaultError = ApiErrorBody | "network" | { raw: { status: number; body: string } };

export interface FaultSpec {
  /** Method name (case-insensitive). Without it the fault matches any method except getUpdates. */
  method?: string;
  /** Only calls whose chat_id equals this. */
  chatId?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
  error?: FaultError;
  delayMs?: number;
}

export interface FaultHandle {
  readonly remaining: number;
  cancel(): void;
}

export interface RecordedCall {
  seq: number;
  method: string;
  payload: Payload;
  /** Epoch ms when the call arrived. */
  at: number;
  ok: boolean;
  result?: unknown;
  error?: ApiErrorBody;
  /** The socket was destroyed by a "network" fault. */
  network?: boolean;
  /** Answered by an injected fault. */
  faulted?: boolean;
  /** "webhook-reply": a method the bot returned in the body of a webhook response; "in-process": a grammY transformer. */
  source: "http" | "webhook-reply" | "in-process";
}

export interface SentMessage {
  seq: number;
  /** "message": sendMessage; "edit": editMessageText/editMessageReplyMarkup; "inline": an article answer. */
  kind: "message" | "edit" | "inline";
  method: string;
  chatId?: number;
  messageId?: number;
  inlineMessageId?: string;
  inlineQueryId?: string;
  resultId?: string;
  /** The text as the bot sent it (HTML source when parse_mode is HTML). */
  text: string;
  parseMode?: string;
  /** The text as the user sees it. */
  plain: string;
  entities: MessageEntity[];
  replyMarkup?: InlineKeyboardMarkup | Record<string, unknown>;
  replyToMessageId?: number;
  at: number;
}

export interface WebhookDelivery {
  seq: number;
  updateId: number;
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
  at: number;
}

export interface InlineAnswer {
  seq: number;
  inlineQueryId: string;
  results: Record<string, unknown>[];
  nextOffset?: string;
  cacheTime?: number;
  isPersonal: boolean;
  button?: unknown;
}

export interface UserMessageInput {
  /** A chat object, or the id of a known chat; default: the private chat with `from`. */
  chat?: Chat | number;
  /** Required unless `senderChat` is given (anonymous admins and channels post as a chat). */
  from?: User;
  text: string;
  /** message_id of a message in the same chat. */
  replyTo?: number;
  senderChat?: Chat;
  /** Replaces the automatically detected bot_command/mention entities. */
  entities?: MessageEntity[];
  messageThreadId?: number;
}

export interface ChannelPostInput {
  chat: Chat | number;
  text: string;
  authorSignature?: string;
  entities?: MessageEntity[];
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only records with a larger `seq` (take `emulator.seq` before acting). */
  after?: number;
}

interface StoredMessage {
  message: Message;
  fromBot: boolean;
  deleted: boolean;
  /** What the bot sent, to record edits of the keyboard alone. */
  source?: { text: string; parseMode?: string };
}

interface ChatState {
  chat: Chat;
  botStatus: ChatMemberStatus;
  /** Private chats: the user blocked the bot. */
  blocked: boolean;
  deactivated: boolean;
  migratedTo?: number;
  members: Map<number, ChatMemberStatus>;
  messages: Map<number, StoredMessage>;
  nextMessageId: number;
}

interface PendingPoll {
  limit: number;
  finish(outcome: Update[] | ApiError): void;
}

interface Fault extends FaultSpec {
  left: number;
}

interface InlineMessage {
  text: string;
  parseMode?: string;
  formatted: FormattedText;
  replyMarkup?: InlineKeyboardMarkup;
}

/** How a call ended, before it is written as an HTTP answer or returned to grammY. */
export type Outcome =
  | { kind: "ok"; result: unknown; description?: string }
  | { kind: "error"; error: ApiErrorBody }
  | { kind: "network" }
  | { kind: "raw"; status: number; body: string }
  | { kind: "aborted" };

/** A handler's result with the optional `description` Telegram adds to some answers. */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

type ReplyMessage = NonNullable<Message["reply_to_message"]>;

type Handler = (p: Payload, signal: AbortSignal | undefined) => unknown;

const WEBHOOK_ACTIVE =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const TERMINATED_BY_OTHER_POLL =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current " +
  "content and reply markup of the message";

/** How a webhook answered one delivery. */
export interface DeliveryResult {
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
  /** A kept-alive connection the webhook closed just as it was reused: nothing reached the webhook. */
  staleSocket?: boolean;
}

/** Where a webhook delivery goes. */
export interface WebhookTarget {
  readonly url: string;
  readonly secretToken?: string;
  /** Updates in flight at once (setWebhook's max_connections, else the default). */
  readonly connectionLimit: number;
}

/** Posts webhook deliveries; the HTTP emulator's posts them over the network. */
export interface WebhookTransport {
  /** Posts one update (JSON) to the webhook and tells how it answered. */
  post(target: WebhookTarget, body: string): Promise<DeliveryResult>;
  /** The webhook was deleted or replaced and has nothing in flight: its connections may close. */
  release(target: WebhookTarget): void;
  /** Cuts every delivery and connection. */
  close(): void;
}

/** In memory nothing listens at a webhook's URL. */
const NO_NETWORK: WebhookTransport = {
  post: async () => ({ ok: false, error: "Connection refused" }),
  release: () => {},
  close: () => {},
};

/** The webhook setWebhook set. */
interface Webhook {
  url: string;
  secretToken?: string;
  maxConnections?: number;
  target: WebhookTarget;
  /** Deliveries under way to this webhook (requests and pauses between attempts). */
  active: number;
}

/** Update types Telegram does not deliver unless allowed_updates asks for them. */
const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

const idOf = (value: unknown): number | undefined => (isObject(value) && typeof value.id === "number" ? value.id : undefined);

/**
 * Updates with the same key are delivered one at a time, in queue order: the chat (message,
 * edited_message, channel_post, callback_query.message, my_chat_member, …), else the sender
 * (inline_query, chosen_inline_result, inline callback_query, poll_answer's user, …). Updates with
 * neither (poll) have no key.
 */
function deliveryKey(update: Update): string | undefined {
  for (const [field, content] of Object.entries(update)) {
    if (field === "update_id" || !isObject(content)) continue;
    const chatId = idOf(content.chat) ?? (isObject(content.message) ? idOf(content.message.chat) : undefined);
    if (chatId !== undefined) return `chat ${chatId}`;
    const userId = idOf(content.from) ?? idOf(content.user);
    return userId === undefined ? undefined : `user ${userId}`;
  }
  return undefined;
}

/** Telegram's default max_connections. */
const DEFAULT_MAX_CONNECTIONS = 40;

export class SimulatedTelegram {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  /** The bot as `from` of its messages and in chat member objects. */
  readonly botUser: User;
  /** Every API call, in completion order. */
  readonly calls: RecordedCall[] = [];
  /** Every message the bot successfully sent or edited, and every inline article it offered. */
  readonly sent: SentMessage[] = [];
  /** Every update that entered the queue. */
  readonly updates: Update[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  readonly inlineAnswers: InlineAnswer[] = [];

  private readonly mode: ValidationMode;
  private readonly options: SimulatedTelegramOptions;
  private readonly transport: WebhookTransport;
  private readonly chats = new Map<number, ChatState>();
  private readonly users = new Map<number, User>();
  private queue: Update[] = [];
  private nextUpdateId: number;
  private poll: PendingPoll | undefined;
  private allowedUpdates: Set<string> | undefined;
  private webhook: Webhook | undefined;
  private webhookError: { date: number; message: string } | undefined;
  /** update_id of each update being delivered, from its first attempt until it is done. */
  private readonly delivering = new Set<number>();
  /** Delivery keys (chat or sender) with an update being delivered. */
  private readonly busyKeys = new Set<string>();
  private readonly callbackQueries = new Map<string, { answered: boolean; createdAt: number }>();
  private readonly inlineQueries = new Map<string, { answered: boolean; createdAt: number }>();
  private readonly inlineArticles = new Map<string, InlineArticle>();
  private readonly inlineMessages = new Map<string, InlineMessage>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly botTexts = new Map<string, string>();
  private readonly menuButtons = new Map<string, unknown>();
  private readonly faults: Fault[] = [];
  private readonly flood: FloodLimiter | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly handlers: Map<string, [string, Handler]>;
  private counter = 0;
  private lastSeq = 0;
  private closed = false;

  constructor(options: SimulatedTelegramOptions = {}) {
    this.options = options;
    this.token = options.token ?? "123:abc";
    const idFromToken = Number(this.token.split(":")[0]);
    this.botInfo = simulatedBotInfo(
      {
        ...options.bot,
        id: options.bot?.id ?? (Number.isSafeInteger(idFromToken) && idFromToken > 0 ? idFromToken : SIMULATED_BOT.id),
      },
      options.privacyMode === true,
    );
    this.botUser = {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      ...(this.botInfo.last_name !== undefined && { last_name: this.botInfo.last_name }),
      username: this.botInfo.username,
    };
    this.mode = options.validation ?? "strict";
    this.nextUpdateId = options.firstUpdateId ?? 100000;
    this.flood = options.floodLimits === undefined ? undefined : new FloodLimiter(options.floodLimits);
    this.transport = options.webhookTransport ?? NO_NETWORK;
    this.handlers = this.buildHandlers();
  }

  /** Sequence number of the latest record (call, sent message, webhook delivery). */
  get seq(): number {
    return this.lastSeq;
  }

  /** Updates waiting to be fetched or delivered. */
  get pendingUpdates(): readonly Update[] {
    return this.queue;
  }

  /** Ends pending long polls, pauses and webhook deliveries; later calls are not answered. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poll?.finish([]);
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
    this.transport.close();
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Chats and users

  /** Registers a chat the bot is in (or, for a private chat, a user who started the bot). */
  addChat(chat: Chat): void {
    this.registerChat(chat);
  }

  /** Sets a user's status in a chat; the bot's own status too, when `user` is the bot. */
  setChatMember(chatId: number, user: number | User, status: ChatMemberStatus): void {
    const state = this.requireChat(chatId);
    const userId = typeof user === "number" ? user : user.id;
    if (typeof user !== "number") this.rememberUser(user);
    if (userId === this.botInfo.id) {
      state.botStatus = status;
    } else {
      if (!this.users.has(userId)) this.users.set(userId, { id: userId, is_bot: false, first_name: `User ${userId}` });
      state.members.set(userId, status);
    }
  }

  /** The user of a private chat blocked the bot: sends answer 403. */
  blockBot(chatId: number): void {
    const state = this.requireChat(chatId);
    if (state.chat.type !== "private") throw new Error(`blockBot: chat ${chatId} is not private; use kickBot`);
    state.blocked = true;
  }

  unblockBot(chatId: number): void {
    this.requireChat(chatId).blocked = false;
  }

  /** The bot was removed from a group, supergroup or channel: sends answer 403. */
  kickBot(chatId: number): void {
    const state = this.requireChat(chatId);
    if (state.chat.type === "private") throw new Error(`kickBot: chat ${chatId} is private; use blockBot`);
    state.botStatus = "kicked";
  }

  /** The user deleted their account: sends answer 403 "user is deactivated". */
  deactivateUser(chatId: number): void {
    this.requireChat(chatId).deactivated = true;
  }

  /**
   * A group became a supergroup. Sends to the old id fail with `migrate_to_chat_id`; with
   * `announce`, the two service messages Telegram sends are queued as updates, from `by`.
   */
  migrateChat(oldId: number, newId: number, opts: { announce?: boolean; by?: User } = {}): void {
    const old = this.requireChat(oldId);
    if (old.chat.type !== "group") throw new Error(`migrateChat: chat ${oldId} is not a group`);
    old.migratedTo = newId;
    const title = old.chat.title;
    const fresh = this.registerChat({ id: newId, type: "supergroup", title });
    fresh.botStatus = old.botStatus;
    for (const [userId, status] of old.members) fresh.members.set(userId, status);
    if (opts.announce === true) {
      const from = opts.by ?? GROUP_ANONYMOUS_BOT;
      const date = nowSeconds();
      const toMessage = { message_id: old.nextMessageId++, from, chat: old.chat, date, migrate_to_chat_id: newId };
      const fromMessage = { message_id: fresh.nextMessageId++, from, chat: fresh.chat, date, migrate_from_chat_id: oldId };
      this.enqueue({ message: toMessage as Update["message"] });
      this.enqueue({ message: fromMessage as Update["message"] });
    }
  }

  /** The current version of a message (after edits), or undefined. Deleted messages included. */
  getMessage(chatId: number, messageId: number): Message | undefined {
    return this.chats.get(chatId)?.messages.get(messageId)?.message;
  }

  /** What the chat shows now: the messages of both sides, not deleted, oldest first. */
  chatHistory(chatId: number): Message[] {
    const state = this.chats.get(chatId);
    if (state === undefined) return [];
    return [...state.messages.values()]
      .filter((m) => !m.deleted)
      .map((m) => m.message)
      .sort((a, b) => a.message_id - b.message_id);
  }

  /** Commands stored by setMyCommands for a scope (default scope when omitted). */
  commandsFor(scope?: Record<string, unknown>, languageCode = ""): BotCommand[] {
    const key = commandScopeKey(scope, (id) => this.chatIdFrom(id));
    return this.commands.get(`${key}|${languageCode}`) ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // Update injection (the user's side)

  /**
   * A user writes a text message. Returns the update id, or 0 when Telegram would not deliver it
   * (privacy mode, allowed_updates). Writing to a bot one has blocked unblocks it first, and, as
   * on Telegram, that queues a my_chat_member update (kicked → member) before the message.
   */
  sendUserMessage(input: UserMessageInput): number {
    const from = input.from ?? (input.senderChat === undefined ? undefined : this.placeholderFor(input.senderChat, input.chat));
    if (from === undefined) throw new Error("sendUserMessage: `from` is required");
    const chat = this.resolveInputChat(input.chat, from);
    if (chat.type === "channel") throw new Error("sendUserMessage: use sendChannelPost for channels");
    const state = this.registerChat(chat);
    this.rememberUser(from);
    if (state.blocked) this.sendMyChatMember(state.chat, from, "kicked", "member");
    const entities = input.entities ?? detectEntities(input.text);
    const message: Message = {
      message_id: state.nextMessageId++,
      from,
      ...(input.senderChat !== undefined && { sender_chat: input.senderChat }),
      chat: state.chat,
      date: nowSeconds(),
      ...(input.messageThreadId !== undefined && { message_thread_id: input.messageThreadId }),
      ...(input.replyTo !== undefined && { reply_to_message: this.replyTarget(state, input.replyTo) }),
      text: input.text,
      ...(entities.length > 0 && { entities }),
    };
    state.messages.set(message.message_id, { message, fromBot: false, deleted: false });
    if (!this.visibleToBot(state, message)) return 0;
    return this.enqueue({ message: message as Update["message"] });
  }

  /** A channel admin posts in a channel. */
  sendChannelPost(input: ChannelPostInput): number {
    const chat = typeof input.chat === "number" ? this.requireChat(input.chat).chat : input.chat;
    if (chat.type !== "channel") throw new Error("sendChannelPost: the chat must be a channel");
    const state = this.registerChat(chat);
    const entities = input.entities ?? detectEntities(input.text);
    const message: Message = {
      message_id: state.nextMessageId++,
      sender_chat: state.chat,
      chat: state.chat,
      date: nowSeconds(),
      ...(input.authorSignature !== undefined && { author_signature: input.authorSignature }),
      text: input.text,
      ...(entities.length > 0 && { entities }),
    };
    state.messages.set(message.message_id, { message, fromBot: false, deleted: false });
    return this.enqueue({ channel_post: message as Update["channel_post"] });
  }

  /**
   * A user presses an inline button of a message the bot sent. The button must exist unless
   * `force` is set (to test forged callback data).
   */
  pressButton(chatId: number, messageId: number, callbackData: string, from: User, opts: { force?: boolean } = {}): number {
    const state = this.requireChat(chatId);
    const stored = state.messages.get(messageId);
    const where = `message ${messageId} in chat ${chatId}`;
    if (stored === undefined || stored.deleted) throw new Error(`pressButton: no ${where}`);
    if (!stored.fromBot) throw new Error(`pressButton: ${where} was not sent by the bot`);
    if (opts.force !== true) requireButton(stored.message.reply_markup, callbackData, `pressButton: ${where}`);
    return this.queueCallbackQuery(from, callbackData, {
      message: structuredClone(stored.message),
      chat_instance: String(7_000_000_000_000 + Math.abs(chatId)),
    });
  }

  /** A user presses a callback button of a message posted through inline mode. */
  pressInlineButton(inlineMessageId: string, callbackData: string, from: User, opts: { force?: boolean } = {}): number {
    const posted = this.inlineMessages.get(inlineMessageId);
    if (posted === undefined) throw new Error(`pressInlineButton: no inline message ${inlineMessageId}`);
    if (opts.force !== true) requireButton(posted.replyMarkup, callbackData, `pressInlineButton: inline message ${inlineMessageId}`);
    return this.queueCallbackQuery(from, callbackData, {
      inline_message_id: inlineMessageId,
      chat_instance: String(7_100_000_000_000 + from.id),
    });
  }

  private queueCallbackQuery(
    from: User,
    data: string,
    origin: Pick<CallbackQuery, "chat_instance" | "message" | "inline_message_id">,
  ): number {
    this.rememberUser(from);
    const id = this.nextQueryId();
    this.callbackQueries.set(id, { answered: false, createdAt: Date.now() });
    return this.enqueue({ callback_query: { id, from, ...origin, data } });
  }

  /** A user types "@bot query" in some chat. */
  sendInlineQuery(from: User, query: string, offset = "", opts: { chatType?: string } = {}): number {
    this.rememberUser(from);
    const id = this.nextQueryId();
    this.inlineQueries.set(id, { answered: false, createdAt: Date.now() });
    return this.enqueue({
      inline_query: {
        id,
        from,
        query,
        offset,
        ...(opts.chatType !== undefined && { chat_type: opts.chatType as "sender" }),
      },
    });
  }

  /** A user picks one of the results the bot offered; the result id must have been offered. */
  sendChosenInlineResult(from: User, resultId: string, query: string): number {
    const article = this.inlineArticles.get(resultId);
    const offered = article !== undefined || this.inlineAnswers.some((a) => a.results.some((r) => r.id === resultId));
    if (!offered) throw new Error(`sendChosenInlineResult: result ${JSON.stringify(resultId)} was never offered`);
    this.rememberUser(from);
    let inlineMessageId: string | undefined;
    if (article?.replyMarkup !== undefined) {
      inlineMessageId = `inl_${++this.counter}`;
      this.inlineMessages.set(inlineMessageId, {
        text: article.text,
        ...(article.parseMode !== undefined && { parseMode: article.parseMode }),
        formatted: article.formatted,
        replyMarkup: article.replyMarkup,
      });
    }
    return this.enqueue({
      chosen_inline_result: {
        result_id: resultId,
        from,
        query,
        ...(inlineMessageId !== undefined && { inline_message_id: inlineMessageId }),
      },
    });
  }

  /** The bot's membership changed (added, removed, blocked, unblocked); updates the chat too. */
  sendMyChatMember(chat: Chat, from: User, oldStatus: ChatMemberStatus, newStatus: ChatMemberStatus): number {
    const state = this.registerChat(chat);
    this.rememberUser(from);
    this.applyBotStatus(state, newStatus);
    return this.enqueue({
      my_chat_member: {
        chat: state.chat,
        from,
        date: nowSeconds(),
        old_chat_member: chatMember(this.botUser, oldStatus),
        new_chat_member: chatMember(this.botUser, newStatus),
      },
    });
  }

  /** Any update; chats, users, messages and query ids in it become known to the emulator. */
  pushUpdate(partial: Omit<Update, "update_id">): number {
    this.ingest(partial);
    return this.enqueue(partial);
  }

  /** A message already in its chat before the bot runs (no update is queued). */
  addMessage(message: Message): void {
    this.ingest({ message: message as Update["message"] });
  }

  /** Takes every queued update, for a bot that runs in this process and handles them itself. */
  takeUpdates(): Update[] {
    const taken = this.queue;
    this.queue = [];
    return taken;
  }

  /** The update with this id, if it entered the queue. */
  update(updateId: number): Update | undefined {
    return this.updates.find((u) => u.update_id === updateId);
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  /** The next `times` matching calls fail with `error` (or are delayed by `delayMs`). */
  injectFault(spec: FaultSpec): FaultHandle {
    const fault: Fault = { ...spec, left: spec.times ?? 1 };
    this.faults.push(fault);
    return {
      get remaining() {
        return fault.left;
      },
      cancel: () => {
        fault.left = 0;
      },
    };
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // -------------------------------------------------------------------------------------------
  // Inspection

  /** Whether the bot answered a callback query (Telegram keeps a spinner on the button until it does). */
  callbackAnswered(callbackQueryId: string): boolean {
    return this.callbackQueries.get(callbackQueryId)?.answered === true;
  }

  /** An article result the bot offered in inline mode, as it would be posted. */
  inlineArticle(resultId: string): InlineArticle | undefined {
    return this.inlineArticles.get(resultId);
  }

  messagesTo(chatId: number): SentMessage[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  callsTo(method: string): RecordedCall[] {
    const wanted = method.toLowerCase();
    return this.calls.filter((c) => c.method.toLowerCase() === wanted);
  }

  /** Text as the user sees it: tags stripped, entities decoded. */
  plainText(message: SentMessage | Message | string): string {
    if (typeof message === "string") return htmlToPlain(message);
    if ("plain" in message) return message.plain;
    return message.text ?? message.caption ?? "";
  }

  /**
   * Resolves with the first truthy value of `check`, re-evaluated whenever something is recorded
   * (and every 25 ms for state changed elsewhere); rejects after `timeoutMs` with recent activity.
   */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 3000, what = "condition"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timers: { interval?: NodeJS.Timeout; timeout?: NodeJS.Timeout } = {};
      let settled = false;
      const finish = (): void => {
        settled = true;
        this.listeners.delete(attempt);
        clearInterval(timers.interval);
        clearTimeout(timers.timeout);
      };
      function attempt(): void {
        if (settled) return;
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (value !== undefined && value !== null && value !== false) {
          finish();
          resolve(value);
        }
      }
      attempt();
      if (settled) return;
      this.listeners.add(attempt);
      timers.interval = setInterval(attempt, 25);
      timers.timeout = setTimeout(() => {
        finish();
        reject(new Error(`waitFor(${what}) timed out after ${timeoutMs} ms\n${this.describeRecent()}`));
      }, timeoutMs);
    });
  }

  waitForCall(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    opts: WaitOptions = {},
  ): Promise<RecordedCall> {
    const after = opts.after ?? 0;
    const wanted = method.toLowerCase();
    return this.waitFor(
      () => this.calls.find((c) => c.seq > after && c.method.toLowerCase() === wanted && predicate(c)),
      opts.timeoutMs,
      `call ${method}`,
    );
  }

  waitForMessage(
    chatId: number,
    predicate: (m: SentMessage) => boolean = () => true,
    opts: WaitOptions = {},
  ): Promise<SentMessage> {
    const after = opts.after ?? 0;
    return this.waitFor(
      () => this.sent.find((m) => m.seq > after && m.chatId === chatId && predicate(m)),
      opts.timeoutMs,
      `message to chat ${chatId}`,
    );
  }

  private describeRecent(): string {
    const calls = this.calls.slice(-10).map((c) => {
      const status = c.ok ? "ok" : c.network === true ? "network fault" : `${c.error?.error_code} ${c.error?.description}`;
      return `  #${c.seq} ${c.method} → ${status}`;
    });
    const sent = this.sent
      .slice(-5)
      .map((m) => `  #${m.seq} ${m.kind} chat ${m.chatId ?? "-"}: ${JSON.stringify(m.plain.slice(0, 120))}`);
    return [
      `recent calls (${this.calls.length} total):`,
      ...calls,
      `recent messages (${this.sent.length} total):`,
      ...sent,
    ].join("\n");
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  /** One Bot API call from the bot, answered as Telegram would (a rejected token answers 401). */
  call(method: string, payload: Payload, token: string, signal?: AbortSignal, source: RecordedCall["source"] = "http"): Promise<Outcome> {
    if (token !== this.token) {
      return Promise.resolve(this.record(method, payload, Date.now(), source, errorOutcome(new ApiError(401, "Unauthorized"))));
    }
    return this.execute(method, payload, signal, source);
  }

  /** Records a call that failed before it reached a method (an unreadable request). */
  recordFailure(method: string, payload: Payload, error: unknown): Outcome {
    return this.record(method, payload, Date.now(), "http", errorOutcome(toApiError(error)));
  }

  /** Runs one API call through faults, flood control and the method handler, and records it. */
  private async execute(
    name: string,
    payload: Payload,
    signal: AbortSignal | undefined,
    source: RecordedCall["source"],
  ): Promise<Outcome> {
    const at = Date.now();
    const entry = this.handlers.get(name.toLowerCase());
    if (entry === undefined) {
      return this.record(name, payload, at, source, errorOutcome(new ApiError(404, "Not Found: method not found")));
    }
    const [method, handler] = entry;
    const fault = this.takeFault(method, payload);
    if (fault?.delayMs !== undefined) await this.sleep(fault.delayMs);
    if (this.closed) return { kind: "aborted" };
    if (fault?.error !== undefined) {
      const error = fault.error;
      const outcome: Outcome =
        error === "network"
          ? { kind: "network" }
          : "raw" in error
            ? { kind: "raw", status: error.raw.status, body: error.raw.body }
            : { kind: "error", error: { ...error } };
      return this.record(method, payload, at, source, outcome, true);
    }
    let outcome: Outcome;
    try {
      this.checkFlood(method, payload);
      const value = await handler(payload, signal);
      outcome =
        value instanceof Described
          ? { kind: "ok", result: value.result, description: value.description }
          : { kind: "ok", result: value };
    } catch (error) {
      outcome = errorOutcome(toApiError(error));
    }
    // A long poll the client gave up on delivered nothing; anything else did happen.
    if (signal?.aborted === true && method === "getUpdates") return { kind: "aborted" };
    return this.record(method, payload, at, source, outcome);
  }

  private record(
    method: string,
    payload: Payload,
    at: number,
    source: RecordedCall["source"],
    outcome: Outcome,
    faulted = false,
  ): Outcome {
    if (outcome.kind === "aborted") return outcome;
    const call: RecordedCall = { seq: ++this.lastSeq, method, payload, at, ok: outcome.kind === "ok", source };
    if (outcome.kind === "ok") call.result = outcome.result;
    if (outcome.kind === "error") call.error = outcome.error;
    if (outcome.kind === "raw") call.error = { error_code: outcome.status, description: outcome.body };
    if (outcome.kind === "network") call.network = true;
    if (faulted) call.faulted = true;
    this.calls.push(call);
    this.notify();
    return outcome;
  }

  private takeFault(method: string, payload: Payload): Fault | undefined {
    const chatId = optInt(payload, "chat_id");
    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (f.method === undefined ? method !== "getUpdates" : f.method.toLowerCase() === method.toLowerCase()) &&
        (f.chatId === undefined || f.chatId === chatId),
    );
    if (fault !== undefined) fault.left--;
    return fault;
  }

  private checkFlood(method: string, payload: Payload): void {
    if (this.flood === undefined || method !== "sendMessage") return;
    const chatId = optInt(payload, "chat_id");
    if (chatId === undefined) return;
    const retryAfter = this.flood.check(chatId, chatId < 0, Date.now());
    if (retryAfter !== undefined) {
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** A timer that close() cuts short, so nothing outlives the emulator. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Update queue, getUpdates, webhooks

  private enqueue(partial: Omit<Update, "update_id">): number {
    if (this.closed) throw new Error("the emulator is closed");
    // A caller may pass a whole Update; the emulator numbers updates itself.
    const { update_id: _ignored, ...content } = partial as Partial<Update>;
    const type = Object.keys(content)[0];
    if (type === undefined) throw new Error("pushUpdate: the update has no content");
    const allowed = this.allowedUpdates === undefined ? !OPT_IN_UPDATES.has(type) : this.allowedUpdates.has(type);
    if (!allowed) return 0;
    const update = { update_id: this.nextUpdateId++, ...content } as Update;
    this.queue.push(update);
    this.updates.push(update);
    this.notify();
    // Let updates queued in the same tick travel together, as Telegram batches them.
    if (this.poll !== undefined) setImmediate(() => this.wakePoll());
    if (this.webhook !== undefined) this.pumpWebhook();
    return update.update_id;
  }

  private wakePoll(): void {
    const poll = this.poll;
    if (poll === undefined || this.queue.length === 0) return;
    this.poll = undefined;
    poll.finish(this.queue.slice(0, poll.limit));
  }

  /** allowed_updates persists between calls; an empty list restores the default set. */
  private updateAllowedUpdates(p: Payload): void {
    const raw = optJson(p, "allowed_updates", () => badRequest("can't parse allowed_updates JSON array"));
    if (!Array.isArray(raw)) return;
    const names = raw.filter((x): x is string => typeof x === "string").map((x) => x.toLowerCase());
    this.allowedUpdates = names.length === 0 ? undefined : new Set(names);
  }

  private getUpdates(p: Payload, signal: AbortSignal | undefined): Update[] | Promise<Update[]> {
    if (this.webhook !== undefined) {
      throw new ApiError(409, WEBHOOK_ACTIVE);
    }
    const offset = optInt(p, "offset") ?? 0;
    const limit = clamp(optInt(p, "limit") ?? 100, 1, 100);
    const timeout = clamp(optInt(p, "timeout") ?? 0, 0, 50);
    this.updateAllowedUpdates(p);
    if (offset < 0) this.queue = this.queue.slice(offset);
    else if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    const batch = this.queue.slice(0, limit);
    if (batch.length > 0 || timeout === 0) return batch;

    // Telegram ends the older long poll, not the newer one.
    this.poll?.finish(new ApiError(409, TERMINATED_BY_OTHER_POLL));
    return new Promise<Update[]>((resolve, reject) => {
      const poll: PendingPoll = {
        limit,
        finish: (outcome) => {
          if (this.poll === poll) this.poll = undefined;
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (outcome instanceof ApiError) reject(outcome);
          else resolve(outcome);
        },
      };
      const timer = setTimeout(() => poll.finish([]), timeout * 1000);
      const onAbort = (): void => poll.finish([]);
      signal?.addEventListener("abort", onAbort);
      this.poll = poll;
    });
  }

  private setWebhook(p: Payload): Described {
    const url = optString(p, "url") ?? "";
    if (url === "") return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("invalid webhook URL specified");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badRequest("invalid webhook URL specified");
    const secretToken = optString(p, "secret_token") ?? "";
    if (secretToken.length > 256) throw badRequest("secret token is too long");
    if (!/^[A-Za-z0-9_-]*$/.test(secretToken)) throw badRequest("secret token contains unallowed characters");
    const maxConnections = optInt(p, "max_connections");
    if (optBool(p, "drop_pending_updates")) this.queue = [];
    this.updateAllowedUpdates(p);
    const same = this.webhook?.url === url && (this.webhook.secretToken ?? "") === secretToken;
    this.poll?.finish(new ApiError(409, "Conflict: terminated by setWebhook request"));
    const limit = maxConnections === undefined ? undefined : clamp(maxConnections, 1, 100);
    this.replaceWebhook({
      url,
      ...(secretToken !== "" && { secretToken }),
      ...(limit !== undefined && { maxConnections: limit }),
      target: {
        url,
        ...(secretToken !== "" && { secretToken }),
        connectionLimit: limit ?? this.options.webhook?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      },
      active: 0,
    });
    if (!same) this.webhookError = undefined;
    this.pumpWebhook();
    return new Described(true, same ? "Webhook is already set" : "Webhook was set");
  }

  private deleteWebhook(p: Payload): Described {
    if (optBool(p, "drop_pending_updates")) this.queue = [];
    const had = this.webhook !== undefined;
    this.replaceWebhook(undefined);
    this.webhookError = undefined;
    return new Described(true, had ? "Webhook was deleted" : "Webhook is already deleted");
  }

  private getWebhookInfo(): Record<string, unknown> {
    const hook = this.webhook;
    return {
      url: hook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(this.webhookError !== undefined && {
        last_error_date: this.webhookError.date,
        last_error_message: this.webhookError.message,
      }),
      ...(hook?.maxConnections !== undefined && { max_connections: hook.maxConnections }),
      ...(hook !== undefined && { ip_address: "127.0.0.1" }),
      ...(this.allowedUpdates !== undefined && { allowed_updates: [...this.allowedUpdates] }),
    };
  }

  /**
   * Deliveries in flight go on (and are recorded) when the webhook is deleted or replaced, but
   * are not retried on it; its connections close when the last one ends.
   */
  private replaceWebhook(next: Webhook | undefined): void {
    const old = this.webhook;
    this.webhook = next;
    if (old !== undefined) this.releaseWebhook(old);
  }

  /** Lets the connections of a webhook close once it is no longer set and has nothing in flight. */
  private releaseWebhook(hook: Webhook): void {
    if (hook === this.webhook || hook.active > 0) return;
    this.transport.release(hook.target);
  }

  /**
   * Starts delivering every queued update it may while a webhook is set: at most
   * max_connections at once, and per delivery key (chat, else sender) only the oldest queued
   * update, once the one before it is done. Runs again whenever an update is queued or a
   * delivery ends.
   */
  private pumpWebhook(): void {
    const hook = this.webhook;
    if (this.closed || hook === undefined) return;
    const limit = hook.target.connectionLimit;
    const passed = new Set<string>();
    for (const update of this.queue) {
      if (this.delivering.size >= limit) break;
      const key = deliveryKey(update);
      if (key !== undefined) {
        // Only the oldest queued update of a key may go, and only when none of the key is out.
        if (passed.has(key)) continue;
        passed.add(key);
        if (this.busyKeys.has(key)) continue;
      }
      if (this.delivering.has(update.update_id)) continue;
      void this.deliver(hook, update, key);
    }
  }

  /** Posts one update until the webhook answers 2xx or the attempts run out, then pumps again. */
  private async deliver(hook: Webhook, update: Update, key: string | undefined): Promise<void> {
    const maxAttempts = this.options.webhook?.maxAttempts ?? 5;
    const retryDelayMs = this.options.webhook?.retryDelayMs ?? 100;
    this.delivering.add(update.update_id);
    if (key !== undefined) this.busyKeys.add(key);
    hook.active++;
    try {
      for (let attempt = 1; ; attempt++) {
        const response = await this.postUpdate(hook, update);
        if (this.closed) return;
        this.webhookDeliveries.push({
          seq: ++this.lastSeq,
          updateId: update.update_id,
          attempt,
          ok: response.ok,
          ...(response.status !== undefined && { status: response.status }),
          ...(response.error !== undefined && { error: response.error }),
          at: Date.now(),
        });
        const finished = response.ok || attempt >= maxAttempts;
        if (finished) this.queue = this.queue.filter((u) => u !== update);
        if (!response.ok && this.webhook?.url === hook.url) {
          this.webhookError = { date: nowSeconds(), message: response.error ?? "unknown error" };
        }
        this.notify();
        if (response.ok) this.runWebhookReply(response.body);
        if (finished) return;
        await this.sleep(retryDelayMs);
        // Closed, webhook deleted or replaced (the update waits in the queue), or update dropped.
        if (this.closed || this.webhook !== hook || !this.queue.includes(update)) return;
      }
    } finally {
      this.delivering.delete(update.update_id);
      if (key !== undefined) this.busyKeys.delete(key);
      hook.active--;
      this.releaseWebhook(hook);
      this.pumpWebhook();
    }
  }

  private async postUpdate(hook: Webhook, update: Update): Promise<DeliveryResult> {
    const body = JSON.stringify(update);
    let result = await this.transport.post(hook.target, body);
    // The webhook server closed an idle connection as it was being reused: send on another one.
    for (let i = 0; i < 3 && result.staleSocket === true && !this.closed; i++) {
      result = await this.transport.post(hook.target, body);
    }
    const { staleSocket: _stale, ...rest } = result;
    return rest;
  }

  /** grammY can answer a webhook with a method call in the response body; Telegram runs it. */
  private runWebhookReply(body: string | undefined): void {
    if (body === undefined || body === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (!isObject(parsed) || typeof parsed.method !== "string") return;
    const { method, ...payload } = parsed;
    if (/^(get|setwebhook|deletewebhook|close|logout)/i.test(method)) return;
    void this.execute(method, payload, undefined, "webhook-reply");
  }

  // -------------------------------------------------------------------------------------------
  // State helpers

  private registerChat(chat: Chat): ChatState {
    const existing = this.chats.get(chat.id);
    if (existing !== undefined) return existing;
    const state: ChatState = {
      chat,
      botStatus: chat.type === "channel" ? "administrator" : "member",
      blocked: false,
      deactivated: false,
      members: new Map(),
      messages: new Map(),
      nextMessageId: 1,
    };
    this.chats.set(chat.id, state);
    if (chat.type === "private" && !this.users.has(chat.id)) {
      this.users.set(chat.id, {
        id: chat.id,
        is_bot: false,
        first_name: chat.first_name,
        ...(chat.last_name !== undefined && { last_name: chat.last_name }),
        ...(chat.username !== undefined && { username: chat.username }),
      });
    }
    return state;
  }

  private requireChat(chatId: number): ChatState {
    const state = this.chats.get(chatId);
    if (state === undefined) throw new Error(`unknown chat ${chatId}: addChat() it or send an update from it first`);
    return state;
  }

  private rememberUser(user: User): void {
    if (user.id !== GROUP_ANONYMOUS_BOT.id && user.id !== CHANNEL_BOT.id) this.users.set(user.id, user);
  }

  private resolveInputChat(chat: Chat | number | undefined, from: User): Chat {
    if (typeof chat === "object") return chat;
    if (chat !== undefined && chat !== from.id) return this.requireChat(chat).chat;
    const known = this.chats.get(from.id);
    if (known !== undefined) return known.chat;
    return {
      id: from.id,
      type: "private",
      first_name: from.first_name,
      ...(from.last_name !== undefined && { last_name: from.last_name }),
      ...(from.username !== undefined && { username: from.username }),
    };
  }

  private placeholderFor(senderChat: Chat, chat: Chat | number | undefined): User {
    const chatId = typeof chat === "object" ? chat.id : chat;
    return senderChat.id === chatId ? GROUP_ANONYMOUS_BOT : CHANNEL_BOT;
  }

  private replyTarget(state: ChatState, messageId: number): ReplyMessage {
    const target = state.messages.get(messageId);
    if (target === undefined || target.deleted) throw new Error(`replyTo: no message ${messageId} in chat ${state.chat.id}`);
    return asReply(target.message);
  }

  /** Privacy mode: commands, replies to the bot and mentions only; admins see everything. */
  private visibleToBot(state: ChatState, message: Message): boolean {
    if (this.options.privacyMode !== true) return true;
    if (state.chat.type !== "group" && state.chat.type !== "supergroup") return true;
    if (state.botStatus === "administrator" || state.botStatus === "creator") return true;
    const text = message.text ?? "";
    const me = this.botInfo.username.toLowerCase();
    for (const e of message.entities ?? []) {
      const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
      if (e.type === "bot_command" && (!part.includes("@") || part.endsWith(`@${me}`))) return true;
      if (e.type === "mention" && part === `@${me}`) return true;
    }
    return message.reply_to_message?.from?.id === this.botInfo.id;
  }

  private applyBotStatus(state: ChatState, status: ChatMemberStatus): void {
    if (state.chat.type === "private") {
      state.blocked = status === "kicked";
      return;
    }
    state.botStatus = status;
  }

  private ingest(partial: Omit<Update, "update_id">): void {
    const messages = [partial.message, partial.edited_message, partial.channel_post, partial.edited_channel_post];
    for (const message of messages) {
      if (message === undefined) continue;
      const state = this.registerChat(message.chat);
      if (message.from !== undefined) this.rememberUser(message.from);
      state.messages.set(message.message_id, { message, fromBot: message.from?.id === this.botInfo.id, deleted: false });
      state.nextMessageId = Math.max(state.nextMessageId, message.message_id + 1);
    }
    if (partial.callback_query !== undefined) {
      this.rememberUser(partial.callback_query.from);
      if (!this.callbackQueries.has(partial.callback_query.id)) {
        this.callbackQueries.set(partial.callback_query.id, { answered: false, createdAt: Date.now() });
      }
    }
    if (partial.inline_query !== undefined) {
      this.rememberUser(partial.inline_query.from);
      if (!this.inlineQueries.has(partial.inline_query.id)) {
        this.inlineQueries.set(partial.inline_query.id, { answered: false, createdAt: Date.now() });
      }
    }
    const member = partial.my_chat_member;
    if (member !== undefined) {
      this.rememberUser(member.from);
      this.applyBotStatus(this.registerChat(member.chat), member.new_chat_member.status);
    }
  }

  private nextQueryId(): string {
    return String(4_000_000_000_000_000 + ++this.counter);
  }

  /** A chat_id argument (number or "@username") as a chat id; "chat not found" otherwise. */
  private chatIdFrom(raw: unknown): number {
    if (raw === undefined || raw === null || raw === "") throw badRequest("chat_id is empty");
    if (typeof raw === "number" && Number.isInteger(raw)) return raw;
    if (typeof raw === "string") {
      if (/^-?\d+$/.test(raw.trim())) return Number(raw);
      if (raw.startsWith("@")) {
        const name = raw.slice(1).toLowerCase();
        for (const state of this.chats.values()) {
          if (state.chat.type !== "private" && state.chat.username?.toLowerCase() === name) return state.chat.id;
        }
      }
    }
    throw badRequest("chat not found");
  }

  private chatFor(p: Payload, access: "read" | "write"): ChatState {
    const chatId = this.chatIdFrom(p.chat_id);
    const state = this.chats.get(chatId);
    if (state === undefined) {
      if (this.users.has(chatId)) throw forbidden("bot can't initiate conversation with a user");
      throw badRequest("chat not found");
    }
    this.checkAccess(state, access);
    return state;
  }

  private checkAccess(state: ChatState, access: "read" | "write"): void {
    const { chat } = state;
    if (state.migratedTo !== undefined && access === "write") {
      throw badRequest("group chat was upgraded to a supergroup chat", { migrate_to_chat_id: state.migratedTo });
    }
    if (chat.type === "private") {
      if (access === "read") return;
      if (state.deactivated) throw forbidden("user is deactivated");
      if (state.blocked) throw forbidden("bot was blocked by the user");
      return;
    }
    const kind = chat.type === "group" ? "group" : chat.type === "supergroup" ? "supergroup" : "channel";
    if (state.botStatus === "kicked") throw forbidden(`bot was kicked from the ${kind} chat`);
    if (state.botStatus === "left") throw forbidden(`bot is not a member of the ${kind} chat`);
    if (chat.type === "channel" && access === "write" && state.botStatus !== "administrator" && state.botStatus !== "creator") {
      throw badRequest("need administrator rights in the channel chat");
    }
  }

  private messageIdArg(p: Payload): number {
    const id = optInt(p, "message_id");
    if (id === undefined || id <= 0) throw badRequest("message identifier is not specified");
    return id;
  }

  private entitiesArg(p: Payload): unknown {
    return optJson(p, "entities", () => badRequest("can't parse entities JSON object"));
  }

  private recordSent(entry: Omit<SentMessage, "seq" | "at">): void {
    this.sent.push({ seq: ++this.lastSeq, at: Date.now(), ...entry });
  }

  // -------------------------------------------------------------------------------------------
  // Methods

  private buildHandlers(): Map<string, [string, Handler]> {
    const table: Record<string, Handler> = {
      getMe: () => this.botInfo,
      logOut: () => true,
      close: () => true,
      getUpdates: (p, signal) => this.getUpdates(p, signal),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => this.deleteWebhook(p),
      getWebhookInfo: () => this.getWebhookInfo(),
      sendMessage: (p) => this.sendMessage(p),
      editMessageText: (p) => this.editMessage(p, "editMessageText"),
      editMessageReplyMarkup: (p) => this.editMessage(p, "editMessageReplyMarkup"),
      deleteMessage: (p) => this.deleteMessage(p),
      sendChatAction: (p) => this.sendChatAction(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      answerInlineQuery: (p) => this.answerInlineQuery(p),
      getChat: (p) => this.getChat(p),
      getChatMember: (p) => this.getChatMember(p),
      getChatAdministrators: (p) => this.getChatAdministrators(p),
      leaveChat: (p) => {
        const state = this.chatFor(p, "read");
        if (state.chat.type !== "private") state.botStatus = "left";
        return true;
      },
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commands.get(this.commandsKey(p)) ?? [],
      deleteMyCommands: (p) => {
        this.commands.delete(this.commandsKey(p));
        return true;
      },
      setChatMenuButton: (p) => {
        const key = p.chat_id === undefined ? "default" : String(this.chatIdFrom(p.chat_id));
        const button = optJson(p, "menu_button", () => badRequest("can't parse menu button JSON object"));
        if (button !== undefined && (!isObject(button) || typeof button.type !== "string")) {
          throw badRequest('can\'t parse menu button: Field "type" must be of type String');
        }
        this.menuButtons.set(key, button ?? { type: "default" });
        return true;
      },
      getChatMenuButton: (p) => {
        const key = p.chat_id === undefined ? "default" : String(this.chatIdFrom(p.chat_id));
        return this.menuButtons.get(key) ?? { type: "default" };
      },
      setMyDescription: (p) => this.setBotText(p, "description", 512),
      getMyDescription: (p) => ({ description: this.botTexts.get(`description|${optString(p, "language_code") ?? ""}`) ?? "" }),
      setMyShortDescription: (p) => this.setBotText(p, "short_description", 120),
      getMyShortDescription: (p) => ({
        short_description: this.botTexts.get(`short_description|${optString(p, "language_code") ?? ""}`) ?? "",
      }),
      setMyName: (p) => this.setBotText(p, "name", 64),
      getMyName: (p) => ({ name: this.botTexts.get(`name|${optString(p, "language_code") ?? ""}`) ?? this.botInfo.first_name }),
    };
    return new Map(Object.entries(table).map(([name, handler]) => [name.toLowerCase(), [name, handler]]));
  }

  private sendMessage(p: Payload): Message {
    const text = optString(p, "text");
    const parseMode = optString(p, "parse_mode");
    const formatted = formatText(text, parseMode, this.entitiesArg(p), this.mode);
    const markup = parseReplyMarkup(p.reply_markup, this.mode);
    const state = this.chatFor(p, "write");
    const reply = this.replyForSend(state, p);
    const threadId = optInt(p, "message_thread_id");
    const message: Message = {
      message_id: state.nextMessageId++,
      from: this.botUser,
      chat: state.chat,
      date: nowSeconds(),
      ...(threadId !== undefined && { message_thread_id: threadId }),
      ...(reply !== undefined && { reply_to_message: reply }),
      text: formatted.plain,
      ...(formatted.entities.length > 0 && { entities: formatted.entities }),
      ...(markup?.kind === "inline" && { reply_markup: markup.markup }),
    };
    state.messages.set(message.message_id, {
      message,
      fromBot: true,
      deleted: false,
      source: { text: text ?? "", ...(parseMode !== undefined && { parseMode }) },
    });
    this.recordSent({
      kind: "message",
      method: "sendMessage",
      chatId: state.chat.id,
      messageId: message.message_id,
      text: text ?? "",
      ...(parseMode !== undefined && { parseMode }),
      plain: formatted.plain,
      entities: formatted.entities,
      ...(markup !== undefined && { replyMarkup: markup.markup }),
      ...(reply !== undefined && { replyToMessageId: reply.message_id }),
    });
    return message;
  }

  private replyForSend(state: ChatState, p: Payload): ReplyMessage | undefined {
    const params = optJson(p, "reply_parameters", () => badRequest("can't parse reply parameters JSON object"));
    let messageId: number | undefined;
    let allowWithout = optBool(p, "allow_sending_without_reply");
    if (isObject(params)) {
      if (params.chat_id !== undefined && this.chatIdFrom(params.chat_id) !== state.chat.id) return undefined;
      messageId = optInt(params, "message_id");
      allowWithout = optBool(params, "allow_sending_without_reply");
    } else {
      messageId = optInt(p, "reply_to_message_id");
    }
    if (messageId === undefined || messageId === 0) return undefined;
    const target = state.messages.get(messageId);
    if (target === undefined || target.deleted) {
      if (allowWithout) return undefined;
      throw badRequest("message to be replied not found");
    }
    return asReply(target.message);
  }

  private editMessage(p: Payload, method: "editMessageText" | "editMessageReplyMarkup"): Message | true {
    const text = optString(p, "text");
    const parseMode = optString(p, "parse_mode");
    const formatted =
      method === "editMessageText"
        ? formatText(text, parseMode, this.entitiesArg(p), this.mode)
        : undefined;
    const markup = parseReplyMarkup(p.reply_markup, this.mode);
    if (markup !== undefined && markup.kind !== "inline") throw badRequest("inline keyboard expected");
    const newMarkup = markup?.markup as InlineKeyboardMarkup | undefined;

    if ((p.chat_id === undefined || p.chat_id === "") && optInt(p, "message_id") === undefined) {
      return this.editInlineMessage(p, method, formatted, text, parseMode, newMarkup);
    }
    const state = this.chatFor(p, "write");
    const messageId = this.messageIdArg(p);
    const stored = state.messages.get(messageId);
    if (stored === undefined || stored.deleted) throw badRequest("message to edit not found");
    if (!stored.fromBot) throw badRequest("message can't be edited");
    const current = stored.message;
    const next = formatted ?? { plain: current.text ?? "", entities: current.entities ?? [] };
    const unchanged =
      next.plain === (current.text ?? "") &&
      JSON.stringify(next.entities) === JSON.stringify(current.entities ?? []) &&
      JSON.stringify(newMarkup ?? null) === JSON.stringify(current.reply_markup ?? null);
    if (unchanged) {
      throw badRequest(NOT_MODIFIED);
    }
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    const { reply_markup: _old, entities: _oldEntities, ...rest } = current;
    const edited: Message = {
      ...rest,
      text: next.plain,
      ...(next.entities.length > 0 && { entities: next.entities }),
      ...(newMarkup !== undefined && { reply_markup: newMarkup }),
      edit_date: nowSeconds(),
    };
    if (formatted !== undefined) stored.source = { text: text ?? "", ...(parseMode !== undefined && { parseMode }) };
    stored.message = edited;
    const source = stored.source ?? { text: next.plain };
    this.recordSent({
      kind: "edit",
      method,
      chatId: state.chat.id,
      messageId,
      text: source.text,
      ...(source.parseMode !== undefined && { parseMode: source.parseMode }),
      plain: next.plain,
      entities: next.entities,
      ...(newMarkup !== undefined && { replyMarkup: newMarkup }),
    });
    return edited;
  }

  private editInlineMessage(
    p: Payload,
    method: "editMessageText" | "editMessageReplyMarkup",
    formatted: FormattedText | undefined,
    text: string | undefined,
    parseMode: string | undefined,
    newMarkup: InlineKeyboardMarkup | undefined,
  ): true {
    const id = optString(p, "inline_message_id");
    if (id === undefined || id === "") throw badRequest("message identifier is not specified");
    const inline = this.inlineMessages.get(id);
    if (inline === undefined) throw badRequest("MESSAGE_ID_INVALID");
    const next = formatted ?? inline.formatted;
    const unchanged =
      next.plain === inline.formatted.plain &&
      JSON.stringify(next.entities) === JSON.stringify(inline.formatted.entities) &&
      JSON.stringify(newMarkup ?? null) === JSON.stringify(inline.replyMarkup ?? null);
    if (unchanged) {
      throw badRequest(NOT_MODIFIED);
    }
    if (formatted !== undefined) {
      inline.text = text ?? "";
      if (parseMode !== undefined) inline.parseMode = parseMode;
      else delete inline.parseMode;
      inline.formatted = formatted;
    }
    if (newMarkup !== undefined) inline.replyMarkup = newMarkup;
    else delete inline.replyMarkup;
    this.recordSent({
      kind: "edit",
      method,
      inlineMessageId: id,
      text: inline.text,
      ...(inline.parseMode !== undefined && { parseMode: inline.parseMode }),
      plain: next.plain,
      entities: next.entities,
      ...(newMarkup !== undefined && { replyMarkup: newMarkup }),
    });
    return true;
  }

  private deleteMessage(p: Payload): true {
    const state = this.chatFor(p, "write");
    const messageId = this.messageIdArg(p);
    const stored = state.messages.get(messageId);
    if (stored === undefined || stored.deleted) throw badRequest("message to delete not found");
    stored.deleted = true;
    return true;
  }

  private sendChatAction(p: Payload): true {
    const action = optString(p, "action") ?? "";
    const known = [
      "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
      "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    ];
    if (!known.includes(action)) throw badRequest("wrong parameter action in request");
    this.chatFor(p, "write");
    return true;
  }

  private answerCallbackQuery(p: Payload): true {
    const id = optString(p, "callback_query_id") ?? "";
    const query = this.callbackQueries.get(id);
    const ttl = this.options.callbackQueryTtlMs ?? 15_000;
    if (query === undefined || query.answered || Date.now() - query.createdAt > ttl) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    const text = optString(p, "text");
    if (text !== undefined && [...text].length > 200) throw badRequest("MESSAGE_TOO_LONG");
    query.answered = true;
    return true;
  }

  private answerInlineQuery(p: Payload): true {
    const id = optString(p, "inline_query_id") ?? "";
    const results = optJson(p, "results", () => badRequest("can't parse JSON encoded inline query results"));
    const parsed = parseInlineResults(results, this.mode);
    const nextOffset = optString(p, "next_offset");
    validateNextOffset(nextOffset);
    const button = optJson(p, "button", () => badRequest("can't parse inline query results button JSON object"));
    validateResultsButton(button);
    const query = this.inlineQueries.get(id);
    if (query === undefined || query.answered) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    query.answered = true;
    const cacheTime = optInt(p, "cache_time");
    this.inlineAnswers.push({
      seq: ++this.lastSeq,
      inlineQueryId: id,
      results: parsed.results,
      ...(nextOffset !== undefined && { nextOffset }),
      ...(cacheTime !== undefined && { cacheTime }),
      isPersonal: optBool(p, "is_personal"),
      ...(button !== undefined && { button }),
    });
    for (const article of parsed.articles) {
      this.inlineArticles.set(article.id, article);
      this.recordSent({
        kind: "inline",
        method: "answerInlineQuery",
        inlineQueryId: id,
        resultId: article.id,
        text: article.text,
        ...(article.parseMode !== undefined && { parseMode: article.parseMode }),
        plain: article.formatted.plain,
        entities: article.formatted.entities,
        ...(article.replyMarkup !== undefined && { replyMarkup: article.replyMarkup }),
      });
    }
    return true;
  }

  private getChat(p: Payload): Record<string, unknown> {
    const state = this.chatFor(p, "read");
    return {
      ...state.chat,
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
    };
  }

  private getChatMember(p: Payload): ChatMember {
    const state = this.chatFor(p, "read");
    const userId = optInt(p, "user_id");
    if (userId === undefined || userId <= 0) throw badRequest("invalid user_id specified");
    if (userId === this.botInfo.id) {
      return chatMember(this.botUser, state.chat.type === "private" ? "member" : state.botStatus);
    }
    const user = this.users.get(userId);
    if (user === undefined) throw badRequest("user not found");
    if (state.chat.type === "private") return chatMember(user, state.chat.id === userId ? "member" : "left");
    return chatMember(user, state.members.get(userId) ?? "member");
  }

  private getChatAdministrators(p: Payload): ChatMember[] {
    const state = this.chatFor(p, "read");
    if (state.chat.type === "private") throw badRequest("there are no administrators in the private chat");
    const admins: ChatMember[] = [];
    for (const [userId, status] of state.members) {
      const user = this.users.get(userId);
      if (user !== undefined && (status === "creator" || status === "administrator")) admins.push(chatMember(user, status));
    }
    if (state.botStatus === "administrator" || state.botStatus === "creator") {
      admins.push(chatMember(this.botUser, state.botStatus));
    }
    return admins;
  }

  private commandsKey(p: Payload): string {
    const scope = optJson(p, "scope", () => badRequest("can't parse BotCommandScope JSON object"));
    const key = commandScopeKey(scope, (id) => {
      const chatId = this.chatIdFrom(id);
      if (!this.chats.has(chatId)) throw badRequest("chat not found");
      return chatId;
    });
    return `${key}|${validateLanguageCode(optString(p, "language_code"))}`;
  }

  private setMyCommands(p: Payload): true {
    const commands = parseBotCommands(optJson(p, "commands", () => badRequest("can't parse commands JSON object")));
    const key = this.commandsKey(p);
    if (commands.length === 0) this.commands.delete(key);
    else this.commands.set(key, commands);
    return true;
  }

  private setBotText(p: Payload, field: string, max: number): true {
    const value = optString(p, field) ?? "";
    if ([...value].length > max) throw badRequest(`${field.replace("_", " ")} is too long`);
    const key = `${field}|${validateLanguageCode(optString(p, "language_code"))}`;
    if (value === "") this.botTexts.delete(key);
    else this.botTexts.set(key, value);
    return true;
  }
}

/** Throws unless the keyboard has a button with this callback data. */
function requireButton(markup: InlineKeyboardMarkup | undefined, callbackData: string, where: string): void {
  const buttons = markup?.inline_keyboard.flat() ?? [];
  const data = buttons.flatMap((b) => ("callback_data" in b && typeof b.callback_data === "string" ? [b.callback_data] : []));
  if (!data.includes(callbackData)) {
    throw new Error(`${where} has no button with callback_data ${JSON.stringify(callbackData)} (buttons: ${JSON.stringify(data)})`);
  }
}

/** A message as it appears in reply_to_message: Telegram does not nest replies. */
function asReply(message: Message): ReplyMessage {
  const { reply_to_message: _nested, ...flat } = structuredClone(message);
  return flat as ReplyMessage;
}

function errorOutcome(error: ApiError): Outcome {
  return { kind: "error", error: error.toBody() };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(500, `Internal Server Error: ${message}`);
}
