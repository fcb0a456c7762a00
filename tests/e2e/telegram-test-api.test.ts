/**
 * Smoke test against `telegram-test-api`, an emulator written by someone else, so our own
 * emulator's reading of the Bot API is not the only one the bot is checked against. It knows only
 * messages, commands, callbacks and edits, answers getUpdates at once (no long poll) and validates
 * nothing, so the bot runs in-process here (createBot + runPolling) on that subset.
 */
import type { Transformer } from "grammy";
import type { Message } from "grammy/types";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import type { StoredBotUpdate } from "telegram-test-api/lib/telegramServer.js";
import { afterEach, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/create-bot.js";
import { runPolling } from "../../src/bot/polling.js";
import { createLogger } from "../../src/logger.js";
import { simulatedBotInfo } from "../../src/telegram-sim/fixtures.js";
import { seedIndex } from "../knowledge/helpers.js";
import { TEST_TOKEN, freePort } from "../../testkit/bot-process.js";

const BOT_INFO = simulatedBotInfo({ id: 7012345678, username: "hoibao_test_bot" });

type InlineKeyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

/** getUpdates comes back empty at once: wait a little, as a long poll would, instead of spinning. */
const pacedPolling: Transformer = async (prev, method, payload, signal) => {
  const response = await prev(method, payload, signal);
  if (method === "getUpdates" && response.ok && Array.isArray(response.result) && response.result.length === 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 50);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return response;
};

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the bot on telegram-test-api", () => {
  it("/start, a question, a question button and a next-match edit", { timeout: 20_000 }, async () => {
    const server = new TelegramServer({ port: await freePort(), host: "127.0.0.1", storeTimeout: 60 });
    await server.start();
    cleanups.push(() => server.stop());

    const logger = createLogger({ level: "silent", format: "json" });
    const { bot } = createBot(TEST_TOKEN, { knowledge: seedIndex(), logger }, { apiRoot: server.config.apiURL, botInfo: BOT_INFO });
    const calls: string[] = [];
    bot.api.config.use(pacedPolling, (prev, method, payload, signal) => {
      calls.push(method);
      return prev(method, payload, signal);
    });
    const stop = new AbortController();
    const polling = runPolling(bot, { logger }, stop.signal);
    cleanups.push(async () => {
      stop.abort();
      await polling;
    });

    const client = server.getClient(TEST_TOKEN, { userId: 4242, chatId: 4242, firstName: "Lan", timeout: 8_000, interval: 25 });
    /** The bot's next unread messages in the client's chat. */
    const botMessages = async (): Promise<StoredBotUpdate[]> => (await client.getUpdates()).result as unknown as StoredBotUpdate[];
    const keyboard = (update: StoredBotUpdate) => update.message.reply_markup as InlineKeyboard;

    // /start: the welcome, with the interview's questions as buttons.
    await client.sendCommand(client.makeCommand("/start"));
    const [welcome] = await botMessages();
    expect(welcome?.message.text).toContain("Xin chào");
    const questionButtons = keyboard(welcome!).inline_keyboard.flat();
    expect(questionButtons).toHaveLength(3);

    // A question button: the answer to that interview question.
    await client.sendCallback(
      client.makeCallbackQuery(questionButtons[1]!.callback_data!, { message: { message_id: welcome!.messageId } as Partial<Message> }),
    );
    const [section] = await botMessages();
    expect(section?.message.text).toContain("khó khăn, hạn chế");
    expect(section?.message.parse_mode).toBe("HTML");

    // A question: the first match, with a next-match button.
    await client.sendMessage(client.makeMessage("khó khăn"));
    const [answer] = await botMessages();
    expect(answer?.message.text).toMatch(/Kết quả 1\/\d/);
    const next = keyboard(answer!).inline_keyboard.flat().find((b) => b.callback_data?.startsWith("n:"));
    expect(next).toBeDefined();

    // Next match: the same message, edited.
    const edited = server.waitBotEdits();
    await client.sendCallback(client.makeCallbackQuery(next!.callback_data!, { message: { message_id: answer!.messageId } as Partial<Message> }));
    await edited;
    const stored = server.storage.botMessages.find((u) => u.messageId === answer!.messageId);
    expect(stored?.message.text).toMatch(/Kết quả 2\/\d/);

    await expect.poll(() => calls.filter((m) => m === "answerCallbackQuery").length).toBe(2);
    expect(calls).not.toContain("setMyCommands"); // not emulated there; start.ts does it, not runPolling
  });
});
