/**
 * The local chat: the real bot (createBot, the same features) answering in this terminal, with no
 * BOT_TOKEN and no network. The simulated Telegram (src/telegram-sim, the model the end-to-end
 * emulator serves too) answers every call through an API transformer, so nothing reaches
 * api.telegram.org and the terminal shows exactly what Telegram would accept: a message it would
 * refuse fails here with Telegram's error. The user's lines become updates: messages of a private
 * chat, button presses (a button's number) as callback queries, `/inline words` as inline queries.
 * `/press <callback_data>` presses a button that is not on screen (a stale or forged one).
 *
 * Interactive when the input is a terminal (prompt, history, ANSI styles); otherwise scripted: one
 * message per line, each echoed as "> line" before the replies, plain deterministic text, and the
 * function returns at the end of the input. Logs go to the logger (stderr); the chat goes to output.
 */
import { createInterface, type Interface } from "node:readline";
import { BotError, type Bot, type Transformer } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update, User } from "grammy/types";
import { clip } from "../text.js";
import { SimulatedTelegram } from "../telegram-sim/telegram.js";
import { simulatedTelegramTransformer } from "../telegram-sim/transformer.js";
import type { BotContext, BotDeps } from "./context.js";
import { createBot } from "./create-bot.js";
import { describeError } from "./errors.js";
import { renderEntities } from "./terminal-render.js";

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

/** The token the local chat's bot runs with: not a real one, and no request leaves the process. */
const LOCAL_TOKEN = "0:LOCAL-CHAT-NO-TOKEN";

/** The Telegram the local chat talks to: the simulated one, strict as the end-to-end emulator. */
export function localChatTelegram(): SimulatedTelegram {
  return new SimulatedTelegram({ token: LOCAL_TOKEN, validation: "strict" });
}

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
// The session: the simulated Telegram on one side, the terminal on the other.

interface SessionSettings {
  readonly interactive: boolean;
  readonly color: boolean;
  readonly width: () => number | undefined;
  readonly user: Omit<User, "is_bot" | "language_code">;
  readonly languageCode: string;
}

/** An inline result as the simulated Telegram recorded it. */
type OfferedResult = Record<string, unknown> & { readonly id: string; readonly type: string };

interface ResultsButton {
  readonly text: string;
  readonly start_parameter?: string;
}

/** Something the user can pick by number: a button, an inline result, an inline "results button". */
type Choice =
  | { readonly kind: "button"; readonly button: InlineKeyboardButton; readonly messageId?: number; readonly inlineMessageId?: string }
  | { readonly kind: "result"; readonly result: OfferedResult; readonly query: string }
  | { readonly kind: "results-button"; readonly button: ResultsButton };

class LocalChat {
  private readonly telegram: SimulatedTelegram;
  private readonly bot: Bot<BotContext>;
  private user: User;
  /** The numbered choices currently on screen, and those being shown during this turn. */
  private choices: Choice[] = [];
  private turnChoices: Choice[] = [];

  constructor(
    private readonly deps: BotDeps,
    private readonly output: NodeJS.WritableStream,
    private readonly settings: SessionSettings,
  ) {
    this.user = { ...settings.user, is_bot: false, language_code: settings.languageCode };
    this.telegram = localChatTelegram();
    // No retries (nothing can fail in transit) and no flood limit (one person at a keyboard).
    const { bot } = createBot(LOCAL_TOKEN, deps, { botInfo: this.telegram.botInfo, rateLimit: false, maxRetries: 0 });
    // Installed last, so it is the outermost transformer: every call is answered here, and shown.
    bot.api.config.use(this.showing(simulatedTelegramTransformer(this.telegram)));
    this.bot = bot;
  }

  private get botName(): string {
    return this.telegram.botInfo.username;
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
    this.print(`Knowledge base: ${k.articleCount} ${k.articleCount === 1 ? "article" : "articles"}, ${k.passageCount} ${k.passageCount === 1 ? "passage" : "passages"}.`);
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

  /** Wraps the simulated Telegram: what the bot does in the chat appears on screen as it happens. */
  private showing(answer: Transformer): Transformer {
    return async (prev, method, payload, signal) => {
      const response = await answer(prev, method, payload, signal);
      const p = payload as Record<string, unknown>;
      if (!response.ok) {
        this.deps.logger.debug({ method, code: response.error_code, description: response.description }, "local chat: Telegram refuses this call");
        return response;
      }
      const result = response.result as unknown;
      if (method === "sendMessage") this.showBotMessage(`🤖 ${this.telegram.botInfo.first_name}:`, result as Message);
      else if ((method === "editMessageText" || method === "editMessageReplyMarkup") && typeof result === "object") {
        this.showBotMessage(`🤖 ${this.telegram.botInfo.first_name} (edited):`, result as Message);
      } else if (method === "editMessageText" || method === "editMessageReplyMarkup") this.showInlineEdit(String(p.inline_message_id));
      else if (method === "deleteMessage") this.note(`(message #${String(p.message_id)} deleted)`);
      else if (method === "answerCallbackQuery") {
        if (typeof p.text === "string" && p.text) this.print(`  ${p.show_alert ? "⚠" : "ⓘ"} ${p.text}`);
        if (typeof p.url === "string") this.note(`🔗 ${p.url}`);
      }
      return response;
    };
  }

  private showBotMessage(title: string, message: Message): void {
    this.showMessage(title, message.text ?? "", message.entities ?? [], message.reply_markup, { messageId: message.message_id });
  }

  private showInlineEdit(inlineMessageId: string): void {
    const edit = this.telegram.sent.findLast((m) => m.inlineMessageId === inlineMessageId);
    if (!edit) return;
    const markup = edit.replyMarkup && "inline_keyboard" in edit.replyMarkup ? (edit.replyMarkup as InlineKeyboardMarkup) : undefined;
    this.showMessage(`📨 (edited) your message via @${this.botName}:`, edit.plain, edit.entities, markup, { inlineMessageId });
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
    if (inline) return this.inlineQuery((inline[1] ?? "").trim(), `🔎 Inline mode: @${this.botName} ${(inline[1] ?? "").trim()}`.trimEnd());
    const lang = /^\/lang(?:\s+(\S+))?$/i.exec(line);
    if (lang) {
      if (lang[1]) this.user = { ...this.user, language_code: lang[1] };
      return this.note(`(your Telegram language is now "${this.user.language_code ?? ""}")`);
    }
    const forged = /^\/press\s+(\S+)$/i.exec(line);
    if (forged) return this.pressForged(forged[1]!);
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
      const deepLink = new RegExp(`^https?://t\\.me/${this.botName}\\?start=([A-Za-z0-9_-]{1,64})$`, "i").exec(button.url);
      if (deepLink) await this.openDeepLink(deepLink[1]!);
      return;
    }
    if ("switch_inline_query" in button) {
      return this.inlineQuery(
        button.switch_inline_query,
        `📤 Share: Telegram asks which chat to share in, then types “@${this.botName} ${button.switch_inline_query}” there. Inline mode offers:`,
      );
    }
    if ("switch_inline_query_current_chat" in button) {
      return this.inlineQuery(button.switch_inline_query_current_chat, `🔎 Inline mode in this chat: @${this.botName} ${button.switch_inline_query_current_chat}`);
    }
    if ("switch_inline_query_chosen_chat" in button) {
      const query = button.switch_inline_query_chosen_chat.query ?? "";
      return this.inlineQuery(query, `📤 Telegram asks which chat, then types “@${this.botName} ${query}” there. Inline mode offers:`);
    }
    if ("copy_text" in button) return this.note(`(copied to the clipboard: ${button.copy_text.text})`);
    this.note("(this kind of button is not available in the local chat)");
  }

  /** A t.me deep link to this bot: Telegram opens the chat and sends /start with the payload. */
  private async openDeepLink(payload: string): Promise<void> {
    this.note(`(Telegram opens the chat with @${this.botName} and sends /start ${payload})`);
    await this.sendText(`/start ${payload}`);
  }

  private async sendText(text: string): Promise<void> {
    this.telegram.sendUserMessage({ from: this.user, text });
    await this.deliverQueued();
  }

  private async press(data: string, choice: Extract<Choice, { kind: "button" }>): Promise<void> {
    const updateId =
      choice.inlineMessageId !== undefined
        ? this.telegram.pressInlineButton(choice.inlineMessageId, data, this.user)
        : this.telegram.pressButton(this.user.id, choice.messageId ?? 0, data, this.user);
    await this.deliverPress(updateId);
  }

  /** `/press data`: a button that is not on screen, on the bot's newest message. */
  private async pressForged(data: string): Promise<void> {
    const newest = this.telegram.chatHistory(this.user.id).findLast((m) => m.from?.id === this.telegram.botInfo.id);
    if (!newest) return this.note("(the bot has sent no message to press a button on)");
    await this.deliverPress(this.telegram.pressButton(this.user.id, newest.message_id, data, this.user, { force: true }));
  }

  private async deliverPress(updateId: number): Promise<void> {
    const id = this.telegram.update(updateId)?.callback_query?.id;
    await this.deliverQueued();
    if (id !== undefined && !this.telegram.callbackAnswered(id)) {
      this.note("(the bot did not call answerCallbackQuery: Telegram would keep a spinner on the button)");
    }
  }

  private async inlineQuery(query: string, title: string): Promise<void> {
    this.header(title);
    const updateId = this.telegram.sendInlineQuery(this.user, query, "", { chatType: "private" });
    const id = this.telegram.update(updateId)?.inline_query?.id;
    await this.deliverQueued();
    const answer = this.telegram.inlineAnswers.findLast((a) => a.inlineQueryId === id);
    if (!answer) return this.note("(the bot did not answer the inline query: Telegram would show nothing)");
    if (answer.results.length === 0) this.note("(no results)");
    for (const result of answer.results as OfferedResult[]) {
      this.turnChoices.push({ kind: "result", result, query });
      const name = typeof result.title === "string" ? result.title : `(${result.type} result ${result.id})`;
      this.print(`  ${this.bold(`[${this.turnChoices.length}]`)} ${name}`);
      if (typeof result.description === "string" && result.description) this.print(`      ${this.dim(result.description.replace(/\s+/g, " "))}`);
    }
    const button = answer.button as ResultsButton | undefined;
    if (button) {
      this.turnChoices.push({ kind: "results-button", button });
      this.print(`  ${this.bold(`[${this.turnChoices.length}]`)} ${button.text}`);
    }
    if (answer.results.length) this.note("(type a result's number to post it)");
  }

  /** Choosing an inline result posts it in the chosen chat; the bot hears of it as chosen_inline_result. */
  private async postInlineResult(result: OfferedResult, query: string): Promise<void> {
    const article = this.telegram.inlineArticle(result.id);
    if (!article) return this.note(`(a "${result.type}" result: not shown in the local chat)`);
    const updateId = this.telegram.sendChosenInlineResult(this.user, result.id, query);
    const inlineMessageId = this.telegram.update(updateId)?.chosen_inline_result?.inline_message_id;
    this.showMessage(`📨 Posted by you via @${this.botName} (“${clip(query, 40)}”) in the chosen chat:`, article.formatted.plain, article.formatted.entities, article.replyMarkup, inlineMessageId ? { inlineMessageId } : {});
    await this.deliverQueued();
  }

  /** Hands every update the simulated Telegram queued to the bot, in order. */
  private async deliverQueued(): Promise<void> {
    for (const update of this.telegram.takeUpdates()) await this.deliver(update);
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
}
