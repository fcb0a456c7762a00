/**
 * runWebhook against the Bot API emulator, both on 127.0.0.1: the emulator posts updates to the
 * webhook server as Telegram does. It stops when its signal aborts, after the update in flight is
 * answered; it refuses a wrong secret; a webhook Telegram refuses ends it with a DeliveryError.
 */
import type { Update, User } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/create-bot.js";
import { DeliveryError } from "../../src/bot/delivery.js";
import { runWebhook } from "../../src/bot/webhook.js";
import { TEST_TOKEN, freePort } from "../../testkit/bot-process.js";
import { type Emulator, startEmulator } from "../../testkit/emulator.js";
import { recordingLogger } from "../../testkit/recording-logger.js";
import { seedIndex } from "../knowledge/helpers.js";

const SECRET = "unit_Webhook-secret_7";
const PATH = "/telegram/hook";
const user: User = { id: 8301, is_bot: false, first_name: "Lan", language_code: "vi" };

let emu: Emulator | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A bot in this process whose API is the emulator, and the options of its webhook on a free port. */
async function setUp() {
  const telegram = await startEmulator({ token: TEST_TOKEN, webhook: { timeoutMs: 5_000, retryDelayMs: 50 } });
  emu = telegram;
  const log = recordingLogger();
  const knowledge = seedIndex();
  const { bot } = createBot(TEST_TOKEN, { knowledge, logger: log.logger }, { apiRoot: telegram.apiRoot, botInfo: telegram.botInfo, rateLimit: false });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const options = { webhookUrl: `${origin}${PATH}`, webhookSecret: SECRET, host: "127.0.0.1", port, logger: log.logger, knowledge };
  return { telegram, bot, log, origin, options, stop: new AbortController() };
}

function privateMessage(updateId: number, text: string): Update {
  return {
    update_id: updateId,
    message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: user.id, type: "private", first_name: user.first_name }, from: user, text },
  };
}

/** Whether nothing listens on `origin` any more. */
async function refusesConnections(origin: string): Promise<boolean> {
  return fetch(`${origin}/health`).then(
    () => false,
    () => true,
  );
}

describe("runWebhook", () => {
  it("abort – the update in flight is answered, then the server closes and it resolves", { timeout: 15_000 }, async () => {
    const { telegram, bot, log, origin, options, stop } = await setUp();
    const serving = runWebhook(bot, options, stop.signal);
    await telegram.waitFor(() => log.messages().includes("webhook started"), 5_000, "webhook started");
    expect(telegram.callsTo("setWebhook")[0]?.payload).toMatchObject({ url: options.webhookUrl, secret_token: SECRET, drop_pending_updates: false });

    const slow = telegram.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 500 });
    telegram.sendUserMessage({ from: user, text: "khó khăn" });
    await telegram.waitFor(() => slow.remaining === 0, 5_000, "the slow sendMessage to start");
    stop.abort();
    await serving;

    expect(telegram.messagesTo(user.id)).toHaveLength(1); // answered before runWebhook resolved
    expect(log.messages()).toContain("webhook stopped");
    expect(await refusesConnections(origin)).toBe(true);
  });

  it("a wrong or missing secret – 401, the update is not handled, the secret is not logged", { timeout: 15_000 }, async () => {
    const { telegram, bot, log, origin, options, stop } = await setUp();
    const serving = runWebhook(bot, options, stop.signal);
    await telegram.waitFor(() => log.messages().includes("webhook started"), 5_000, "webhook started");
    const post = (secret?: string) =>
      fetch(`${origin}${PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret !== undefined && { "x-telegram-bot-api-secret-token": secret }) },
        body: JSON.stringify(privateMessage(900_001, "khó khăn")),
      });
    expect((await post("not-the-secret")).status).toBe(401);
    expect((await post()).status).toBe(401);
    stop.abort();
    await serving;
    expect(telegram.callsTo("sendMessage")).toEqual([]);
    expect(log.messages().filter((m) => m.startsWith("webhook request refused"))).toHaveLength(2);
    expect(log.text()).not.toContain(SECRET);
  });

  it("a signal aborted before the start – opens no port and sets no webhook", async () => {
    const { telegram, bot, log, origin, options, stop } = await setUp();
    stop.abort();
    await runWebhook(bot, options, stop.signal);
    expect(telegram.calls).toEqual([]);
    expect(await refusesConnections(origin)).toBe(true);
    expect(log.messages()).toContain("webhook stopped before it started");
  });

  it("Telegram refuses the webhook URL – a DeliveryError that says so, and the port is closed again", async () => {
    const { telegram, bot, log, origin, options, stop } = await setUp();
    telegram.injectFault({ method: "setWebhook", error: { error_code: 400, description: "Bad Request: bad webhook: HTTPS url must be provided for webhook" } });
    const failure = await runWebhook(bot, options, stop.signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as Error).message).toMatch(/^webhook failed: GrammyError setWebhook 400 Bad Request: bad webhook: .* — Telegram refused WEBHOOK_URL/);
    expect(await refusesConnections(origin)).toBe(true);
    expect(log.text()).not.toContain(SECRET);
  });
});
