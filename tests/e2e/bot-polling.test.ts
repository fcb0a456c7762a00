/**
 * End to end, long polling: the real bot process (`src/cli/start.ts`) against the Bot API
 * emulator over HTTP. One process serves the feature tests (each test uses its own users and
 * chats, so the per-user rate limit and earlier tests do not interfere); the shutdown tests start
 * their own. The emulator validates every HTML message, keyboard and inline result the way
 * Telegram does (strict mode), so an answer that arrives is an answer Telegram would accept.
 */
import type { Chat, InlineKeyboardButton, User } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GROUP_COMMANDS, PRIVATE_COMMANDS } from "../../src/bot/command-menus.js";
import { type BotProcess, TEST_TOKEN, botEnv, freePort, killAllBots, startBotProcess, unprovokedFailures } from "../../testkit/bot-process.js";
import { type Emulator, type SentMessage, startEmulator } from "../../testkit/emulator.js";

const BOT_USERNAME = "hoibao_test_bot";
/** The seed article: an interview with three questions, seven passages. */
const QUESTIONS = 3;

let emu: Emulator;
let bot: BotProcess;
let nextId = 5000;

function newUser(language_code = "vi"): User {
  const id = ++nextId;
  return { id, is_bot: false, first_name: `Người dùng ${id}`, language_code };
}

function buttons(message: SentMessage): InlineKeyboardButton[] {
  const markup = message.replyMarkup as { inline_keyboard?: InlineKeyboardButton[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

function callbackData(message: SentMessage, prefix: string): string {
  const data = buttons(message).flatMap((b) => ("callback_data" in b ? [b.callback_data] : []));
  const found = data.find((d) => d.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix}… button in ${JSON.stringify(data)}`);
  return found;
}

/** A user writes `text` (in a private chat unless `chat` is given); resolves with the bot's next message there. */
async function say(from: User, text: string, opts: { chat?: Chat; replyTo?: number } = {}): Promise<SentMessage> {
  const after = emu.seq;
  const chatId = opts.chat?.id ?? from.id;
  emu.sendUserMessage({ from, text, ...(opts.chat && { chat: opts.chat }), ...(opts.replyTo !== undefined && { replyTo: opts.replyTo }) });
  return emu.waitForMessage(chatId, () => true, { after, timeoutMs: 10_000 });
}

/** The message_id the emulator gave to the user's message of update `updateId`. */
function messageIdOf(updateId: number): number {
  const id = emu.update(updateId)?.message?.message_id;
  if (id === undefined) throw new Error(`update ${updateId} has no message`);
  return id;
}

/** Presses a button; resolves with the answerCallbackQuery call of that press. */
async function press(message: SentMessage, data: string, from: User, opts: { force?: boolean } = {}) {
  const updateId = emu.pressButton(message.chatId!, message.messageId!, data, from, opts);
  const queryId = emu.update(updateId)?.callback_query?.id;
  return emu.waitForCall("answerCallbackQuery", (c) => c.payload.callback_query_id === queryId, { timeoutMs: 10_000 });
}

/** Calls that failed although no fault was injected: every one is a bug (bad HTML, bad button…). */
describe("the bot process, long polling", () => {
  let testStart = 0;

  beforeAll(async () => {
    emu = await startEmulator({ token: TEST_TOKEN, bot: { username: BOT_USERNAME } });
    bot = startBotProcess(botEnv(emu.apiRoot));
    await bot.waitForLog("polling started", 25_000);
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

  it("started cleanly: webhook deleted, polling the allowed updates", async () => {
    expect(emu.callsTo("deleteWebhook")).toHaveLength(1);
    // The first long poll is still open (the emulator records a call when it ends): ask the
    // emulator, as Telegram would answer, which updates the bot asked for.
    const info = (await (await fetch(`${emu.apiRoot}/bot${TEST_TOKEN}/getWebhookInfo`)).json()) as { result: { url: string; allowed_updates?: string[] } };
    expect(info.result.url).toBe("");
    expect([...(info.result.allowed_updates ?? [])].sort()).toEqual(
      ["callback_query", "channel_post", "chosen_inline_result", "edited_message", "inline_query", "message", "my_chat_member"],
    );
  });

  it("answers a private question with the passage, its source link and buttons", async () => {
    const user = newUser();
    const answer = await say(user, "khó khăn");
    expect(answer.parseMode).toBe("HTML");
    expect(answer.plain).toContain("công tác dân vận tại tỉnh vẫn còn một số khó khăn, hạn chế nhất định");
    expect(answer.plain).toContain("Dương Sà Kha");
    expect(answer.entities.some((e) => e.type === "blockquote" || e.type === "expandable_blockquote")).toBe(true);
    expect(answer.entities.some((e) => e.type === "text_link" && e.url.startsWith("https://baosoctrang.org.vn"))).toBe(true);
    callbackData(answer, "n:"); // next match
    callbackData(answer, "qs:"); // other questions
    expect(buttons(answer).some((b) => "switch_inline_query" in b)).toBe(true);
  });

  it("/start, /help, /questions, then a question button (answerCallbackQuery always called)", async () => {
    const user = newUser();
    const welcome = await say(user, "/start");
    expect(welcome.plain).toContain("Xin chào");
    expect(buttons(welcome)).toHaveLength(QUESTIONS);

    const help = await say(user, "/help");
    expect(help.plain).toContain(`@${BOT_USERNAME}`);

    const questions = await say(user, "/questions");
    expect(questions.plain).toContain("Các câu hỏi của bài phỏng vấn");
    expect(buttons(questions)).toHaveLength(QUESTIONS);

    const after = emu.seq;
    const ack = await press(questions, callbackData(questions, "q:"), user);
    expect(ack.ok).toBe(true);
    const answer = await emu.waitForMessage(user.id, (m) => m.kind === "message", { after, timeoutMs: 10_000 });
    expect(answer.plain).toContain("Dân vận khéo");
  });

  it("'next match' edits the answer in place", async () => {
    const user = newUser();
    const first = await say(user, "khó khăn");
    expect(first.plain).toMatch(/Kết quả 1\/\d/);
    const after = emu.seq;
    const ack = await press(first, callbackData(first, "n:"), user);
    expect(ack.ok).toBe(true);
    const edit = await emu.waitForMessage(user.id, (m) => m.kind === "edit", { after, timeoutMs: 10_000 });
    expect(edit.messageId).toBe(first.messageId);
    expect(edit.plain).toMatch(/Kết quả 2\/\d/);
    expect(emu.messagesTo(user.id).filter((m) => m.seq > after && m.kind === "message")).toHaveLength(0);
  });

  it("a forged callback_data gets a polite answerCallbackQuery and the bot carries on", async () => {
    const user = newUser();
    const answer = await say(user, "khó khăn");
    const ack = await press(answer, "zz:evil", user, { force: true });
    expect(ack.ok).toBe(true);
    expect(ack.payload.text).toMatch(/hết hạn/);
    const next = await say(user, "nhiệm vụ trọng tâm");
    expect(next.plain).toContain("nhiệm vụ trọng tâm");
  });

  describe("in a group", () => {
    const group: Chat = { id: -4001, type: "group", title: "Nhóm đọc báo" };

    it("answers /ask@bot as a reply", async () => {
      const user = newUser();
      const after = emu.seq;
      const updateId = emu.sendUserMessage({ chat: group, from: user, text: `/ask@${BOT_USERNAME} khó khăn` });
      const answer = await emu.waitForMessage(group.id, () => true, { after, timeoutMs: 10_000 });
      expect(answer.replyToMessageId).toBe(messageIdOf(updateId));
      expect(answer.plain).toContain("khó khăn, hạn chế");
    });

    it("ignores ordinary chatter, answers a mention", async () => {
      const user = newUser();
      const after = emu.seq;
      emu.sendUserMessage({ chat: group, from: user, text: "hôm nay trời đẹp, khó khăn gì đâu" });
      const mention = emu.sendUserMessage({ chat: group, from: user, text: `@${BOT_USERNAME} khó khăn?` });
      const answer = await emu.waitForMessage(group.id, () => true, { after, timeoutMs: 10_000 });
      expect(answer.replyToMessageId).toBe(messageIdOf(mention));
      expect(answer.plain).toContain("khó khăn, hạn chế");
      // The chatter came first; by the time the mention is answered it has long been handled.
      expect(emu.messagesTo(group.id).filter((m) => m.seq > after)).toHaveLength(1);
    });

    it("answers a reply to one of its messages", async () => {
      const user = newUser();
      const first = await say(user, `/ask@${BOT_USERNAME} khó khăn`, { chat: group });
      const replyUpdate = emu.sendUserMessage({ chat: group, from: user, text: "còn nhiệm vụ trọng tâm?", replyTo: first.messageId! });
      const answer = await emu.waitForMessage(group.id, (m) => m.seq > first.seq, { timeoutMs: 10_000 });
      expect(answer.replyToMessageId).toBe(messageIdOf(replyUpdate));
      expect(answer.plain).toContain("nhiệm vụ trọng tâm");
    });
  });

  describe("inline mode", () => {
    it("'khó khăn' lists passages whose message_text is valid HTML", async () => {
      const user = newUser();
      const updateId = emu.sendInlineQuery(user, "khó khăn");
      const queryId = emu.update(updateId)?.inline_query?.id;
      const call = await emu.waitForCall("answerInlineQuery", (c) => c.payload.inline_query_id === queryId, { timeoutMs: 10_000 });
      expect(call.ok).toBe(true); // the emulator parsed every message_text as Telegram HTML
      const answer = emu.inlineAnswers.find((a) => a.inlineQueryId === queryId)!;
      expect(answer.results.length).toBeGreaterThan(0);
      for (const result of answer.results) {
        const content = result.input_message_content as { message_text: string; parse_mode?: string };
        expect(content.parse_mode).toBe("HTML");
        expect(emu.plainText(content.message_text)).toContain("baosoctrang.org.vn");
      }
      expect(emu.plainText((answer.results[0]!.input_message_content as { message_text: string }).message_text)).toContain("khó khăn");
    });

    it("an empty query lists the interview's questions", async () => {
      const user = newUser();
      const updateId = emu.sendInlineQuery(user, "");
      const queryId = emu.update(updateId)?.inline_query?.id;
      const call = await emu.waitForCall("answerInlineQuery", (c) => c.payload.inline_query_id === queryId, { timeoutMs: 10_000 });
      expect(call.ok).toBe(true);
      const answer = emu.inlineAnswers.find((a) => a.inlineQueryId === queryId)!;
      expect(answer.results).toHaveLength(QUESTIONS);
      expect(answer.results.map((r) => r.title)).toContain("Thưa đồng chí, quá trình thực hiện công tác dân vận thời gian qua còn những khó khăn, hạn chế gì?");
    });
  });

  it("set the command menus for private chats and groups, in Vietnamese (default) and English", () => {
    const names = (scope: string, lang?: string) => emu.commandsFor({ type: scope }, lang).map((c) => c.command);
    for (const lang of [undefined, "vi", "en"]) {
      expect(names("all_private_chats", lang)).toEqual([...PRIVATE_COMMANDS]);
      expect(names("all_group_chats", lang)).toEqual([...GROUP_COMMANDS]);
      expect(names("all_private_chats", lang)).toEqual(expect.arrayContaining(["start", "ask", "questions", "help"]));
      expect(names("all_group_chats", lang)).toEqual(expect.arrayContaining(["ask", "questions", "help"]));
    }
    const startDescription = (lang?: string) => emu.commandsFor({ type: "all_private_chats" }, lang).find((c) => c.command === "start")?.description;
    expect(startDescription()).toBe("Bắt đầu");
    expect(startDescription("vi")).toBe("Bắt đầu");
    expect(startDescription("en")).toBe("Start");
  });

  it("speaks English to an English-speaking user", async () => {
    const user = newUser("en");
    const welcome = await say(user, "/start");
    expect(welcome.plain).toContain("Hello");
    const answer = await say(user, "khó khăn");
    expect(answer.plain).toMatch(/Match 1 of \d/);
    expect(buttons(answer).map((b) => b.text)).toContain("➡️ Next match");
  });

  describe("Telegram failures", () => {
    it("a 429 (retry_after 1) on sendMessage is waited out and the answer still arrives", async () => {
      const user = newUser();
      emu.injectFault({
        method: "sendMessage",
        chatId: user.id,
        error: { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
      });
      const answer = await say(user, "khó khăn");
      expect(answer.plain).toContain("khó khăn, hạn chế");
      const sends = emu.callsTo("sendMessage").filter((c) => c.payload.chat_id === user.id);
      expect(sends.map((c) => c.ok)).toEqual([false, true]);
      expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(900);
    });

    it("a 500 on sendMessage is retried", async () => {
      const user = newUser();
      emu.injectFault({ method: "sendMessage", chatId: user.id, error: { error_code: 500, description: "Internal Server Error" } });
      const answer = await say(user, "khó khăn");
      expect(answer.plain).toContain("khó khăn, hạn chế");
      const sends = emu.callsTo("sendMessage").filter((c) => c.payload.chat_id === user.id);
      expect(sends.map((c) => c.ok)).toEqual([false, true]);
    });

    it("a 400 is not retried: the user gets the error message, the log the reason, never the token", async () => {
      const user = newUser();
      emu.injectFault({ method: "sendMessage", chatId: user.id, error: { error_code: 400, description: "Bad Request: chat not found" } });
      const reply = await say(user, "khó khăn");
      expect(reply.plain).toContain("Có lỗi");
      const logged = await bot.waitForLog((l) => l.msg === "handler failed" && JSON.stringify(l).includes("chat not found"));
      expect(logged.level).toBe(50);
      const [, secretPart] = TEST_TOKEN.split(":");
      expect(bot.output()).not.toContain(TEST_TOKEN);
      expect(bot.output()).not.toContain(secretPart);
    });
  });

  // Last: stops the shared process.
  it("SIGTERM with an answer in flight: the answer is delivered, the update confirmed, exit 0", async () => {
    const user = newUser();
    const slow = emu.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 1_500 });
    const after = emu.seq;
    emu.sendUserMessage({ from: user, text: "khó khăn" });
    await emu.waitFor(() => slow.remaining === 0, 10_000, "the slow sendMessage to start");
    const exit = bot.stop("SIGTERM");
    const answer = await emu.waitForMessage(user.id, () => true, { after, timeoutMs: 10_000 });
    expect(answer.plain).toContain("khó khăn, hạn chế");
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(emu.pendingUpdates).toHaveLength(0); // confirmed: a restart will not answer it again
    // The process waited for the answer (an open request alone would also keep it alive).
    const stopped = await bot.waitForLog("polling stopped", 1_000);
    expect(stopped.time).toBeGreaterThanOrEqual(answer.at);
    expect(bot.output()).not.toContain(TEST_TOKEN.split(":")[1]);
  });
});

describe("the bot process, shutdown", () => {
  let own: Emulator | undefined;

  afterEach(async () => {
    await killAllBots();
    await own?.close();
    own = undefined;
  });

  it("a second signal exits at once, without waiting for the update in flight", async () => {
    own = await startEmulator({ token: TEST_TOKEN, bot: { username: BOT_USERNAME } });
    const proc = startBotProcess(botEnv(own.apiRoot));
    await proc.waitForLog("polling started", 25_000);
    const user = newUser();
    const stuck = own.injectFault({ method: "sendMessage", chatId: user.id, delayMs: 20_000 });
    own.sendUserMessage({ from: user, text: "khó khăn" });
    await own.waitFor(() => stuck.remaining === 0, 10_000, "the stuck sendMessage to start");
    proc.child.kill("SIGTERM");
    await proc.waitForLog(/^stopping/, 5_000);
    const started = Date.now();
    const exit = await proc.stop("SIGTERM", 5_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeLessThan(3_000);
    await proc.waitForLog("second signal: exiting now", 1_000);
  });
});

describe("the bot process, long polling with PORT set", () => {
  it("GET /health reports Telegram reachable, the last update, the outbox and the database", async () => {
    const own = await startEmulator({ token: TEST_TOKEN, bot: { username: BOT_USERNAME } });
    const port = await freePort();
    const proc = startBotProcess(botEnv(own.apiRoot, { PORT: String(port), HOST: "127.0.0.1" }));
    try {
      await proc.waitForLog("polling started", 25_000);
      await proc.waitForLog("health check listening", 5_000);
      const user = newUser();
      own.sendUserMessage({ from: user, text: "khó khăn" });
      await own.waitForMessage(user.id, () => true, { timeoutMs: 10_000 });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: "ok", mode: "polling", telegram: { reachable: true }, database: "ok", articles: 1 });
      expect(typeof body.lastUpdateAt).toBe("string");
      expect(body.outbox).toMatchObject({ pending: 0 });
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await proc.stop("SIGTERM", 10_000);
      await own.close();
    }
  });
});
