/**
 * runPolling against the Bot API emulator on 127.0.0.1: it stops when its signal aborts, after the
 * update in flight is answered and confirmed, and a failure Telegram would repeat (401, 409) ends
 * it with a DeliveryError that says what to do.
 */
import type { User } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/create-bot.js";
import { DeliveryError } from "../../src/bot/delivery.js";
import { runPolling } from "../../src/bot/polling.js";
import { TEST_TOKEN } from "../../testkit/bot-process.js";
import { type Emulator, startEmulator } from "../../testkit/emulator.js";
import { recordingLogger } from "../../testkit/recording-logger.js";
import { seedIndex } from "../knowledge/helpers.js";

const user: User = { id: 8201, is_bot: false, first_name: "Lan", language_code: "vi" };
const SECRET_PART = TEST_TOKEN.split(":")[1]!;

let emu: Emulator | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A bot in this process whose API is the emulator, logging into memory. */
async function setUp() {
  const telegram = await startEmulator({ token: TEST_TOKEN });
  emu = telegram;
  const log = recordingLogger();
  const { bot } = createBot(TEST_TOKEN, { knowledge: seedIndex(), logger: log.logger }, { apiRoot: telegram.apiRoot, botInfo: telegram.botInfo, rateLimit: false });
  return { telegram, bot, log, stop: new AbortController() };
}

describe("runPolling", () => {
  it("abort – the update in flight is answered and confirmed, then it resolves", { timeout: 15_000 }, async () => {
    const { telegram, bot, log, stop } = await setUp();
    const polling = runPolling(bot, { logger: log.logger }, stop.signal);
    await telegram.waitFor(() => log.messages().includes("polling started"), 5_000, "polling started");

    const slow = telegram.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 500 });
    telegram.sendUserMessage({ from: user, text: "khó khăn" });
    await telegram.waitFor(() => slow.remaining === 0, 5_000, "the slow sendMessage to start");
    stop.abort();
    await polling;

    expect(telegram.messagesTo(user.id)).toHaveLength(1); // answered before runPolling resolved
    expect(telegram.pendingUpdates).toHaveLength(0); // confirmed: a restart will not see it again
    expect(log.messages()).toContain("polling stopped");
    const polls = telegram.callsTo("getUpdates").length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(telegram.callsTo("getUpdates")).toHaveLength(polls); // nothing polls any more
  });

  it("a signal aborted before the start – resolves without calling Telegram", async () => {
    const { telegram, bot, log, stop } = await setUp();
    stop.abort();
    await runPolling(bot, { logger: log.logger }, stop.signal);
    expect(telegram.calls).toEqual([]);
    expect(log.messages()).toContain("polling stopped before it started");
  });

  it("409 on getUpdates – rejects with a DeliveryError: another instance is polling", async () => {
    const { telegram, bot, log, stop } = await setUp();
    telegram.injectFault({
      method: "getUpdates",
      error: { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" },
    });
    const failure = await runPolling(bot, { logger: log.logger }, stop.signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as Error).message).toMatch(/^polling failed: GrammyError getUpdates 409 Conflict: .* — another process is receiving this bot's updates/);
  });

  it("401 on getUpdates – the DeliveryError says BOT_TOKEN is refused, and holds no token", async () => {
    const { telegram, bot, log, stop } = await setUp();
    telegram.injectFault({ method: "getUpdates", error: { error_code: 401, description: "Unauthorized" } });
    const failure = (await runPolling(bot, { logger: log.logger }, stop.signal).catch((error: unknown) => error)) as DeliveryError;
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure.message).toContain("Telegram does not accept BOT_TOKEN: check it with @BotFather");
    expect(`${failure.message} ${JSON.stringify(failure.details)} ${log.text()}`).not.toContain(SECRET_PART);
  });
});
