/**
 * Validation of what a bot sends, with Telegram's error texts: message text and parse modes,
 * reply markup, inline query results and bot commands.
 *
 * Texts come from the Bot API server (tdlib/telegram-bot-api Client.cpp) and tdlib where known;
 * upper-case ones (BUTTON_DATA_INVALID, …) are Telegram's own server errors passed through.
 */
import type { BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity } from "grammy/types";
import { HtmlParseError, checkedLink, parseHtml, utf8Length, type ValidationMode } from "./html.js";
import { badRequest, isObject } from "./payload.js";

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CALLBACK_DATA_BYTES = 64;

export interface FormattedText {
  /** The text as the user sees it: tags removed, entities decoded. */
  plain: string;
  entities: MessageEntity[];
}

/**
 * Parses a message text like sendMessage does. The 4096 limit is checked in UTF-16 units, which
 * is stricter than Telegram's code points and therefore safe for a bot that passes it.
 */
export function formatText(
  text: string | undefined,
  parseMode: string | undefined,
  rawEntities: unknown,
  mode: ValidationMode,
): FormattedText {
  if (text === undefined || text === "") throw badRequest("message text is empty");
  if (utf8Length(text) > 1 << 15) throw badRequest("text is too long");
  const pm = (parseMode ?? "").toLowerCase();
  let result: FormattedText;
  if (pm === "" || pm === "none") {
    result = { plain: text, entities: Array.isArray(rawEntities) ? (rawEntities as MessageEntity[]) : [] };
  } else if (pm === "html") {
    try {
      const parsed = parseHtml(text, mode);
      result = { plain: parsed.text, entities: parsed.entities };
    } catch (error) {
      if (error instanceof HtmlParseError) throw badRequest(`can't parse entities: ${error.message}`);
      throw error;
    }
  } else if (pm === "markdown" || pm === "markdownv2") {
    // Markdown is not emulated: the text is taken as is, without entities.
    result = { plain: text, entities: [] };
  } else {
    throw badRequest("unsupported parse_mode");
  }
  if (result.plain.trim() === "") throw badRequest("message text is empty");
  if (result.plain.length > MAX_TEXT_LENGTH) throw badRequest("message is too long");
  return result;
}

/** The reply_markup of a message: inline keyboards are kept on the message, the rest only recorded. */
export type ParsedMarkup =
  | { kind: "inline"; markup: InlineKeyboardMarkup }
  | { kind: "other"; markup: Record<string, unknown> };

const BUTTON_ACTIONS = [
  "url",
  "callback_data",
  "callback_game",
  "pay",
  "switch_inline_query",
  "switch_inline_query_chosen_chat",
  "switch_inline_query_current_chat",
  "login_url",
  "web_app",
  "copy_text",
] as const;

const MAX_BUTTONS = 100;

const buttonError = (detail: string) => badRequest(`can't parse inline keyboard button: ${detail}`);

export function parseReplyMarkup(raw: unknown, mode: ValidationMode): ParsedMarkup | undefined {
  if (raw === undefined) return undefined;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (!isObject(value)) throw badRequest("object expected as reply markup");
  if (!("inline_keyboard" in value)) return { kind: "other", markup: value };

  const rows = value.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  let count = 0;
  const keyboard: InlineKeyboardButton[][] = (rows as unknown[][]).map((row) =>
    row.map((button) => {
      count++;
      return parseInlineButton(button, mode);
    }),
  );
  if (count > MAX_BUTTONS) throw badRequest("reply markup is too long");
  return { kind: "inline", markup: { inline_keyboard: keyboard } };
}

function parseInlineButton(button: unknown, mode: ValidationMode): InlineKeyboardButton {
  if (!isObject(button)) throw buttonError("InlineKeyboardButton must be an Object");
  if (typeof button.text !== "string") throw buttonError('Field "text" must be of type String');
  if (button.text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
  // tdlib takes the first action present; an empty url or callback_data counts as absent there.
  const present = BUTTON_ACTIONS.filter((field) => {
    const v = button[field];
    if (v === undefined) return false;
    return mode === "strict" || !((field === "url" || field === "callback_data") && v === "");
  });
  const action = present[0];
  if (action === undefined) throw buttonError("Text buttons are unallowed in the inline keyboard");
  if (present.length > 1 && mode === "strict") {
    throw buttonError(`InlineKeyboardButton must have exactly one of the optional fields, found ${present.join(", ")}`);
  }
  const value = button[action];
  switch (action) {
    case "callback_data": {
      if (typeof value !== "string") throw buttonError('Field "callback_data" must be of type String');
      const bytes = utf8Length(value);
      if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) throw badRequest("BUTTON_DATA_INVALID");
      break;
    }
    case "url":
      if (typeof value !== "string") throw buttonError('Field "url" must be of type String');
      if (!isValidButtonUrl(value, mode)) throw badRequest("BUTTON_URL_INVALID");
      break;
    case "switch_inline_query":
    case "switch_inline_query_current_chat":
      if (typeof value !== "string") throw buttonError(`Field "${action}" must be of type String`);
      break;
    case "switch_inline_query_chosen_chat":
    case "login_url":
    case "web_app":
    case "copy_text":
      if (!isObject(value)) throw buttonError(`Field "${action}" must be of type Object`);
      break;
    default:
      break;
  }
  const normalized: Record<string, unknown> = { text: button.text, [action]: value };
  for (const extra of ["icon_custom_emoji_id", "style"]) {
    if (button[extra] !== undefined) normalized[extra] = button[extra];
  }
  return normalized as unknown as InlineKeyboardButton;
}

/** Strict mode wants an explicit http(s) or tg scheme; Telegram itself also accepts "example.com". */
export function isValidButtonUrl(url: string, mode: ValidationMode): boolean {
  if (mode === "strict" && !/^(https?:\/\/|tg:\/\/)/i.test(url)) return false;
  const checked = checkedLink(url);
  if (checked === undefined) return false;
  return !/^https?:\/\/localhost\b/i.test(checked);
}

// ---------------------------------------------------------------------------------------------
// Inline mode

export const MAX_INLINE_RESULTS = 50;

export interface InlineArticle {
  id: string;
  text: string;
  parseMode?: string;
  formatted: FormattedText;
  replyMarkup?: InlineKeyboardMarkup;
}

export interface ParsedInlineAnswer {
  results: Record<string, unknown>[];
  articles: InlineArticle[];
}

const RESULT_TYPES = new Set([
  "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location", "venue",
  "contact", "game", "sticker",
]);

const resultError = (detail: string) => badRequest(`can't parse inline query result: ${detail}`);

export function parseInlineResults(raw: unknown, mode: ValidationMode): ParsedInlineAnswer {
  let value: unknown = raw ?? [];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw badRequest(`can't parse JSON encoded inline query results: ${String(error)}`);
    }
  }
  if (!Array.isArray(value)) throw badRequest("can't parse JSON encoded inline query results: Array expected");
  if (value.length > MAX_INLINE_RESULTS) throw badRequest("RESULTS_TOO_MUCH");
  const seen = new Set<string>();
  const articles: InlineArticle[] = [];
  const results = value.map((result: unknown) => {
    if (!isObject(result)) throw resultError("InlineQueryResult must be an Object");
    if (typeof result.type !== "string") throw resultError('Field "type" must be of type String');
    if (typeof result.id !== "string") throw resultError('Field "id" must be of type String');
    const type = result.type.toLowerCase();
    if (!RESULT_TYPES.has(type)) throw resultError("Unsupported type specified");
    const idBytes = utf8Length(result.id);
    if (idBytes < 1 || idBytes > 64) throw badRequest("RESULT_ID_INVALID");
    if (seen.has(result.id)) throw badRequest("RESULT_ID_DUPLICATE");
    seen.add(result.id);
    const markup = parseReplyMarkup(result.reply_markup, mode);
    if (markup !== undefined && markup.kind !== "inline") throw resultError("Inline keyboard expected");
    if (type === "article") {
      if (typeof result.title !== "string") throw resultError('Field "title" must be of type String');
      if (result.title.trim() === "") throw badRequest("RESULT_TITLE_EMPTY");
      const content = result.input_message_content;
      if (!isObject(content)) throw resultError('Field "input_message_content" must be of type Object');
      if ("message_text" in content) {
        const text = typeof content.message_text === "string" ? content.message_text : undefined;
        const parseMode = typeof content.parse_mode === "string" ? content.parse_mode : undefined;
        const formatted = formatText(text, parseMode, content.entities, mode);
        articles.push({
          id: result.id,
          text: text ?? "",
          ...(parseMode !== undefined && { parseMode }),
          formatted,
          ...(markup !== undefined && { replyMarkup: markup.markup }),
        });
      }
    }
    return result;
  });
  return { results, articles };
}

export function validateNextOffset(nextOffset: string | undefined): void {
  if (nextOffset !== undefined && utf8Length(nextOffset) > 64) throw badRequest("NEXT_OFFSET_INVALID");
}

export function validateResultsButton(raw: unknown): void {
  if (raw === undefined) return;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw badRequest("can't parse inline query results button JSON object");
    }
  }
  const fail = (detail: string) => badRequest(`can't parse inline query results button: ${detail}`);
  if (!isObject(value)) throw fail("InlineQueryResultsButton must be an Object");
  if (typeof value.text !== "string") throw fail('Field "text" must be of type String');
  if (value.start_parameter !== undefined) {
    if (typeof value.start_parameter !== "string") throw fail('Field "start_parameter" must be of type String');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value.start_parameter)) throw badRequest("START_PARAM_INVALID");
  } else if (!isObject(value.web_app)) {
    throw fail("InlineQueryResultsButton must have exactly one of start_parameter or web_app");
  }
}

// ---------------------------------------------------------------------------------------------
// Bot commands

export const MAX_COMMANDS = 100;

export function parseBotCommands(raw: unknown): BotCommand[] {
  let value: unknown = raw ?? [];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw badRequest("can't parse commands JSON object");
    }
  }
  if (!Array.isArray(value)) throw badRequest("expected an Array of BotCommand");
  const commands = value.map((item: unknown): BotCommand => {
    if (!isObject(item)) throw badRequest("can't parse BotCommand: expected an Object");
    if (typeof item.command !== "string") throw badRequest('can\'t parse BotCommand: Field "command" must be of type String');
    if (typeof item.description !== "string") {
      throw badRequest('can\'t parse BotCommand: Field "description" must be of type String');
    }
    // tdlib trims both and drops one leading slash before checking.
    let command = item.command.trim();
    if (command.startsWith("/")) command = command.slice(1);
    const description = item.description.trim();
    if (command === "") throw badRequest("command must be non-empty");
    if ([...command].length > 32) throw badRequest("command length must not exceed 32");
    if (description === "") throw badRequest("command description must be non-empty");
    if ([...description].length > 256) throw badRequest("command description length must not exceed 256");
    if (!/^[a-z0-9_]+$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    return { command, description };
  });
  if (commands.length > MAX_COMMANDS) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  return commands;
}

const SCOPE_TYPES = new Set([
  "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators",
  "chat_member",
]);

/**
 * Canonical storage key of a command scope. `resolveChat` turns the scope's chat_id (number or
 * "@username") into a chat id, throwing "chat not found" like Telegram.
 */
export function commandScopeKey(raw: unknown, resolveChat: (chatId: unknown) => number): string {
  let value: unknown = raw ?? { type: "default" };
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw badRequest("can't parse BotCommandScope JSON object");
    }
  }
  const fail = (detail: string) => badRequest(`can't parse BotCommandScope: ${detail}`);
  if (!isObject(value)) throw fail("BotCommandScope must be an Object");
  if (typeof value.type !== "string") throw fail('Field "type" must be of type String');
  if (!SCOPE_TYPES.has(value.type)) throw fail("Unsupported type specified");
  if (value.type !== "chat" && value.type !== "chat_administrators" && value.type !== "chat_member") {
    return value.type;
  }
  if (value.chat_id === undefined || value.chat_id === "") throw fail("Empty chat_id specified");
  const chatId = resolveChat(value.chat_id);
  if (value.type !== "chat_member") return `${value.type}:${chatId}`;
  const userId = Number(value.user_id);
  if (!Number.isInteger(userId) || userId <= 0) throw fail("Invalid user_id specified");
  return `chat_member:${chatId}:${userId}`;
}

export function validateLanguageCode(code: string | undefined): string {
  const value = code ?? "";
  if (value !== "" && !/^[a-z]{2}$/.test(value)) throw badRequest("invalid language code specified");
  return value;
}
