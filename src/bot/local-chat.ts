/**
 * The local chat: the real bot (createBot, the same features) answering in this terminal, with no
 * BOT_TOKEN and no network. An API transformer stands in for Telegram: it never calls the next
 * transformer, so nothing reaches api.telegram.org, and it answers every call as Telegram would
 * (sendMessage gives a Message with the HTML parsed into entities, editMessageText the edited one,
 * broken HTML a 400 "can't parse entities"). The user's lines become updates: messages of a private
 * chat, button presses (a button's number) as callback queries, `/inline words` as inline queries.
 * `/press <callback_data>` presses a button that is not on screen (a stale or forged one).
 *
 * Interactive when the input is a terminal (prompt, history, ANSI styles); otherwise scripted: one
 * message per line, each echoed as "> line" before the replies, plain deterministic text, and the
 * function returns at the end of the input. Logs go to the logger (stderr); the chat goes to output.
 */
import { createInterface, type Interface } from "node:readline";
import { BotError, type Bot } from "grammy";
import type {
  CallbackQuery,
  Chat,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  InlineQueryResult,
  InlineQueryResultsButton,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import type { BotContext, BotDeps } from "./context.js";
import { createBot } from "./create-bot.js";
import { describeError } from "./errors.js";
import { MESSAGE_LIMIT } from "./html.js";

export interface LocalChatOptions {
  readonly deps: BotDeps;
  /** Where the user's lines come from; process.stdin by default. */
  readonly input?: NodeJS.ReadableStream;
  /** Where the chat is shown; process.stdout by default. */
  readonly output?: NodeJS.WritableStream;
  /** Prompt and history; by default when the input is a terminal. */
  readonly interactive?: boolean;
  /** ANSI styles; by default when interactive, the output is a terminal and NO_COLOR is unset. */
  readonly color?: boolean;
  /** Sends /start first, as a Telegram user opening the bot does; by default when interactive. */
  readonly start?: boolean;
  /** The fake Telegram user who chats. */
  readonly user?: { readonly id?: number; readonly first_name?: string; readonly last_name?: string; readonly username?: string };
  /** The user's Telegram language ("vi" by default; "en" gets the English strings). */
  readonly languageCode?: string;
}

/** The bot as getMe would describe it; the local chat never asks Telegram. */
export const LOCAL_BOT_INFO: UserFromGetMe = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: "Hỏi báo",
  username: "hoibao_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

const PROMPT = "bạn> ";

export async function runLocalChat(options: LocalChatOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = options.interactive ?? Boolean((input as { isTTY?: boolean }).isTTY);
  const outputIsTty = Boolean((output as { isTTY?: boolean }).isTTY);
  const color = options.color ?? (interactive && outputIsTty && !process.env.NO_COLOR);
  const chat = new LocalChat(options.deps, output, {
    interactive,
    color,
    // Wrapped (keeping the quote bar) only for a person at a terminal; a pipe gets one line per paragraph.
    width: () => (outputIsTty ? (output as { columns?: number }).columns : undefined),
    user: { id: 10_001, first_name: "Bạn", username: "ban_doc", ...options.user },
    languageCode: options.languageCode ?? "vi",
  });
  // Start-up logs written by a logger thread (pino-pretty) would otherwise land in the banner.
  if (interactive) {
    await new Promise<void>((resolve) => options.deps.logger.flush(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  chat.banner();

  if (!interactive) {
    const lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
    try {
      if (options.start) await chat.handleLine("/start");
      for await (const line of lines) {
        if ((await chat.handleLine(line)) === "quit") break;
      }
    } finally {
      lines.close();
    }
    return;
  }

  const rl = createInterface({ input, output, terminal: outputIsTty, prompt: PROMPT, historySize: 200, crlfDelay: Infinity });
  rl.on("SIGINT", () => rl.close()); // Ctrl-C leaves, as Ctrl-D does
  const closed = new Promise<void>((resolve) => rl.once("close", resolve));
  const how = await converse(rl, chat, closed, options.start ?? true ? ["/start"] : []);
  if (how === "closed") chat.print(); // Ctrl-D or Ctrl-C left the cursor after the prompt
  chat.print(chat.dim("Tạm biệt! (local chat closed)"));
}

/**
 * Reads lines one at a time: each is handled completely (its replies shown) before the next prompt.
 * `typed` lines are handled first, shown as if the user had typed them.
 */
async function converse(rl: Interface, chat: LocalChat, closed: Promise<void>, typed: readonly string[]): Promise<"quit" | "closed"> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  rl.on("line", (line) => {
    queue.push(line);
    wake?.();
  });
  void closed.then(() => {
    ended = true;
    wake?.();
  });
  for (const line of typed) {
    chat.print(`${chat.dim(PROMPT)}${line}`);
    if ((await chat.handleLine(line)) === "quit") {
      rl.close();
      return "quit";
    }
  }
  rl.prompt();
  for (;;) {
    const line = queue.shift();
    if (line === undefined) {
      if (ended) return "closed";
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    if ((await chat.handleLine(line)) === "quit") {
      rl.close();
      return "quit";
    }
    if (ended && queue.length === 0) return "closed";
    rl.prompt();
  }
}

// ---------------------------------------------------------------------------------------------
// The session: fake Telegram on one side, the terminal on the other.

interface SessionSettings {
  readonly interactive: boolean;
  readonly color: boolean;
  readonly width: () => number | undefined;
  readonly user: Omit<User, "is_bot" | "language_code">;
  readonly languageCode: string;
}

/** Something the user can pick by number: a button, an inline result, an inline "results button". */
type Choice =
  | { readonly kind: "button"; readonly button: InlineKeyboardButton; readonly messageId?: number; readonly inlineMessageId?: string }
  | { readonly kind: "result"; readonly result: InlineQueryResult; readonly query: string }
  | { readonly kind: "results-button"; readonly button: InlineQueryResultsButton };

/** A message posted by the user via inline mode, which the bot may edit by inline_message_id. */
interface InlineMessage {
  text: string;
  entities: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

type ApiResult = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };

/** A message of the private chat (Telegram's types allow any chat). */
type ChatMessage = Message & Update.NonChannel;

const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

class LocalChat {
  private readonly bot: Bot<BotContext>;
  private readonly chat: Chat.PrivateChat;
  private user: User;
  /** Every message of the chat (the user's and the bot's), by id. */
  private readonly messages = new Map<number, ChatMessage>();
  private readonly inlineMessages = new Map<string, InlineMessage>();
  private readonly inlineAnswers = new Map<string, { results: InlineQueryResult[]; button?: InlineQueryResultsButton }>();
  private readonly answeredCallbacks = new Set<string>();
  private commands: unknown[] = [];
  private nextMessageId = 1;
  private nextUpdateId = 1;
  private nextQueryId = 1;
  /** The numbered choices currently on screen, and those being shown during this turn. */
  private choices: Choice[] = [];
  private turnChoices: Choice[] = [];

  constructor(
    private readonly deps: BotDeps,
    private readonly output: NodeJS.WritableStream,
    private readonly settings: SessionSettings,
  ) {
    this.user = { ...settings.user, is_bot: false, language_code: settings.languageCode };
    this.chat = {
      id: this.user.id,
      type: "private",
      first_name: this.user.first_name,
      ...(this.user.last_name ? { last_name: this.user.last_name } : {}),
      ...(this.user.username ? { username: this.user.username } : {}),
    };
    // No retries (nothing can fail in transit) and no flood limit (one person at a keyboard).
    const { bot } = createBot("0:LOCAL-CHAT-NO-TOKEN", deps, { botInfo: LOCAL_BOT_INFO, rateLimit: false, maxRetries: 0 });
    // Installed last, so it is the outermost transformer; it never calls `prev`: no request leaves.
    bot.api.config.use(async (_prev, method, payload) => this.fakeApi(method, payload as Record<string, unknown>) as Awaited<ReturnType<typeof _prev>>);
    this.bot = bot;
  }

  // ---- terminal output ----------------------------------------------------------------------

  print(line = ""): void {
    this.output.write(`${line}\n`);
  }

  private sgr(codes: string, text: string, reset: string): string {
    return this.settings.color ? `\x1b[${codes}m${text}\x1b[${reset}m` : text;
  }

  dim(text: string): string {
    return this.sgr("2", text, "22");
  }

  private bold(text: string): string {
    return this.sgr("1", text, "22");
  }

  banner(): void {
    const k = this.deps.knowledge;
    const b = this.bold.bind(this);
    this.print(b("Hỏi báo — local chat") + " (no BOT_TOKEN): the real bot, answering in this terminal; nothing is sent to Telegram.");
    this.print(`Knowledge base: ${k.articles.length} ${k.articles.length === 1 ? "article" : "articles"}, ${k.passageCount} ${k.passageCount === 1 ? "passage" : "passages"}.`);
    this.print("Type a question (Vietnamese with or without tone marks, or English), or /start /help /questions /article.");
    this.print("Type a button's number (1 or #1) to press it; /inline <words> tries inline mode; /lang en|vi; /quit or Ctrl-D to leave.");
    this.print("To run on Telegram: get a token from @BotFather, put BOT_TOKEN=<token> in .env, then npm start.");
    this.print();
  }

  private header(text: string): void {
    this.print(this.settings.color ? `\x1b[1;36m${text}\x1b[0m` : text);
  }

  /** A message as the user sees it: text rendered, then its buttons numbered. */
  private showMessage(title: string, text: string, entities: readonly MessageEntity[], markup: InlineKeyboardMarkup | undefined, source: { messageId?: number; inlineMessageId?: string }): void {
    this.header(title);
    const width = this.settings.width();
    for (const line of renderEntities(text, entities, { color: this.settings.color, ...(width ? { width: Math.min(width, 100) - 2 } : {}) })) {
      this.print(line ? `  ${line}` : "");
    }
    if (markup) this.showButtons(markup, source);
  }

  private showButtons(markup: InlineKeyboardMarkup, source: { messageId?: number; inlineMessageId?: string }): void {
    for (const row of markup.inline_keyboard) {
      const cells = row.map((button) => {
        this.turnChoices.push({ kind: "button", button, ...source });
        return `${this.bold(`[${this.turnChoices.length}]`)} ${button.text}${"url" in button && button.url ? " ↗" : ""}`;
      });
      if (cells.length) this.print(`  ${cells.join("  ")}`);
    }
  }

  private note(text: string): void {
    this.print(`  ${this.dim(text)}`);
  }

  // ---- the user's side ------------------------------------------------------------------------

  /** Handles one line typed by the user, completely; "quit" when the user leaves. */
  async handleLine(raw: string): Promise<"quit" | undefined> {
    const line = raw.trim();
    if (!line) return undefined;
    if (!this.settings.interactive) this.print(`> ${line}`);
    this.turnChoices = [];
    try {
      if (/^\/(quit|exit)(@\w+)?$/i.test(line)) return "quit";
      await this.dispatch(line);
    } finally {
      if (this.turnChoices.length) this.choices = this.turnChoices;
      this.print();
    }
    return undefined;
  }

  private async dispatch(line: string): Promise<void> {
    const inline = /^\/inline(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(line);
    if (inline) return this.inlineQuery((inline[1] ?? "").trim(), `🔎 Inline mode: @${LOCAL_BOT_INFO.username} ${(inline[1] ?? "").trim()}`.trimEnd());
    const lang = /^\/lang(?:\s+(\S+))?$/i.exec(line);
    if (lang) {
      if (lang[1]) this.user = { ...this.user, language_code: lang[1] };
      return this.note(`(your Telegram language is now "${this.user.language_code ?? ""}")`);
    }
    const forged = /^\/press\s+(\S+)$/i.exec(line);
    if (forged) return this.press(forged[1]!, { kind: "button", button: { text: forged[1]!, callback_data: forged[1]! }, ...this.lastBotMessage() });
    const number = /^(#)?(\d{1,3})$/.exec(line);
    if (number && (number[1] || this.choices.length > 0)) return this.choose(Number(number[2]));
    await this.sendText(line);
  }

  private async choose(n: number): Promise<void> {
    const choice = this.choices[n - 1];
    if (!choice) {
      this.note(this.choices.length ? `(no button ${n}: the buttons on screen are 1–${this.choices.length})` : "(there are no buttons to press)");
      return;
    }
    if (choice.kind === "result") return this.postInlineResult(choice.result, choice.query);
    if (choice.kind === "results-button") {
      const param = choice.button.start_parameter;
      this.note(`(pressed “${choice.button.text}”)`);
      if (param) return this.openDeepLink(param);
      return this.note("(a Web App button: not available in the local chat)");
    }
    const { button } = choice;
    this.note(`(pressed “${button.text}”)`);
    if ("callback_data" in button) return this.press(button.callback_data, choice);
    if ("url" in button) {
      this.note(`🔗 ${button.url}`);
      const deepLink = new RegExp(`^https?://t\\.me/${LOCAL_BOT_INFO.username}\\?start=([A-Za-z0-9_-]{1,64})$`, "i").exec(button.url);
      if (deepLink) await this.openDeepLink(deepLink[1]!);
      return;
    }
    if ("switch_inline_query" in button) {
      return this.inlineQuery(
        button.switch_inline_query,
        `📤 Share: Telegram asks which chat to share in, then types “@${LOCAL_BOT_INFO.username} ${button.switch_inline_query}” there. Inline mode offers:`,
      );
    }
    if ("switch_inline_query_current_chat" in button) {
      return this.inlineQuery(button.switch_inline_query_current_chat, `🔎 Inline mode in this chat: @${LOCAL_BOT_INFO.username} ${button.switch_inline_query_current_chat}`);
    }
    if ("switch_inline_query_chosen_chat" in button) {
      const query = button.switch_inline_query_chosen_chat.query ?? "";
      return this.inlineQuery(query, `📤 Telegram asks which chat, then types “@${LOCAL_BOT_INFO.username} ${query}” there. Inline mode offers:`);
    }
    if ("copy_text" in button) return this.note(`(copied to the clipboard: ${button.copy_text.text})`);
    this.note("(this kind of button is not available in the local chat)");
  }

  /** The newest message of the bot, which a forged press (/press data) is made on. */
  private lastBotMessage(): { messageId?: number } {
    const ids = [...this.messages.values()].filter((m) => m.from?.id === LOCAL_BOT_INFO.id).map((m) => m.message_id);
    return ids.length ? { messageId: Math.max(...ids) } : {};
  }

  /** A t.me deep link to this bot: Telegram opens the chat and sends /start with the payload. */
  private async openDeepLink(payload: string): Promise<void> {
    this.note(`(Telegram opens the chat with @${LOCAL_BOT_INFO.username} and sends /start ${payload})`);
    await this.sendText(`/start ${payload}`);
  }

  private async sendText(text: string): Promise<void> {
    const message: ChatMessage = {
      message_id: this.nextMessageId++,
      date: now(),
      chat: this.chat,
      from: this.user,
      text,
      ...withEntities(userEntities(text)),
    };
    this.messages.set(message.message_id, message);
    await this.deliver({ update_id: this.nextUpdateId++, message });
  }

  private async press(data: string, choice: Extract<Choice, { kind: "button" }>): Promise<void> {
    const id = String(this.nextQueryId++);
    const message = choice.messageId === undefined ? undefined : this.messages.get(choice.messageId);
    const callback_query: CallbackQuery = {
      id,
      from: this.user,
      chat_instance: `local-${this.chat.id}`,
      data,
      ...(message ? { message } : {}),
      ...(choice.inlineMessageId ? { inline_message_id: choice.inlineMessageId } : {}),
    };
    await this.deliver({ update_id: this.nextUpdateId++, callback_query });
    if (!this.answeredCallbacks.has(id)) this.note("(the bot did not call answerCallbackQuery: Telegram would keep a spinner on the button)");
  }

  private async inlineQuery(query: string, title: string): Promise<void> {
    const id = String(this.nextQueryId++);
    this.header(title);
    await this.deliver({ update_id: this.nextUpdateId++, inline_query: { id, from: this.user, query, offset: "", chat_type: "private" } });
    const answer = this.inlineAnswers.get(id);
    if (!answer) return this.note("(the bot did not answer the inline query: Telegram would show nothing)");
    if (answer.results.length === 0) this.note("(no results)");
    for (const result of answer.results) {
      this.turnChoices.push({ kind: "result", result, query });
      const { title: name, description } = describeResult(result);
      this.print(`  ${this.bold(`[${this.turnChoices.length}]`)} ${name}`);
      if (description) this.print(`      ${this.dim(description.replace(/\s+/g, " "))}`);
    }
    if (answer.button) {
      this.turnChoices.push({ kind: "results-button", button: answer.button });
      this.print(`  ${this.bold(`[${this.turnChoices.length}]`)} ${answer.button.text}`);
    }
    if (answer.results.length) this.note("(type a result's number to post it)");
  }

  /** What choosing an inline result posts in the chosen chat (the bot is not told, so no update). */
  private postInlineResult(result: InlineQueryResult, query: string): void {
    const content = "input_message_content" in result ? result.input_message_content : undefined;
    if (!content || !("message_text" in content)) {
      this.note(`(a "${result.type}" result: not shown in the local chat)`);
      return;
    }
    const parsed = parseText(content.message_text, content.parse_mode, content.entities);
    if ("error" in parsed) {
      this.note(`(Telegram would refuse this result: ${parsed.error})`);
      return;
    }
    const inlineMessageId = `local-inline-${this.nextQueryId++}`;
    const markup = "reply_markup" in result ? result.reply_markup : undefined;
    this.inlineMessages.set(inlineMessageId, { ...parsed, ...(markup ? { reply_markup: markup } : {}) });
    this.showMessage(`📨 Posted by you via @${LOCAL_BOT_INFO.username} (“${clipLine(query, 40)}”) in the chosen chat:`, parsed.text, parsed.entities, markup, { inlineMessageId });
  }

  private async deliver(update: Update): Promise<void> {
    try {
      await this.bot.handleUpdate(update);
    } catch (error) {
      const cause = error instanceof BotError ? error.error : error;
      this.deps.logger.error({ update_id: update.update_id, error: describeError(cause) }, "update failed");
      this.note("⚠ (the bot failed on this update; the log on stderr says why)");
    }
  }

  // ---- Telegram's side ------------------------------------------------------------------------

  private fakeApi(method: string, payload: Record<string, unknown>): ApiResult {
    try {
      return { ok: true, result: this.call(method, payload) };
    } catch (error) {
      if (error instanceof ApiError) {
        this.deps.logger.debug({ method, code: error.code, description: error.message }, "local chat: Telegram would refuse this call");
        return { ok: false, error_code: error.code, description: error.message };
      }
      throw error;
    }
  }

  private call(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case "getMe":
        return LOCAL_BOT_INFO;
      case "sendMessage":
        return this.sendMessage(p);
      case "editMessageText":
        return this.editMessage(p, true);
      case "editMessageReplyMarkup":
        return this.editMessage(p, false);
      case "deleteMessage": {
        this.checkChat(p.chat_id);
        const id = Number(p.message_id);
        if (!this.messages.delete(id)) throw new ApiError(400, "Bad Request: message to delete not found");
        this.note(`(message #${id} deleted)`);
        return true;
      }
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id);
        if (this.answeredCallbacks.has(id)) throw new ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
        this.answeredCallbacks.add(id);
        if (typeof p.text === "string" && p.text) this.print(`  ${p.show_alert ? "⚠" : "ⓘ"} ${p.text}`);
        if (typeof p.url === "string") this.note(`🔗 ${p.url}`);
        return true;
      }
      case "answerInlineQuery":
        return this.answerInlineQuery(p);
      case "sendChatAction":
        this.checkChat(p.chat_id);
        return true;
      case "setMyCommands":
        this.commands = Array.isArray(p.commands) ? p.commands : [];
        return true;
      case "getMyCommands":
        return this.commands;
      case "getChat":
        this.checkChat(p.chat_id);
        return { ...this.chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
      case "getChatMember":
        this.checkChat(p.chat_id);
        return { status: "member", user: Number(p.user_id) === LOCAL_BOT_INFO.id ? LOCAL_BOT_INFO : this.user };
      case "getUpdates":
        return [];
      case "getWebhookInfo":
        return { url: "", has_custom_certificate: false, pending_update_count: 0 };
      default:
        // setWebhook, setMyDescription, setChatMenuButton…: accepted, and said so on stderr.
        this.deps.logger.warn({ method }, "local chat: this Bot API method is not simulated; pretending it succeeded");
        return true;
    }
  }

  private checkChat(chatId: unknown): void {
    if (String(chatId) !== String(this.chat.id)) throw new ApiError(400, "Bad Request: chat not found");
  }

  private sendMessage(p: Record<string, unknown>): ChatMessage {
    this.checkChat(p.chat_id);
    const parsed = parseText(String(p.text ?? ""), p.parse_mode as string | undefined, p.entities as MessageEntity[] | undefined);
    if ("error" in parsed) throw new ApiError(400, `Bad Request: ${parsed.error}`);
    const markup = inlineMarkup(p.reply_markup);
    const message: ChatMessage = {
      message_id: this.nextMessageId++,
      date: now(),
      chat: this.chat,
      from: LOCAL_BOT_INFO,
      text: parsed.text,
      ...withEntities(parsed.entities),
      ...(markup ? { reply_markup: markup } : {}),
    };
    this.messages.set(message.message_id, message);
    this.showMessage(`🤖 ${LOCAL_BOT_INFO.first_name}:`, message.text ?? "", message.entities ?? [], markup, { messageId: message.message_id });
    return message;
  }

  private editMessage(p: Record<string, unknown>, withText: boolean): ChatMessage | true {
    const markup = inlineMarkup(p.reply_markup);
    if (typeof p.inline_message_id === "string") {
      const posted = this.inlineMessages.get(p.inline_message_id);
      if (!posted) throw new ApiError(400, "Bad Request: MESSAGE_ID_INVALID");
      const parsed = withText ? parseText(String(p.text ?? ""), p.parse_mode as string | undefined, p.entities as MessageEntity[] | undefined) : posted;
      if ("error" in parsed) throw new ApiError(400, `Bad Request: ${parsed.error}`);
      const next: InlineMessage = { text: parsed.text, entities: parsed.entities, ...(markup ? { reply_markup: markup } : {}) };
      if (sameContent(posted, next)) throw new ApiError(400, NOT_MODIFIED);
      this.inlineMessages.set(p.inline_message_id, next);
      this.showMessage(`📨 (edited) your message via @${LOCAL_BOT_INFO.username}:`, next.text, next.entities, markup, { inlineMessageId: p.inline_message_id });
      return true;
    }
    this.checkChat(p.chat_id);
    const old = this.messages.get(Number(p.message_id));
    if (!old) throw new ApiError(400, "Bad Request: message to edit not found");
    if (old.from?.id !== LOCAL_BOT_INFO.id) throw new ApiError(400, "Bad Request: message can't be edited");
    const parsed = withText
      ? parseText(String(p.text ?? ""), p.parse_mode as string | undefined, p.entities as MessageEntity[] | undefined)
      : { text: old.text ?? "", entities: old.entities ?? [] };
    if ("error" in parsed) throw new ApiError(400, `Bad Request: ${parsed.error}`);
    const current: InlineMessage = { text: old.text ?? "", entities: old.entities ?? [], ...(old.reply_markup ? { reply_markup: old.reply_markup } : {}) };
    if (sameContent(current, { text: parsed.text, entities: parsed.entities, ...(markup ? { reply_markup: markup } : {}) })) throw new ApiError(400, NOT_MODIFIED);
    const { reply_markup: _old, entities: _entities, ...rest } = old;
    const edited: ChatMessage = { ...rest, text: parsed.text, ...withEntities(parsed.entities), ...(markup ? { reply_markup: markup } : {}), edit_date: now() };
    this.messages.set(edited.message_id, edited);
    this.showMessage(`🤖 ${LOCAL_BOT_INFO.first_name} (edited):`, edited.text ?? "", edited.entities ?? [], markup, { messageId: edited.message_id });
    return edited;
  }

  private answerInlineQuery(p: Record<string, unknown>): true {
    const results = (Array.isArray(p.results) ? p.results : []) as InlineQueryResult[];
    if (results.length > 50) throw new ApiError(400, "Bad Request: too many results specified");
    const ids = new Set<string>();
    for (const result of results) {
      if (Buffer.byteLength(result.id, "utf8") < 1 || Buffer.byteLength(result.id, "utf8") > 64) throw new ApiError(400, "Bad Request: RESULT_ID_INVALID");
      if (ids.has(result.id)) throw new ApiError(400, "Bad Request: RESULT_ID_DUPLICATE");
      ids.add(result.id);
      const content = "input_message_content" in result ? result.input_message_content : undefined;
      if (content && "message_text" in content) {
        const parsed = parseText(content.message_text, content.parse_mode, content.entities);
        if ("error" in parsed) throw new ApiError(400, `Bad Request: ${parsed.error}`);
      }
      if ("reply_markup" in result && result.reply_markup) inlineMarkup(result.reply_markup);
    }
    const button = p.button as InlineQueryResultsButton | undefined;
    this.inlineAnswers.set(String(p.inline_query_id), { results, ...(button ? { button } : {}) });
    return true;
  }
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
  ) {
    super(description);
  }
}

const now = (): number => Math.floor(Date.now() / 1000);

function withEntities(entities: MessageEntity[]): { entities?: MessageEntity[] } {
  return entities.length ? { entities } : {};
}

/** The entities Telegram adds to a typed message: a leading /command and @mentions. */
function userEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/.exec(text);
  if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(?<![\w@])@[A-Za-z0-9_]{3,32}/g)) {
    if (m.index === 0 && command) continue;
    entities.push({ type: "mention", offset: m.index, length: m[0].length });
  }
  return entities;
}

/** The inline keyboard of a reply_markup, checked as Telegram checks it (others are not shown). */
function inlineMarkup(markup: unknown): InlineKeyboardMarkup | undefined {
  if (!markup || typeof markup !== "object" || !("inline_keyboard" in markup)) return undefined;
  const keyboard = markup as InlineKeyboardMarkup;
  for (const row of keyboard.inline_keyboard) {
    for (const button of row) {
      if (!button.text) throw new ApiError(400, "Bad Request: BUTTON_TEXT_INVALID");
      if ("callback_data" in button) {
        const bytes = Buffer.byteLength(button.callback_data, "utf8");
        if (bytes < 1 || bytes > 64) throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
      }
      if ("url" in button && !/^(https?|tg):\/\/\S+$/i.test(button.url)) throw new ApiError(400, "Bad Request: BUTTON_URL_INVALID");
    }
  }
  return keyboard.inline_keyboard.some((row) => row.length > 0) ? keyboard : undefined;
}

function sameContent(a: InlineMessage, b: InlineMessage): boolean {
  return a.text === b.text && JSON.stringify(a.entities) === JSON.stringify(b.entities) && JSON.stringify(a.reply_markup ?? null) === JSON.stringify(b.reply_markup ?? null);
}

function describeResult(result: InlineQueryResult): { title: string; description?: string } {
  const title = "title" in result && typeof result.title === "string" ? result.title : `(${result.type} result ${result.id})`;
  const description = "description" in result && typeof result.description === "string" ? result.description : undefined;
  return description ? { title, description } : { title };
}

function clipLine(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Telegram HTML → text + entities, as the Bot API does it.

export interface ParsedText {
  readonly text: string;
  readonly entities: MessageEntity[];
}

/** A message text as Telegram stores it, or the Bot API's error (without "Bad Request: "). */
function parseText(text: string, parseMode: string | undefined, entities: MessageEntity[] | undefined): ParsedText | { error: string } {
  let parsed: ParsedText;
  if (parseMode === "HTML") {
    try {
      parsed = parseTelegramHtml(text);
    } catch (error) {
      if (error instanceof HtmlError) return { error: `can't parse entities: ${error.message}` };
      throw error;
    }
  } else if (parseMode) {
    return { error: `unsupported parse_mode in the local chat: ${parseMode}` };
  } else {
    parsed = { text, entities: entities ?? [] };
  }
  if (!parsed.text.trim()) return { error: "message text is empty" };
  if (parsed.text.length > MESSAGE_LIMIT) return { error: "message is too long" };
  return parsed;
}

export class HtmlError extends Error {}

const TAG_ENTITY: Record<string, MessageEntity["type"]> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  a: "text_link",
  "tg-emoji": "custom_emoji",
};

interface OpenTag {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly offset: number;
}

/**
 * Parses Telegram's HTML parse mode into plain text and entities (UTF-16 offsets), failing with
 * the Bot API's messages ("Unsupported start tag", "Can't find end tag …") where Telegram fails.
 */
export function parseTelegramHtml(html: string): ParsedText {
  const byteOffset = (i: number): number => Buffer.byteLength(html.slice(0, i), "utf8");
  let text = "";
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === "&") {
      const entity = /^&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));?/.exec(html.slice(i, i + 12));
      const code = entity ? (entity[1] ? { lt: 60, gt: 62, amp: 38, quot: 34 }[entity[1] as "lt"] : entity[2] ? Number(entity[2]) : parseInt(entity[3]!, 16)) : 0;
      if (entity && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        text += String.fromCodePoint(code);
        i += entity[0].length;
      } else {
        text += "&"; // an unknown entity stays as typed, as in Telegram
        i += 1;
      }
      continue;
    }
    if (c !== "<") {
      text += c;
      i += 1;
      continue;
    }
    const end = tagEnd(html, i);
    if (end < 0) throw new HtmlError(`Unclosed start tag at byte offset ${byteOffset(i)}`);
    const inner = html.slice(i + 1, end);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open) throw new HtmlError(`Unexpected end tag at byte offset ${byteOffset(i)}`);
      if (open.name !== name) throw new HtmlError(`Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${open.name}>", found "</${name}>"`);
      const entity = toEntity(open, text.length - open.offset, text.slice(open.offset));
      if (entity) entities.push(entity);
    } else {
      const match = /^([A-Za-z][A-Za-z0-9-]*)([\s\S]*)$/.exec(inner);
      const name = match?.[1]?.toLowerCase();
      if (!match || !name || !(name in TAG_ENTITY)) {
        throw new HtmlError(`Unsupported start tag "${name ?? inner}" at byte offset ${byteOffset(i)}`);
      }
      const attributes = parseAttributes(match[2]!);
      if (name === "span" && attributes.get("class") !== "tg-spoiler") throw new HtmlError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(i)}`);
      stack.push({ name, attributes, offset: text.length });
    }
    i = end + 1;
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw new HtmlError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  // Telegram lists entities by offset, outer ones first.
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

/** Index of the ">" closing the tag that starts at `start`, skipping quoted attribute values. */
function tagEnd(html: string, start: number): number {
  let quote: string | undefined;
  for (let i = start + 1; i < html.length; i++) {
    const c = html[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i;
  }
  return -1;
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const m of source.matchAll(/([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? "";
    attributes.set(m[1]!.toLowerCase(), raw.replace(/&(lt|gt|amp|quot);/g, (_, name: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"' })[name as "lt"]));
  }
  return attributes;
}

function toEntity(open: OpenTag, length: number, content: string): MessageEntity | undefined {
  if (length <= 0) return undefined;
  const offset = open.offset;
  switch (open.name) {
    case "a": {
      const href = open.attributes.get("href");
      return href ? { type: "text_link", offset, length, url: href } : { type: "text_link", offset, length, url: content };
    }
    case "pre":
      return { type: "pre", offset, length };
    case "blockquote":
      return { type: open.attributes.has("expandable") ? "expandable_blockquote" : "blockquote", offset, length };
    case "tg-emoji":
      return { type: "custom_emoji", offset, length, custom_emoji_id: open.attributes.get("emoji-id") ?? "" };
    default:
      return { type: TAG_ENTITY[open.name] as MessageEntity.CommonMessageEntity["type"], offset, length };
  }
}

// ---------------------------------------------------------------------------------------------
// Text + entities → terminal lines.

const BOLD = 1;
const ITALIC = 2;
const UNDERLINE = 4;
const STRIKE = 8;
const SPOILER = 16;
const CODE = 32;
const FAINT = 64;

const STYLE_OF: Partial<Record<MessageEntity["type"], number>> = {
  bold: BOLD,
  italic: ITALIC,
  underline: UNDERLINE,
  strikethrough: STRIKE,
  spoiler: SPOILER,
  code: CODE,
  pre: CODE,
  text_link: UNDERLINE,
};

interface Cell {
  readonly ch: string;
  readonly style: number;
}

interface Line {
  readonly quote: boolean;
  readonly cells: Cell[];
}

export interface RenderOptions {
  /** ANSI styles; plain text otherwise. */
  readonly color: boolean;
  /** Wraps lines at words to this many columns (quote lines keep their bar); no wrapping otherwise. */
  readonly width?: number;
}

/**
 * A message as a Telegram user sees it, for a terminal: bold, italic and the rest as ANSI styles
 * (or plain), block quotes as lines with a "│ " bar, links as "text (url)".
 */
export function renderEntities(text: string, entities: readonly MessageEntity[], options: RenderOptions): string[] {
  const style = new Array<number>(text.length).fill(0);
  const quoted = new Array<boolean>(text.length).fill(false);
  const linkEnds = new Map<number, string[]>();
  for (const e of entities) {
    const end = Math.min(text.length, e.offset + e.length);
    const bit = STYLE_OF[e.type] ?? 0;
    for (let i = e.offset; i < end; i++) {
      style[i] = (style[i] ?? 0) | bit;
      if (e.type === "blockquote" || e.type === "expandable_blockquote") quoted[i] = true;
    }
    if (e.type === "text_link" && e.url !== text.slice(e.offset, end)) linkEnds.set(end, [...(linkEnds.get(end) ?? []), e.url]);
  }

  const lines: Line[] = [];
  let line: Line = { quote: quoted[0] ?? false, cells: [] };
  const push = (next: Line): void => {
    lines.push(line);
    line = next;
  };
  let at = 0;
  for (const ch of text) {
    if (ch === "\n") {
      push({ quote: quoted[at + 1] ?? false, cells: [] });
    } else {
      const q = quoted[at] ?? false;
      // A block quote is a block: text before or after it on the same line goes on its own line.
      if (q !== line.quote) {
        if (line.cells.length) push({ quote: q, cells: [] });
        else line = { quote: q, cells: line.cells };
      }
      line.cells.push({ ch, style: style[at] ?? 0 });
    }
    at += ch.length;
    for (const url of linkEnds.get(at) ?? []) for (const c of ` (${url})`) line.cells.push({ ch: c, style: FAINT });
  }
  lines.push(line);

  const bar = options.color ? "\x1b[90m│\x1b[39m " : "│ ";
  return lines.flatMap((l) => {
    const prefix = l.quote ? bar : "";
    const room = options.width ? Math.max(20, options.width - (l.quote ? 2 : 0)) : undefined;
    return (room ? wrap(l.cells, room) : [l.cells]).map((cells) => (cells.length ? prefix + serialize(cells, options.color) : prefix.trimEnd()));
  });
}

function serialize(cells: readonly Cell[], color: boolean): string {
  if (!color) return cells.map((c) => c.ch).join("");
  let out = "";
  let current = 0;
  for (const cell of cells) {
    if (cell.style !== current) {
      if (current) out += "\x1b[0m";
      if (cell.style) out += sgr(cell.style);
      current = cell.style;
    }
    out += cell.ch;
  }
  return current ? `${out}\x1b[0m` : out;
}

function sgr(style: number): string {
  const codes: number[] = [];
  if (style & BOLD) codes.push(1);
  if (style & FAINT) codes.push(2);
  if (style & ITALIC) codes.push(3);
  if (style & UNDERLINE) codes.push(4);
  if (style & SPOILER) codes.push(7);
  if (style & STRIKE) codes.push(9);
  if (style & CODE) codes.push(36);
  return `\x1b[${codes.join(";")}m`;
}

/** Greedy word wrap by display width; a word longer than the line is cut. */
function wrap(cells: readonly Cell[], width: number): Cell[][] {
  const out: Cell[][] = [];
  let current: Cell[] = [];
  let used = 0;
  let i = 0;
  while (i < cells.length) {
    if (cells[i]!.ch === " ") {
      let j = i;
      while (j < cells.length && cells[j]!.ch === " ") j++;
      const spaces = cells.slice(i, j);
      let k = j;
      while (k < cells.length && cells[k]!.ch !== " ") k++;
      const word = cells.slice(j, k);
      const w = spaces.length + displayWidth(word);
      if (used + w > width && used > 0) {
        out.push(current);
        current = [];
        used = 0;
      } else {
        current.push(...spaces);
        used += spaces.length;
      }
      i = j;
      continue;
    }
    const cell = cells[i]!;
    const w = charWidth(cell.ch);
    if (used + w > width && used > 0) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(cell);
    used += w;
    i++;
  }
  out.push(current);
  return out;
}

function displayWidth(cells: readonly Cell[]): number {
  return cells.reduce((sum, c) => sum + charWidth(c.ch), 0);
}

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || /\p{M}/u.test(ch)) return 0;
  if (/\p{Emoji_Presentation}/u.test(ch)) return 2;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}
