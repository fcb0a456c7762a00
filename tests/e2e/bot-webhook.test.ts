/**
 * End to end, webhook: the real bot process (BOT_MODE=webhook) listening on 127.0.0.1, the
 * emulator setting nothing but delivering every update to it over HTTP with the secret header,
 * retrying (like Telegram) an update not answered 2xx in time.
 */
import type { Update, User } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/create-bot.js";
import { type WebhookServer, startWebhookServer } from "../../src/bot/webhook.js";
import { createLogger } from "../../src/logger.js";
import { seedIndex } from "../knowledge/helpers.js";
import { type BotProcess, TEST_TOKEN, botEnv, freePort, killAllBots, startBotProcess, unprovokedFailures } from "../../testkit/bot-process.js";
import { type Emulator, type SentMessage, startEmulator } from "../../testkit/emulator.js";

const SECRET = "e2e_Webhook-secret_42";
const PATH = "/telegram/hook";
/** The emulator gives up on a delivery after this long and sends the update again. */
const DELIVERY_TIMEOUT_MS = 1_000;

let emu: Emulator;
let bot: BotProcess;
let origin = "";
let nextId = 7000;

function newUser(): User {
  const id = ++nextId;
  return { id, is_bot: false, first_name: `Người dùng ${id}`, language_code: "vi" };
}

async function say(from: User, text: string): Promise<SentMessage> {
  const after = emu.seq;
  emu.sendUserMessage({ from, text });
  return emu.waitForMessage(from.id, () => true, { after, timeoutMs: 10_000 });
}

/** POSTs an update to the bot's webhook as Telegram would (or with another secret). */
async function post(update: unknown, secret: string | null = SECRET): Promise<Response> {
  return fetch(`${origin}${PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret !== null && { "x-telegram-bot-api-secret-token": secret }) },
    body: JSON.stringify(update),
  });
}

function privateMessage(updateId: number, from: User, text: string): Update {
  return {
    update_id: updateId,
    message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: from.id, type: "private", first_name: from.first_name }, from, text },
  };
}

describe("the bot process, webhook", () => {
  let testStart = 0;

  beforeAll(async () => {
    emu = await startEmulator({ token: TEST_TOKEN, webhook: { timeoutMs: DELIVERY_TIMEOUT_MS, retryDelayMs: 50 } });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    bot = startBotProcess(
      botEnv(emu.apiRoot, { BOT_MODE: "webhook", WEBHOOK_URL: `${origin}${PATH}`, WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port) }),
    );
    await bot.waitForLog("webhook started", 25_000);
  });

  afterAll(async () => {
    await killAllBots();
    await emu?.close();
  });

  beforeEach(() => {
    testStart = emu.seq;
  });

  afterEach(() => {
    emu.clearFaults();
    expect(unprovokedFailures(emu, testStart)).toEqual([]);
  });

  it("sets the webhook with the secret, the allowed updates, and pending updates kept", () => {
    const [call, ...more] = emu.callsTo("setWebhook");
    expect(more).toHaveLength(0);
    expect(call?.ok).toBe(true);
    expect(call?.payload).toMatchObject({ url: `${origin}${PATH}`, secret_token: SECRET, drop_pending_updates: false });
    expect([...(call?.payload.allowed_updates as string[])].sort()).toEqual(
      ["callback_query", "channel_post", "chosen_inline_result", "edited_message", "inline_query", "message", "my_chat_member"],
    );
  });

  it("answers the updates the emulator delivers: a question, a button, an inline query", async () => {
    const user = newUser();
    const answer = await say(user, "khó khăn");
    expect(answer.plain).toContain("khó khăn, hạn chế");

    const after = emu.seq;
    const data = (answer.replyMarkup as { inline_keyboard: { callback_data?: string }[][] }).inline_keyboard
      .flat()
      .map((b) => b.callback_data)
      .find((d) => d?.startsWith("n:"));
    emu.pressButton(user.id, answer.messageId!, data!, user);
    const edit = await emu.waitForMessage(user.id, (m) => m.kind === "edit", { after, timeoutMs: 10_000 });
    expect(edit.plain).toMatch(/Kết quả 2\/\d/);
    await emu.waitForCall("answerCallbackQuery", () => true, { after });

    const inline = emu.sendInlineQuery(user, "");
    const queryId = emu.update(inline)?.inline_query?.id;
    const call = await emu.waitForCall("answerInlineQuery", (c) => c.payload.inline_query_id === queryId, { timeoutMs: 10_000 });
    expect(call.ok).toBe(true);

    // A delivery is recorded when the bot's 200 arrives, just after its last API call.
    const deliveries = await emu.waitFor(() => {
      const list = emu.webhookDeliveries.filter((d) => d.seq > testStart);
      return list.length >= 3 && list;
    });
    expect(deliveries.every((d) => d.ok && d.status === 200 && d.attempt === 1)).toBe(true);
  });

  it("refuses a wrong or missing secret with 401 and does not handle the update", async () => {
    const user = newUser();
    const wrong = await post(privateMessage(900_001, user, "khó khăn"), "not-the-secret");
    expect(wrong.status).toBe(401);
    const missing = await post(privateMessage(900_002, user, "khó khăn"), null);
    expect(missing.status).toBe(401);
    await bot.waitForLog((l) => l.msg?.startsWith("webhook request refused") === true);
    // A real update for the same user afterwards: its answer is the only message in the chat.
    await say(user, "nhiệm vụ trọng tâm");
    expect(emu.messagesTo(user.id)).toHaveLength(1);
    expect(bot.output()).not.toContain(SECRET);
  });

  it("/health answers 200 with the article counts; other paths 404", async () => {
    const health = await fetch(`${origin}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toContain("application/json");
    const body = (await health.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", articles: 1, passages: 7 });
    expect(body.uptimeSeconds).toEqual(expect.any(Number));

    expect((await fetch(`${origin}/nope`)).status).toBe(404);
    expect((await fetch(`${origin}${PATH}`)).status).toBe(404); // GET on the hook
  });

  it("a re-delivered update_id is answered once", async () => {
    const user = newUser();
    const after = emu.seq;
    const updateId = emu.sendUserMessage({ from: user, text: "khó khăn" });
    await emu.waitForMessage(user.id, () => true, { after, timeoutMs: 10_000 });
    // Telegram sends the same update again (its first delivery looked failed to it).
    const again = await post(emu.update(updateId));
    expect(again.status).toBe(200);
    await bot.waitForLog((l) => l.msg === "duplicate update ignored" && l.update_id === updateId);
    // Handled before the 200: had it been answered again, that answer would be here by now.
    await say(user, "nhiệm vụ trọng tâm");
    expect(emu.messagesTo(user.id)).toHaveLength(2);
  });

  it("an update whose delivery timed out and was retried by Telegram is answered once", async () => {
    const user = newUser();
    // The answer takes longer than the emulator waits for the webhook: it retries the update.
    emu.injectFault({ method: "sendMessage", chatId: user.id, delayMs: DELIVERY_TIMEOUT_MS + 500 });
    const after = emu.seq;
    const updateId = emu.sendUserMessage({ from: user, text: "khó khăn" });
    await emu.waitForMessage(user.id, () => true, { after, timeoutMs: 10_000 });
    const deliveries = await emu.waitFor(() => {
      const list = emu.webhookDeliveries.filter((d) => d.updateId === updateId);
      return list.some((d) => d.ok) && list;
    });
    expect(deliveries.map((d) => d.ok)).toEqual([false, true]);
    await say(user, "nhiệm vụ trọng tâm");
    expect(emu.messagesTo(user.id)).toHaveLength(2);
  });

  // Last: stops the shared process.
  it("SIGTERM with an answer in flight: the answer is delivered, exit 0", async () => {
    const user = newUser();
    const slow = emu.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 700 });
    const after = emu.seq;
    emu.sendUserMessage({ from: user, text: "khó khăn" });
    await emu.waitFor(() => slow.remaining === 0, 10_000, "the slow sendMessage to start");
    const exit = bot.stop("SIGTERM");
    const answer = await emu.waitForMessage(user.id, () => true, { after, timeoutMs: 10_000 });
    expect(answer.plain).toContain("khó khăn, hạn chế");
    expect(await exit).toEqual({ code: 0, signal: null });
    // The process waited for the answer (an open request alone would also keep it alive).
    const stopped = await bot.waitForLog("webhook stopped", 1_000);
    expect(stopped.time).toBeGreaterThanOrEqual(answer.at);
    expect(bot.output()).not.toContain(TEST_TOKEN.split(":")[1]);
    expect(bot.output()).not.toContain(SECRET);
  });
});

/** The webhook server in-process (port 0), for what the process test cannot time precisely. */
describe("startWebhookServer", () => {
  let own: Emulator;
  let server: WebhookServer;
  const user: User = { id: 8101, is_bot: false, first_name: "Lan", language_code: "vi" };

  beforeEach(async () => {
    own = await startEmulator({ token: TEST_TOKEN });
    own.addChat({ id: user.id, type: "private", first_name: user.first_name });
    const logger = createLogger({ level: "silent", format: "json" });
    const knowledge = seedIndex();
    const { bot } = createBot(TEST_TOKEN, { knowledge, logger }, { apiRoot: own.apiRoot, botInfo: own.botInfo, rateLimit: false });
    server = await startWebhookServer(bot, { path: PATH, secret: SECRET, host: "127.0.0.1", port: 0, logger, knowledge, answerWithinMs: 200 });
    origin = server.origin;
  });

  afterEach(async () => {
    await server.close(2_000);
    await own.close();
  });

  it("a refused request's connection is closed at once, however long its body goes on", async () => {
    const { connect } = await import("node:net");
    const url = new URL(origin);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // A body announced as 100 MB, of which only the start is sent: the 401 must not wait for the rest.
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Length: 104857600\r\n\r\n{"update_id":1`);
    const started = performance.now();
    let answer = "";
    socket.setEncoding("utf8").on("data", (d: string) => (answer += d));
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("answers 400 to a body that is not an update", async () => {
    const res = await fetch(`${origin}${PATH}`, { method: "POST", headers: { "x-telegram-bot-api-secret-token": SECRET }, body: "{not json" });
    expect(res.status).toBe(400);
    expect((await post({ message: "no update_id" })).status).toBe(400);
    expect(own.calls).toHaveLength(0);
  });

  it("answers a slow update early, finishes it, and close() waits for it", async () => {
    own.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 800 });
    const res = await post(privateMessage(1, user, "khó khăn"));
    expect(res.status).toBe(200); // after answerWithinMs, not after the slow answer
    expect(own.sent).toHaveLength(0);
    expect(server.inFlight).toBe(1);
    await server.close(5_000);
    expect(own.messagesTo(user.id)).toHaveLength(1); // delivered before close() resolved
    expect(server.inFlight).toBe(0);
  });
});
