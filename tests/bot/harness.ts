/**
 * Runs the bot in-process with handleUpdate against the simulated Telegram (src/telegram-sim),
 * the model the local chat and the HTTP emulator share: every call is recorded here and answered
 * by the model, with Telegram's validation of HTML, lengths, buttons and chat access.
 */
import type { Chat, Message, Update, User, UserFromGetMe } from "grammy/types";
import { createBot } from "../../src/bot/create-bot.js";
import type { BotDeps } from "../../src/bot/context.js";
import type { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { SIMULATED_BOT, simulatedBotInfo, type ChatMemberStatus } from "../../src/telegram-sim/fixtures.js";
import { SimulatedTelegram } from "../../src/telegram-sim/telegram.js";
import { simulatedTelegramTransformer } from "../../src/telegram-sim/transformer.js";

const TOKEN = "123456:TEST-token_for_unit_tests_only";

/** The bot the harness runs as: the simulated Telegram's getMe answer. */
export const BOT_INFO: UserFromGetMe = simulatedBotInfo(SIMULATED_BOT, false);

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
    members?: Record<string, ChatMemberStatus | string>;
  } = {},
) {
  const telegram = new SimulatedTelegram({ token: TOKEN, bot: SIMULATED_BOT });
  const botInfo = telegram.botInfo;
  const logger = createLogger({ level: "silent", format: "json" });
  const { bot } = createBot(TOKEN, { knowledge, logger, ...(options.alerts ? { alerts: options.alerts } : {}) }, { botInfo, rateLimit: options.rateLimit ?? false, maxRetries: 0 });
  const calls: Call[] = [];
  const simulated = simulatedTelegramTransformer(telegram);
  bot.api.config.use(async (prev, method, payload, signal) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    const failure = options.failWith?.(method);
    if (failure) throw failure;
    return simulated(prev, method, payload, signal);
  });

  let messageId = 1000;
  const user = (id = 42, language_code = "vi"): User => ({ id, is_bot: false, first_name: "Lan", language_code });
  const privateChat = (id = 42): Chat.PrivateChat => ({ id, type: "private", first_name: "Lan" });

  /** Chat members named in `options.members` for a chat the model now knows. */
  function applyMembers(chatId: number): void {
    for (const [key, status] of Object.entries(options.members ?? {})) {
      const [chat, member] = key.split(":").map(Number);
      if (chat === chatId && member !== undefined) telegram.setChatMember(chatId, member, status as ChatMemberStatus);
    }
  }

  /** Queues an update in the model (its chats and users become known) and lets the bot handle it. */
  async function handle(partial: Omit<Update, "update_id">, chatId?: number) {
    const before = calls.length;
    telegram.pushUpdate(partial);
    if (chatId !== undefined) applyMembers(chatId);
    for (const update of telegram.takeUpdates()) await bot.handleUpdate(update);
    return calls.slice(before);
  }

  function message(text: string, opts: { chat?: Chat; from?: User; replyTo?: Message } = {}) {
    const from = opts.from ?? user();
    const chat = opts.chat ?? privateChat(from.id);
    const entities = /^\/\w+(@\w+)?/.exec(text) ? [{ type: "bot_command" as const, offset: 0, length: /^\/\w+(@\w+)?/.exec(text)![0].length }] : [];
    for (const m of text.matchAll(/@\w+/g)) if (m.index > 0 || !entities.length) entities.push({ type: "mention" as never, offset: m.index, length: m[0].length });
    const sent = { message_id: ++messageId, date: 0, chat, from, text, entities, ...(opts.replyTo ? { reply_to_message: opts.replyTo as never } : {}) };
    return handle({ message: sent as never }, chat.id);
  }

  function channelPost(text: string, chat: Chat.ChannelChat) {
    const entities = /^\/\w+/.exec(text) ? [{ type: "bot_command" as const, offset: 0, length: /^\/\w+(@\w+)?/.exec(text)![0].length }] : [];
    return handle({ channel_post: { message_id: ++messageId, date: 0, chat, sender_chat: chat, text, entities } as never }, chat.id);
  }

  function myChatMember(chat: Chat, status: "member" | "left" | "kicked" | "administrator", from = user()) {
    const member = (s: string) => ({ status: s, user: botInfo });
    return handle({ my_chat_member: { chat, from, date: 0, old_chat_member: member("member") as never, new_chat_member: member(status) as never } }, chat.id);
  }

  /** Presses a button of a bot message already in the chat (its text `messageText`). */
  function press(data: string, opts: { from?: User; messageText?: string } = {}) {
    const from = opts.from ?? user();
    const shown = { message_id: ++messageId, date: 0, chat: privateChat(from.id), from: botInfo, text: opts.messageText ?? "x" } as Message.TextMessage;
    telegram.addMessage(shown);
    return handle({ callback_query: { id: `cb${messageId}`, from, chat_instance: "ci", data, message: shown } });
  }

  function inline(query: string, from = user()) {
    return handle({ inline_query: { id: `iq${++messageId}`, from, query, offset: "" } });
  }

  return { bot, telegram, calls, message, channelPost, myChatMember, press, inline, user, privateChat };
}

export const sent = (calls: readonly Call[], method = "sendMessage") => calls.filter((c) => c.method === method);
export const textOf = (call: Call | undefined): string => String(call?.payload.text ?? "");
/** All callback_data values of a call's inline keyboard. */
export function buttons(call: Call | undefined): { text: string; callback_data?: string; switch_inline_query?: string; url?: string }[] {
  const markup = call?.payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat();
}
