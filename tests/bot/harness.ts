/**
 * Runs the bot in-process with handleUpdate and a transformer that records every API call and
 * answers like Telegram would, validating HTML, lengths and buttons with the emulator's rules.
 */
import type { Chat, Message, Update, User } from "grammy/types";
import { createBot } from "../../src/bot/create-bot.js";
import { LOCAL_BOT_INFO } from "../../src/bot/local-chat.js";
import type { BotDeps } from "../../src/bot/context.js";
import type { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { formatText, parseInlineResults, parseReplyMarkup } from "../e2e/emulator-validate.js";

/** The bot as the local chat describes it: the same getMe answer, one definition. */
export const BOT_INFO = LOCAL_BOT_INFO;

export interface Call {
  readonly method: string;
  readonly payload: Record<string, unknown>;
}

export function harness(
  knowledge: KnowledgeIndex,
  options: {
    failWith?: (method: string) => Error | undefined;
    rateLimit?: { timeFrameMs: number; limit: number };
    alerts?: BotDeps["alerts"];
    /** getChatMember answers: "chatId:userId" → status (default "member"). */
    members?: Record<string, string>;
  } = {},
) {
  const logger = createLogger({ level: "silent", format: "json" });
  const { bot } = createBot("123456:TEST-token_for_unit_tests_only", { knowledge, logger, ...(options.alerts ? { alerts: options.alerts } : {}) }, { botInfo: BOT_INFO, rateLimit: options.rateLimit ?? false, maxRetries: 0 });
  const calls: Call[] = [];
  let messageId = 1000;
  let updateId = 1;
  bot.api.config.use(async (_prev, method, payload) => {
    const body = payload as Record<string, unknown>;
    calls.push({ method, payload: body });
    const failure = options.failWith?.(method);
    if (failure) throw failure;
    if (method === "sendMessage" || method === "editMessageText") {
      formatText(body.text as string, body.parse_mode as string | undefined, undefined, "strict");
      parseReplyMarkup(body.reply_markup, "strict");
      const result = { message_id: (body.message_id as number) ?? ++messageId, date: 0, chat: { id: body.chat_id, type: "private" }, text: body.text };
      return { ok: true, result } as never;
    }
    if (method === "answerInlineQuery") parseInlineResults(body.results, "strict");
    if (method === "getChatMember") {
      const status = options.members?.[`${body.chat_id}:${body.user_id}`] ?? "member";
      return { ok: true, result: { status, user: { id: body.user_id, is_bot: false, first_name: "U" } } } as never;
    }
    return { ok: true, result: true } as never;
  });

  const user = (id = 42, language_code = "vi"): User => ({ id, is_bot: false, first_name: "Lan", language_code });
  const privateChat = (id = 42): Chat.PrivateChat => ({ id, type: "private", first_name: "Lan" });

  async function message(text: string, opts: { chat?: Chat; from?: User; replyTo?: Message } = {}) {
    const from = opts.from ?? user();
    const chat = opts.chat ?? privateChat(from.id);
    const entities = /^\/\w+(@\w+)?/.exec(text) ? [{ type: "bot_command" as const, offset: 0, length: /^\/\w+(@\w+)?/.exec(text)![0].length }] : [];
    for (const m of text.matchAll(/@\w+/g)) if (m.index > 0 || !entities.length) entities.push({ type: "mention" as never, offset: m.index, length: m[0].length });
    const update: Update = {
      update_id: updateId++,
      message: { message_id: ++messageId, date: 0, chat, from, text, entities, ...(opts.replyTo ? { reply_to_message: opts.replyTo as never } : {}) } as never,
    };
    const before = calls.length;
    await bot.handleUpdate(update);
    return calls.slice(before);
  }

  async function channelPost(text: string, chat: Chat.ChannelChat) {
    const entities = /^\/\w+/.exec(text) ? [{ type: "bot_command" as const, offset: 0, length: /^\/\w+(@\w+)?/.exec(text)![0].length }] : [];
    const before = calls.length;
    await bot.handleUpdate({ update_id: updateId++, channel_post: { message_id: ++messageId, date: 0, chat, sender_chat: chat, text, entities } as never });
    return calls.slice(before);
  }

  async function myChatMember(chat: Chat, status: "member" | "left" | "kicked" | "administrator", from = user()) {
    const before = calls.length;
    const member = (s: string) => ({ status: s, user: BOT_INFO });
    await bot.handleUpdate({
      update_id: updateId++,
      my_chat_member: { chat, from, date: 0, old_chat_member: member("member") as never, new_chat_member: member(status) as never },
    });
    return calls.slice(before);
  }

  async function press(data: string, opts: { from?: User; messageText?: string } = {}) {
    const from = opts.from ?? user();
    const update: Update = {
      update_id: updateId++,
      callback_query: {
        id: String(updateId),
        from,
        chat_instance: "ci",
        data,
        message: { message_id: 5000, date: 0, chat: privateChat(from.id), from: BOT_INFO as never, text: opts.messageText ?? "x" } as Message.TextMessage,
      },
    };
    const before = calls.length;
    await bot.handleUpdate(update);
    return calls.slice(before);
  }

  async function inline(query: string, from = user()) {
    const before = calls.length;
    await bot.handleUpdate({ update_id: updateId++, inline_query: { id: String(updateId), from, query, offset: "" } });
    return calls.slice(before);
  }

  return { bot, calls, message, channelPost, myChatMember, press, inline, user, privateChat };
}

export const sent = (calls: readonly Call[], method = "sendMessage") => calls.filter((c) => c.method === method);
export const textOf = (call: Call | undefined): string => String(call?.payload.text ?? "");
/** All callback_data values of a call's inline keyboard. */
export function buttons(call: Call | undefined): { text: string; callback_data?: string; switch_inline_query?: string; url?: string }[] {
  const markup = call?.payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat();
}
