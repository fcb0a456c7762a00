import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Bot, GrammyError, HttpError, InlineKeyboard, webhookCallback } from "grammy";
import type { Chat, Update, User } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detectEntities, parseHtml } from "../../src/telegram-sim/html.js";
import { startEmulator, type Emulator } from "../../testkit/emulator.js";

const alice: User = { id: 1001, is_bot: false, first_name: "Alice", username: "alice", language_code: "vi" };
const bob: User = { id: 1002, is_bot: false, first_name: "Bob" };
const group: Chat = { id: -200300, type: "group", title: "Nhóm thử" };
const supergroup: Chat = { id: -1001234567890, type: "supergroup", title: "Siêu nhóm" };
const channel: Chat = { id: -1009876543210, type: "channel", title: "Kênh", username: "kenh_thu" };

interface ApiResponse {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** A raw Bot API call, for what grammY's typed client would refuse to send. */
async function raw(emu: Emulator, method: string, body: unknown = {}, token = emu.token): Promise<ApiResponse & { status: number }> {
  const res = await fetch(`${emu.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as ApiResponse) };
}

/** The GrammyError a promise rejects with. */
async function apiError(promise: Promise<unknown>): Promise<GrammyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

let emu: Emulator;
const servers: Server[] = [];
const bots: Bot[] = [];

function newBot(): Bot {
  const bot = new Bot(emu.token, { client: { apiRoot: emu.apiRoot } });
  bots.push(bot);
  return bot;
}

async function listen(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** Resolves when `check` holds, polling; rejects after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface HookHit {
  updateId: number;
  /** The chat, else the sender, as the emulator orders deliveries; "none" for neither. */
  key: string;
  status: number;
}

function hookKey(update: Update): string {
  const chat = update.message?.chat ?? update.callback_query?.message?.chat;
  if (chat !== undefined) return `chat ${chat.id}`;
  const from = update.inline_query?.from ?? update.callback_query?.from;
  return from === undefined ? "none" : `user ${from.id}`;
}

/**
 * A webhook that answers each update after `holdMs` (with `status(update)`), recording the
 * requests, how many were in flight at most (overall and per key) and its TCP connections.
 */
async function slowHook(holdMs: number, status: (update: Update) => number = () => 200) {
  const hits: HookHit[] = [];
  const perKey = new Map<string, number>();
  const open = new Set<Socket>();
  const stats = { inFlight: 0, maxInFlight: 0, maxPerKey: 0, connections: 0 };
  const url = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const update = JSON.parse(Buffer.concat(chunks).toString()) as Update;
      const hit = { updateId: update.update_id, key: hookKey(update), status: status(update) };
      hits.push(hit);
      stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
      const keyed = (perKey.get(hit.key) ?? 0) + 1;
      perKey.set(hit.key, keyed);
      if (hit.key !== "none") stats.maxPerKey = Math.max(stats.maxPerKey, keyed);
      setTimeout(() => {
        stats.inFlight--;
        perKey.set(hit.key, (perKey.get(hit.key) ?? 1) - 1);
        res.writeHead(hit.status).end();
      }, holdMs);
    });
  });
  servers[servers.length - 1]?.on("connection", (socket: Socket) => {
    stats.connections++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  return {
    url,
    hits,
    stats,
    get openSockets() {
      return open.size;
    },
  };
}

beforeEach(async () => {
  emu = await startEmulator();
});

afterEach(async () => {
  for (const bot of bots.splice(0)) if (bot.isRunning()) await bot.stop();
  await emu.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("identity and routing", () => {
  it("answers getMe with the configured bot and rejects a wrong token", async () => {
    const bot = new Bot("123:abc", { client: { apiRoot: emu.apiRoot } });
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: 123, is_bot: true, username: "hoibao_test_bot" });

    const wrong = await raw(emu, "getMe", {}, "999:nope");
    expect(wrong).toMatchObject({ status: 401, ok: false, error_code: 401, description: "Unauthorized" });
  });

  it("takes a custom identity and answers unknown methods with 404", async () => {
    const other = await startEmulator({ token: "42:secret", bot: { username: "other_bot", first_name: "Other" } });
    try {
      expect((await raw(other, "getMe")).result).toMatchObject({ id: 42, username: "other_bot", first_name: "Other" });
      expect(await raw(other, "sendTelepathy")).toMatchObject({ status: 404, description: "Not Found: method not found" });
    } finally {
      await other.close();
    }
  });

  it("accepts form-urlencoded bodies and method names in any case", async () => {
    emu.addChat({ id: alice.id, type: "private", first_name: "Alice" });
    const res = await fetch(`${emu.apiRoot}/bot${emu.token}/SENDMESSAGE`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: String(alice.id),
        text: "<b>hi</b>",
        parse_mode: "HTML",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "ok", callback_data: "ok" }]] }),
      }),
    });
    expect(((await res.json()) as ApiResponse).ok).toBe(true);
    expect(emu.sent[0]).toMatchObject({ plain: "hi", entities: [{ type: "bold", offset: 0, length: 2 }] });
  });
});

describe("HTML parse mode", () => {
  beforeEach(() => emu.addChat({ id: alice.id, type: "private", first_name: "Alice" }));

  it("accepts every supported tag and derives the entities", async () => {
    const bot = newBot();
    const html =
      '<b>B</b><strong>S</strong><i>I</i><em>E</em><u>U</u><ins>N</ins><s>S</s><strike>K</strike><del>D</del>' +
      '<span class="tg-spoiler">P</span><tg-spoiler>T</tg-spoiler><a href="https://vnexpress.net/a?b=1&amp;c=2">L</a>' +
      '<code>c</code><pre>p</pre><pre><code class="language-ts">x</code></pre><blockquote>q</blockquote>' +
      '<blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>' +
      " &lt;&gt;&amp;&quot; &#65;&#x42; Tiếng Việt";
    const message = await bot.api.sendMessage(alice.id, html, { parse_mode: "HTML" });
    expect(message.text).toBe('BSIEUNSKDPTLcpxqe👍 <>&" AB Tiếng Việt');
    const types = message.entities?.map((e) => e.type);
    expect(types).toEqual([
      "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough", "strikethrough",
      "strikethrough", "spoiler", "spoiler", "text_link", "code", "pre", "pre", "blockquote",
      "expandable_blockquote", "custom_emoji",
    ]);
    expect(message.entities).toContainEqual({ type: "text_link", offset: 11, length: 1, url: "https://vnexpress.net/a?b=1&c=2" });
    expect(message.entities).toContainEqual({ type: "pre", offset: 14, length: 1, language: "ts" });
    expect(message.entities).toContainEqual({ type: "custom_emoji", offset: 17, length: 2, custom_emoji_id: "5368324170671202286" });
    expect(emu.sent[0]?.text).toBe(html);
    expect(emu.plainText(emu.sent[0]!)).toBe(message.text);
  });

  it.each([
    ["<p>Xin chào</p>", 'Unsupported start tag "p" at byte offset 0'],
    ["Xin chào<br>", 'Unsupported start tag "br" at byte offset 9'],
    ["Tin mới <b>nóng", 'Can\'t find end tag corresponding to start tag "b"'],
    ["text</b>", "Unexpected end tag at byte offset 4"],
    ["<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
    ["1 < 2", 'Unsupported start tag "" at byte offset 2'],
    ["điểm <3 nhé", 'Unsupported start tag "3" at byte offset 8'],
    ["điểm <3", "Unclosed start tag at byte offset 8"],
    ["a <b", "Unclosed start tag at byte offset 2"],
    ["<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ["<a href=https://x.y>x</a>", "Unexpected end of name token at byte offset 8"],
    ["a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'],
    ["<blockquote>a<blockquote>b</blockquote></blockquote>", 'Tag "blockquote" can\'t be nested in tag "blockquote" at byte offset 13'],
    ["<code><b>x</b></code>", 'Tag "b" can\'t be nested in tag "code" at byte offset 6'],
    ["<pre><i>x</i></pre>", 'Tag "i" can\'t be nested in tag "pre" at byte offset 5'],
    ["<a>https://x.vn</a>", 'Tag "a" must have attribute "href" at byte offset 0'],
    ['<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"],
  ])("rejects %j", async (html, detail) => {
    const bot = newBot();
    const error = await apiError(bot.api.sendMessage(alice.id, html, { parse_mode: "HTML" }));
    expect(error.error_code).toBe(400);
    expect(error.description).toBe(`Bad Request: can't parse entities: ${detail}`);
    expect(emu.sent).toHaveLength(0);
    expect(emu.calls.at(-1)).toMatchObject({ method: "sendMessage", ok: false });
  });

  it("follows tdlib's leniency in telegram mode", () => {
    expect(parseHtml("a&nbsp;b", "telegram").text).toBe("a&nbsp;b");
    expect(parseHtml("<a>https://x.vn</a>", "telegram").entities).toEqual([
      { type: "text_link", offset: 0, length: 12, url: "https://x.vn" },
    ]);
    expect(parseHtml("<code><b>x</b></code>", "telegram").text).toBe("x");
    expect(parseHtml("AT&T &lt", "telegram").text).toBe("AT&T <");
  });

  it("rejects an unknown parse_mode", async () => {
    const error = await apiError(newBot().api.sendMessage(alice.id, "x", { parse_mode: "XML" as "HTML" }));
    expect(error.description).toBe("Bad Request: unsupported parse_mode");
  });
});

describe("text length", () => {
  beforeEach(() => emu.addChat({ id: alice.id, type: "private", first_name: "Alice" }));

  it("allows 4096 characters after entity parsing and rejects 4097", async () => {
    const bot = newBot();
    await bot.api.sendMessage(alice.id, "a".repeat(4096));
    await bot.api.sendMessage(alice.id, `<b>${"&amp;".repeat(4000)}</b>${"x".repeat(96)}`, { parse_mode: "HTML" });
    expect(emu.sent.map((m) => m.plain.length)).toEqual([4096, 4096]);

    const tooLong = await apiError(bot.api.sendMessage(alice.id, "ệ".repeat(4097)));
    expect(tooLong.description).toBe("Bad Request: message is too long");
    const tooLongHtml = await apiError(bot.api.sendMessage(alice.id, `<i>${"a".repeat(4097)}</i>`, { parse_mode: "HTML" }));
    expect(tooLongHtml.description).toBe("Bad Request: message is too long");
  });

  it("counts UTF-16 units, so emoji take two", async () => {
    const error = await apiError(newBot().api.sendMessage(alice.id, "😀".repeat(2049)));
    expect(error.description).toBe("Bad Request: message is too long");
  });

  it("rejects empty text, also when only tags or spaces remain", async () => {
    const bot = newBot();
    expect((await apiError(bot.api.sendMessage(alice.id, ""))).description).toBe("Bad Request: message text is empty");
    expect((await apiError(bot.api.sendMessage(alice.id, "<b> </b>", { parse_mode: "HTML" }))).description).toBe(
      "Bad Request: message text is empty",
    );
  });
});

describe("inline keyboards", () => {
  beforeEach(() => emu.addChat({ id: alice.id, type: "private", first_name: "Alice" }));

  it("limits callback_data to 64 bytes, not characters", async () => {
    const bot = newBot();
    const fits = "ệ".repeat(21) + "a"; // 21 × 3 + 1 = 64 bytes
    await bot.api.sendMessage(alice.id, "ok", { reply_markup: new InlineKeyboard().text("Đồng ý", fits) });
    const tooBig = "ệ".repeat(22); // 66 bytes, 22 characters
    const error = await apiError(bot.api.sendMessage(alice.id, "x", { reply_markup: new InlineKeyboard().text("Đồng ý", tooBig) }));
    expect(error.description).toBe("Bad Request: BUTTON_DATA_INVALID");
    const empty = await apiError(bot.api.sendMessage(alice.id, "x", { reply_markup: new InlineKeyboard().text("x", "") }));
    expect(empty.description).toBe("Bad Request: BUTTON_DATA_INVALID");
  });

  it("validates button urls and requires exactly one action", async () => {
    const bot = newBot();
    await bot.api.sendMessage(alice.id, "ok", {
      reply_markup: new InlineKeyboard().url("Đọc", "https://tuoitre.vn/bai-viet").url("App", "tg://resolve?domain=x"),
    });
    for (const url of ["not a url", "javascript:alert(1)", "ftp://x.vn/a", "vnexpress.net"]) {
      const error = await apiError(bot.api.sendMessage(alice.id, "x", { reply_markup: new InlineKeyboard().url("x", url) }));
      expect(error.description, url).toBe("Bad Request: BUTTON_URL_INVALID");
    }
    const textOnly = await raw(emu, "sendMessage", { chat_id: alice.id, text: "x", reply_markup: { inline_keyboard: [[{ text: "x" }]] } });
    expect(textOnly.description).toBe("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
    const both = await raw(emu, "sendMessage", {
      chat_id: alice.id,
      text: "x",
      reply_markup: { inline_keyboard: [[{ text: "x", callback_data: "a", url: "https://a.vn" }]] },
    });
    expect(both.description).toMatch(/^Bad Request: can't parse inline keyboard button: InlineKeyboardButton must have exactly one/);
    const flat = await raw(emu, "sendMessage", { chat_id: alice.id, text: "x", reply_markup: { inline_keyboard: [{ text: "x" }] } });
    expect(flat.description).toBe('Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  });
});

describe("getUpdates", () => {
  it("confirms with offset, honours limit and numbers updates monotonically", async () => {
    const ids = [1, 2, 3].map((n) => emu.sendUserMessage({ from: alice, text: `tin ${n}` }));
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2]);
    const bot = newBot();
    const firstTwo = await bot.api.getUpdates({ limit: 2 });
    expect(firstTwo.map((u) => u.message?.text)).toEqual(["tin 1", "tin 2"]);
    const again = await bot.api.getUpdates({ limit: 2 });
    expect(again.map((u) => u.update_id)).toEqual(firstTwo.map((u) => u.update_id));
    const rest = await bot.api.getUpdates({ offset: firstTwo[1]!.update_id + 1 });
    expect(rest.map((u) => u.message?.text)).toEqual(["tin 3"]);
    await bot.api.getUpdates({ offset: rest[0]!.update_id + 1 });
    expect(emu.pendingUpdates).toHaveLength(0);
    expect(rest[0]?.message).toMatchObject({ message_id: 3, from: alice, chat: { id: alice.id, type: "private" } });
  });

  it("holds a long poll until an update arrives", async () => {
    const bot = newBot();
    const started = Date.now();
    const poll = bot.api.getUpdates({ timeout: 10 });
    await emu.waitFor(() => Date.now() - started > 150);
    emu.sendUserMessage({ from: alice, text: "/start@hoibao_test_bot xin chào" });
    const updates = await poll;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(updates[0]?.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 22 }]);
  });

  it("answers an empty list when the long poll times out", async () => {
    const started = Date.now();
    expect(await newBot().api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("ends the older of two concurrent long polls with 409", async () => {
    const first = raw(emu, "getUpdates", { timeout: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = raw(emu, "getUpdates", { timeout: 10 });
    expect(await first).toMatchObject({
      status: 409,
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    emu.sendUserMessage({ from: alice, text: "hi" });
    expect(((await second).result as unknown[]).length).toBe(1);
  });

  it("filters by allowed_updates from the moment they are set", async () => {
    const bot = newBot();
    await bot.api.getUpdates({ allowed_updates: ["callback_query"] });
    expect(emu.sendUserMessage({ from: alice, text: "không được giao" })).toBe(0);
    await bot.api.getUpdates({ allowed_updates: [] });
    expect(emu.sendUserMessage({ from: alice, text: "được giao" })).toBeGreaterThan(0);
    expect((await bot.api.getUpdates()).map((u) => u.message?.text)).toEqual(["được giao"]);
  });

  it("close() ends a pending long poll at once", async () => {
    const poll = raw(emu, "getUpdates", { timeout: 50 }).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await emu.close();
    expect(await poll).toBe("cut");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("a grammY bot over long polling", () => {
  it("answers a command, gets a button pressed and edits its message", async () => {
    const bot = newBot();
    bot.command("start", (ctx) =>
      ctx.reply(`Chào <b>${ctx.from?.first_name}</b>! Bạn hỏi: ${ctx.match}`, {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Tin mới", "news:1"),
      }),
    );
    bot.callbackQuery(/^news:(\d+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Đang tải…" });
      await ctx.editMessageText(`Bài số <i>${ctx.match[1]}</i>`, { parse_mode: "HTML" });
    });
    await new Promise<void>((resolve, reject) => {
      bot.start({ onStart: () => resolve(), timeout: 30 }).catch(reject);
    });

    emu.sendUserMessage({ from: alice, text: "/start giá vàng" });
    const greeting = await emu.waitForMessage(alice.id);
    expect(greeting.plain).toBe("Chào Alice! Bạn hỏi: giá vàng");
    expect(greeting.entities).toEqual([{ type: "bold", offset: 5, length: 5 }]);

    emu.pressButton(alice.id, greeting.messageId!, "news:1", alice);
    const edit = await emu.waitForMessage(alice.id, (m) => m.kind === "edit");
    expect(edit.plain).toBe("Bài số 1");
    expect(emu.callsTo("answerCallbackQuery")[0]).toMatchObject({ ok: true });
    // The edit carried no reply_markup, so Telegram drops the keyboard.
    expect(emu.getMessage(alice.id, greeting.messageId!)?.reply_markup).toBeUndefined();
    expect(() => emu.pressButton(alice.id, greeting.messageId!, "news:1", alice)).toThrow(/no button/);

    await bot.stop();
    expect(emu.pendingUpdates).toHaveLength(0);
  });
});

describe("webhooks", () => {
  it("delivers updates with the secret header to a grammY webhook", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`Echo: ${ctx.message.text}`));
    const seenSecrets: (string | undefined)[] = [];
    const handle = webhookCallback(bot, "http", { secretToken: "bi-mat_123" });
    const url = await listen((req, res) => {
      seenSecrets.push(req.headers["x-telegram-bot-api-secret-token"] as string | undefined);
      void handle(req, res);
    });
    await bot.api.setWebhook(url, { secret_token: "bi-mat_123" });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url, pending_update_count: 0, ip_address: "127.0.0.1" });

    emu.sendUserMessage({ from: alice, text: "xin chào" });
    expect((await emu.waitForMessage(alice.id)).plain).toBe("Echo: xin chào");
    expect(seenSecrets).toEqual(["bi-mat_123"]);
    await emu.waitFor(() => emu.pendingUpdates.length === 0);

    const conflict = await apiError(bot.api.getUpdates());
    expect(conflict.error_code).toBe(409);
    expect(conflict.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
  });

  it("runs a method the bot returns in the webhook response", async () => {
    const bot = new Bot(emu.token, { client: { apiRoot: emu.apiRoot, canUseWebhookReply: (m) => m === "sendMessage" } });
    bots.push(bot);
    bot.on("message:text", (ctx) => ctx.reply("trả lời qua webhook"));
    const url = await listen(webhookCallback(bot, "http"));
    await bot.api.setWebhook(url);
    emu.sendUserMessage({ from: alice, text: "hỏi" });
    const reply = await emu.waitForMessage(alice.id);
    expect(reply.plain).toBe("trả lời qua webhook");
    expect(emu.callsTo("sendMessage")[0]?.source).toBe("webhook-reply");
  });

  it("retries until the webhook answers 2xx, and reports the last error", async () => {
    const bodies: unknown[] = [];
    let failuresLeft = 2;
    const url = await listen((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
        if (failuresLeft-- > 0) res.writeHead(500).end("boom");
        else res.writeHead(200).end();
      });
    });
    expect(await raw(emu, "setWebhook", { url })).toMatchObject({ ok: true, result: true, description: "Webhook was set" });
    const id = emu.sendUserMessage({ from: bob, text: "thử lại" });
    await emu.waitFor(() => emu.webhookDeliveries.find((d) => d.ok));
    expect(emu.webhookDeliveries.map((d) => [d.updateId, d.attempt, d.status])).toEqual([
      [id, 1, 500],
      [id, 2, 500],
      [id, 3, 200],
    ]);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatchObject({ update_id: id, message: { text: "thử lại" } });
    const info = (await raw(emu, "getWebhookInfo")).result as Record<string, unknown>;
    expect(info.last_error_message).toBe("Wrong response from the webhook: 500 Internal Server Error");
    expect(info.pending_update_count).toBe(0);
  });

  it("drops an update after the bounded retries and keeps later ones flowing", async () => {
    const local = await startEmulator({ webhook: { maxAttempts: 2, retryDelayMs: 10 } });
    try {
      const seen: number[] = [];
      const url = await listen((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const update = JSON.parse(Buffer.concat(chunks).toString()) as { update_id: number; message: { text: string } };
          seen.push(update.update_id);
          res.writeHead(update.message.text === "hỏng" ? 502 : 204).end();
        });
      });
      await raw(local, "setWebhook", { url });
      const bad = local.sendUserMessage({ from: alice, text: "hỏng" });
      const good = local.sendUserMessage({ from: alice, text: "tốt" });
      await local.waitFor(() => local.webhookDeliveries.find((d) => d.updateId === good && d.ok));
      expect(seen).toEqual([bad, bad, good]);
    } finally {
      await local.close();
    }
  });

  it("delivers updates of different chats at once, up to max_connections", async () => {
    const hook = await slowHook(150);
    await raw(emu, "setWebhook", { url: hook.url, max_connections: 3 });
    const users = Array.from({ length: 8 }, (_, i): User => ({ id: 3000 + i, is_bot: false, first_name: `Người ${i}` }));
    const ids = users.slice(0, 5).map((from) => emu.sendUserMessage({ from, text: "một" }));
    // Queued while deliveries are in flight: they go as connections free up.
    await emu.waitFor(() => emu.webhookDeliveries.length > 0);
    ids.push(...users.slice(5).map((from) => emu.sendUserMessage({ from, text: "hai" })));
    await emu.waitFor(() => emu.webhookDeliveries.filter((d) => d.ok).length === 8, 5000);
    expect(hook.stats.maxInFlight).toBe(3);
    expect(hook.hits.map((h) => h.updateId).sort()).toEqual([...ids].sort());
    expect(emu.webhookDeliveries.every((d) => d.ok && d.attempt === 1 && d.status === 200)).toBe(true);
    expect((await raw(emu, "getWebhookInfo")).result).toMatchObject({ max_connections: 3, pending_update_count: 0 });

    // Without max_connections, the emulator's option (Telegram's default is 40).
    const local = await startEmulator({ webhook: { maxConnections: 4 } });
    try {
      const other = await slowHook(150);
      await raw(local, "setWebhook", { url: other.url });
      for (const from of users) local.sendUserMessage({ from, text: "ba" });
      await local.waitFor(() => local.webhookDeliveries.filter((d) => d.ok).length === 8, 5000);
      expect(other.stats.maxInFlight).toBe(4);
    } finally {
      await local.close();
    }
  });

  it("delivers one update per chat (or sender, without a chat) at a time, in queue order, retries first", async () => {
    const local = await startEmulator({ webhook: { retryDelayMs: 20 } });
    try {
      const carol: User = { id: 1003, is_bot: false, first_name: "Carol" };
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(local.sendUserMessage({ from: alice, text: `alice ${i}` }));
        ids.push(local.sendUserMessage({ from: bob, chat: group, text: `nhóm ${i}` }));
        ids.push(local.sendInlineQuery(carol, `tìm ${i}`));
      }
      // A button of an inline message: no chat, so it waits for carol's inline queries.
      ids.push(local.pushUpdate({ callback_query: { id: "cq-1", from: carol, chat_instance: "77", inline_message_id: "inl_1", data: "x" } }));
      // No chat and no sender: goes any time.
      const poll = { id: "p1", question: "?", options: [], total_voter_count: 0, is_closed: true, is_anonymous: true, type: "regular" };
      ids.push(local.pushUpdate({ poll: poll as unknown as NonNullable<Update["poll"]> }));
      const first = ids[0]!;
      let failed = false;
      // Alice's first update fails once: her next one waits for the retry.
      const hook = await slowHook(30, (u) => (u.update_id === first && !failed ? ((failed = true), 500) : 200));
      await raw(local, "setWebhook", { url: hook.url });
      await local.waitFor(() => local.webhookDeliveries.filter((d) => d.ok).length === ids.length, 5000);

      expect(hook.stats.maxPerKey).toBe(1);
      expect(hook.stats.maxInFlight).toBeGreaterThan(1);
      const order = (key: string): number[] => hook.hits.filter((h) => h.key === key).map((h) => h.updateId);
      const queued = (key: string): number[] => ids.filter((id) => hookKey(local.update(id)!) === key);
      expect(order(`chat ${alice.id}`)).toEqual([first, ...queued(`chat ${alice.id}`)]);
      expect(order(`chat ${group.id}`)).toEqual(queued(`chat ${group.id}`));
      expect(order(`user ${carol.id}`)).toEqual(queued(`user ${carol.id}`));
      expect(queued(`user ${carol.id}`)).toHaveLength(5);
      expect(local.webhookDeliveries.filter((d) => d.updateId === first).map((d) => [d.attempt, d.status])).toEqual([
        [1, 500],
        [2, 200],
      ]);
    } finally {
      await local.close();
    }
  });

  it("reuses keep-alive connections and closes them when the webhook is deleted and on close()", async () => {
    const local = await startEmulator();
    try {
      const hook = await slowHook(0);
      await raw(local, "setWebhook", { url: hook.url, max_connections: 2 });
      for (let i = 0; i < 6; i++) local.sendUserMessage({ from: alice, text: `tin ${i}` });
      await local.waitFor(() => local.webhookDeliveries.filter((d) => d.ok).length === 6);
      expect(hook.hits).toHaveLength(6);
      expect(hook.stats.connections).toBeLessThanOrEqual(2);
      expect(hook.openSockets).toBeGreaterThan(0);
      await raw(local, "deleteWebhook");
      await until(() => hook.openSockets === 0, "the connections to close after deleteWebhook");

      await raw(local, "setWebhook", { url: hook.url });
      local.sendUserMessage({ from: bob, text: "lại" });
      await local.waitFor(() => local.webhookDeliveries.filter((d) => d.ok).length === 7);
      expect(hook.openSockets).toBe(1);
      await local.close();
      await until(() => hook.openSockets === 0, "the connections to close on close()");
    } finally {
      await local.close();
    }
  });

  it("stops at deleteWebhook: deliveries in flight finish, the rest wait for getUpdates", async () => {
    const hook = await slowHook(150);
    await raw(emu, "setWebhook", { url: hook.url, max_connections: 2 });
    const users = Array.from({ length: 5 }, (_, i): User => ({ id: 3100 + i, is_bot: false, first_name: `Người ${i}` }));
    const ids = users.map((from) => emu.sendUserMessage({ from, text: "chờ" }));
    await until(() => hook.hits.length === 2, "two deliveries in flight");
    await raw(emu, "deleteWebhook");
    await emu.waitFor(() => emu.webhookDeliveries.length === 2);
    expect(emu.webhookDeliveries.map((d) => [d.updateId, d.ok])).toEqual([
      [ids[0], true],
      [ids[1], true],
    ]);
    const rest = (await raw(emu, "getUpdates")).result as Update[];
    expect(rest.map((u) => u.update_id)).toEqual(ids.slice(2));
    await until(() => hook.openSockets === 0, "the connections to close once idle");
    expect(hook.hits).toHaveLength(2);
  });

  it("deleteWebhook with drop_pending_updates clears the queue", async () => {
    await raw(emu, "setWebhook", { url: "http://127.0.0.1:9/unreachable" });
    emu.sendUserMessage({ from: alice, text: "lost" });
    const deleted = await raw(emu, "deleteWebhook", { drop_pending_updates: true });
    expect(deleted).toMatchObject({ ok: true, description: "Webhook was deleted" });
    expect(await raw(emu, "getUpdates")).toMatchObject({ ok: true, result: [] });
    expect((await raw(emu, "setWebhook", { url: "http://127.0.0.1:9/x", secret_token: "có dấu" })).description).toBe(
      "Bad Request: secret token contains unallowed characters",
    );
  });
});

describe("fault injection and chat state", () => {
  beforeEach(() => {
    emu.addChat({ id: alice.id, type: "private", first_name: "Alice" });
    emu.addChat(group);
  });

  it("answers 429 with retry_after for the next matching calls only", async () => {
    const bot = newBot();
    const fault = emu.injectFault({
      method: "sendMessage",
      chatId: alice.id,
      times: 2,
      error: { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } },
    });
    await bot.api.sendMessage(group.id, "other chat is fine");
    for (let i = 0; i < 2; i++) {
      const error = await apiError(bot.api.sendMessage(alice.id, "x"));
      expect(error.error_code).toBe(429);
      expect(error.parameters.retry_after).toBe(1);
    }
    expect(fault.remaining).toBe(0);
    await bot.api.sendMessage(alice.id, "now it works");
    expect(emu.messagesTo(alice.id).map((m) => m.plain)).toEqual(["now it works"]);
    expect(emu.calls.filter((c) => c.faulted)).toHaveLength(2);
  });

  it("answers 403 for blocked users and kicked bots, 400 for migrated groups", async () => {
    const bot = newBot();
    emu.blockBot(alice.id);
    expect((await apiError(bot.api.sendMessage(alice.id, "x"))).description).toBe("Forbidden: bot was blocked by the user");
    // Writing to the bot again unblocks it, announced by a my_chat_member update.
    emu.sendUserMessage({ from: alice, text: "/start" });
    const comeback = await bot.api.getUpdates();
    expect(comeback.map((u) => u.my_chat_member?.new_chat_member.status ?? u.message?.text)).toEqual(["member", "/start"]);
    await bot.api.sendMessage(alice.id, "back");

    emu.kickBot(group.id);
    const kicked = await apiError(bot.api.sendMessage(group.id, "x"));
    expect([kicked.error_code, kicked.description]).toEqual([403, "Forbidden: bot was kicked from the group chat"]);

    emu.addChat({ id: -300400, type: "group", title: "Sắp nâng cấp" });
    emu.migrateChat(-300400, -1003004000000, { announce: true, by: bob });
    const service = (await bot.api.getUpdates({ offset: comeback.at(-1)!.update_id + 1 })).map((u) => u.message);
    expect(service).toMatchObject([
      { chat: { id: -300400 }, migrate_to_chat_id: -1003004000000, from: bob },
      { chat: { id: -1003004000000, type: "supergroup", title: "Sắp nâng cấp" }, migrate_from_chat_id: -300400 },
    ]);
    const migrated = await apiError(bot.api.sendMessage(-300400, "x"));
    expect(migrated.description).toBe("Bad Request: group chat was upgraded to a supergroup chat");
    expect(migrated.parameters.migrate_to_chat_id).toBe(-1003004000000);
    await bot.api.sendMessage(-1003004000000, "ok in the supergroup");
  });

  it("answers 500 and network failures", async () => {
    const bot = newBot();
    emu.injectFault({ method: "sendMessage", error: { error_code: 500, description: "Internal Server Error" } });
    expect((await apiError(bot.api.sendMessage(alice.id, "x"))).error_code).toBe(500);
    emu.injectFault({ method: "sendMessage", error: "network" });
    await expect(bot.api.sendMessage(alice.id, "x")).rejects.toBeInstanceOf(HttpError);
    emu.injectFault({ error: { raw: { status: 502, body: "<html>Bad Gateway</html>" } } });
    await expect(bot.api.sendMessage(alice.id, "x")).rejects.toBeInstanceOf(HttpError);
    await bot.api.sendMessage(alice.id, "recovered");
    expect(emu.sent.map((m) => m.plain)).toEqual(["recovered"]);
  });

  it("applies built-in flood limits with a realistic retry_after", async () => {
    const limited = await startEmulator({ floodLimits: { perChatPerSecond: 2, perGroupPerMinute: 2, globalPerSecond: 5 } });
    try {
      limited.addChat({ id: alice.id, type: "private", first_name: "Alice" });
      limited.addChat(group);
      limited.addChat(supergroup);
      const send = (chatId: number) => raw(limited, "sendMessage", { chat_id: chatId, text: "x" });
      expect((await send(alice.id)).ok).toBe(true);
      expect((await send(alice.id)).ok).toBe(true);
      expect(await send(alice.id)).toMatchObject({ status: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
      expect((await send(group.id)).ok).toBe(true);
      expect((await send(group.id)).ok).toBe(true);
      const perMinute = await send(group.id);
      expect(perMinute.status).toBe(429);
      expect(perMinute.parameters?.retry_after).toBeGreaterThan(55);
      expect((await send(supergroup.id)).ok).toBe(true);
      expect((await send(supergroup.id)).parameters?.retry_after).toBe(1); // sixth send within a second overall
      expect(limited.sent).toHaveLength(5);
    } finally {
      await limited.close();
    }
  });

  it("answers chat not found, and refuses to start a conversation", async () => {
    const bot = newBot();
    expect((await apiError(bot.api.sendMessage(424242, "x"))).description).toBe("Bad Request: chat not found");
    emu.sendUserMessage({ chat: group, from: bob, text: "hi all" });
    const error = await apiError(bot.api.sendMessage(bob.id, "x"));
    expect([error.error_code, error.description]).toEqual([403, "Forbidden: bot can't initiate conversation with a user"]);
  });
});

describe("chat members", () => {
  it("returns statuses set by the test, the bot's own, and private chat members", async () => {
    const bot = newBot();
    emu.addChat(supergroup);
    emu.sendUserMessage({ chat: supergroup, from: alice, text: "hello" });
    emu.setChatMember(supergroup.id, bob, "administrator");
    expect(await bot.api.getChatMember(supergroup.id, alice.id)).toEqual({ status: "member", user: alice });
    expect((await bot.api.getChatMember(supergroup.id, bob.id)).status).toBe("administrator");
    expect((await bot.api.getChatMember(supergroup.id, emu.botInfo.id)).status).toBe("member");
    emu.setChatMember(supergroup.id, emu.botInfo.id, "administrator");
    expect((await bot.api.getChatAdministrators(supergroup.id)).map((m) => m.user.id)).toEqual([bob.id, emu.botInfo.id]);

    emu.sendUserMessage({ from: alice, text: "/start" });
    expect(await bot.api.getChatMember(alice.id, alice.id)).toEqual({ status: "member", user: alice });
    expect((await apiError(bot.api.getChatMember(supergroup.id, 777))).description).toBe("Bad Request: user not found");
    expect((await bot.api.getChat(supergroup.id)).title).toBe("Siêu nhóm");
  });

  it("tracks my_chat_member updates and anonymous admins", async () => {
    const bot = newBot();
    emu.sendMyChatMember(group, alice, "member", "left");
    const error = await apiError(bot.api.sendMessage(group.id, "x"));
    expect(error.description).toBe("Forbidden: bot is not a member of the group chat");
    emu.sendMyChatMember(group, alice, "left", "member");
    await bot.api.sendMessage(group.id, "back again");

    emu.sendUserMessage({ chat: group, senderChat: group, text: "/ask@hoibao_test_bot?" });
    const updates = await bot.api.getUpdates();
    const anonymous = updates.at(-1)?.message;
    expect(anonymous?.sender_chat?.id).toBe(group.id);
    expect(anonymous?.from?.username).toBe("GroupAnonymousBot");
  });

  it("hides group chatter in privacy mode but delivers commands, mentions and replies", async () => {
    const privacy = await startEmulator({ privacyMode: true });
    try {
      privacy.addChat(group);
      expect(privacy.sendUserMessage({ chat: group, from: alice, text: "chuyện phiếm" })).toBe(0);
      expect(privacy.sendUserMessage({ chat: group, from: alice, text: "/ask@hoibao_test_bot giá xăng" })).toBeGreaterThan(0);
      expect(privacy.sendUserMessage({ chat: group, from: alice, text: "/ask@other_bot x" })).toBe(0);
      expect(privacy.sendUserMessage({ chat: group, from: alice, text: "hỏi @hoibao_test_bot nhé" })).toBeGreaterThan(0);
      const sent = await raw(privacy, "sendMessage", { chat_id: group.id, text: "Bot nói" });
      const botMessageId = (sent.result as { message_id: number }).message_id;
      expect(privacy.sendUserMessage({ chat: group, from: bob, text: "trả lời", replyTo: botMessageId })).toBeGreaterThan(0);
    } finally {
      await privacy.close();
    }
  });
});

describe("bot commands", () => {
  it("stores commands per scope and language", async () => {
    const bot = newBot();
    emu.addChat(supergroup);
    await bot.api.setMyCommands([{ command: "ask", description: "Hỏi báo" }, { command: "help", description: "Trợ giúp" }]);
    await bot.api.setMyCommands([{ command: "ask", description: "Ask the papers" }], { language_code: "en" });
    await bot.api.setMyCommands([{ command: "ban", description: "Chặn" }], { scope: { type: "chat_administrators", chat_id: supergroup.id } });
    expect((await bot.api.getMyCommands()).map((c) => c.command)).toEqual(["ask", "help"]);
    expect(await bot.api.getMyCommands({ language_code: "en" })).toEqual([{ command: "ask", description: "Ask the papers" }]);
    expect(await bot.api.getMyCommands({ scope: { type: "all_private_chats" } })).toEqual([]);
    expect(await bot.api.getMyCommands({ scope: { type: "chat_administrators", chat_id: supergroup.id } })).toEqual([
      { command: "ban", description: "Chặn" },
    ]);
    expect(emu.commandsFor({ type: "chat_administrators", chat_id: supergroup.id })).toHaveLength(1);
    await bot.api.deleteMyCommands({ language_code: "en" });
    expect(await bot.api.getMyCommands({ language_code: "en" })).toEqual([]);
  });

  it.each([
    [{ command: "Ask", description: "x" }, "Bad Request: BOT_COMMAND_INVALID"],
    [{ command: "hỏi", description: "x" }, "Bad Request: BOT_COMMAND_INVALID"],
    [{ command: "a".repeat(33), description: "x" }, "Bad Request: command length must not exceed 32"],
    [{ command: "ask", description: " " }, "Bad Request: command description must be non-empty"],
    [{ command: "ask", description: "x".repeat(257) }, "Bad Request: command description length must not exceed 256"],
  ])("rejects %j", async (command, description) => {
    expect((await apiError(newBot().api.setMyCommands([command]))).description).toBe(description);
  });

  it("rejects more than 100 commands and unknown scope chats", async () => {
    const bot = newBot();
    const many = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: "x" }));
    expect((await apiError(bot.api.setMyCommands(many))).description).toBe("Bad Request: BOT_COMMANDS_TOO_MUCH");
    const scope = { type: "chat", chat_id: -5 } as const;
    expect((await apiError(bot.api.setMyCommands([{ command: "a", description: "b" }], { scope }))).description).toBe(
      "Bad Request: chat not found",
    );
    expect(await raw(emu, "setChatMenuButton", { menu_button: { type: "commands" } })).toMatchObject({ ok: true, result: true });
  });
});

describe("editing, deleting and callback answers", () => {
  beforeEach(() => emu.addChat({ id: alice.id, type: "private", first_name: "Alice" }));

  it("reports missing and unmodified messages", async () => {
    const bot = newBot();
    const keyboard = new InlineKeyboard().text("A", "a");
    const message = await bot.api.sendMessage(alice.id, "<b>x</b>", { parse_mode: "HTML", reply_markup: keyboard });
    expect((await apiError(bot.api.editMessageText(alice.id, 999, "y"))).description).toBe("Bad Request: message to edit not found");
    const same = await apiError(bot.api.editMessageText(alice.id, message.message_id, "<b>x</b>", { parse_mode: "HTML", reply_markup: keyboard }));
    expect(same.description).toBe(
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
    // Same text without the keyboard is a modification: it removes the keyboard.
    await bot.api.editMessageText(alice.id, message.message_id, "<b>x</b>", { parse_mode: "HTML" });
    await bot.api.editMessageReplyMarkup(alice.id, message.message_id, { reply_markup: keyboard });
    expect(emu.getMessage(alice.id, message.message_id)?.reply_markup).toEqual({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });
    expect(emu.messagesTo(alice.id).map((m) => m.kind)).toEqual(["message", "edit", "edit"]);

    const userMessage = emu.sendUserMessage({ from: alice, text: "của tôi" });
    const userMessageId = emu.update(userMessage)!.message!.message_id;
    expect((await apiError(bot.api.editMessageText(alice.id, userMessageId, "hack"))).description).toBe("Bad Request: message can't be edited");

    await bot.api.deleteMessage(alice.id, message.message_id);
    expect((await apiError(bot.api.deleteMessage(alice.id, message.message_id))).description).toBe("Bad Request: message to delete not found");
    expect(emu.chatHistory(alice.id).map((m) => m.text)).toEqual(["của tôi"]);
    const reply = await apiError(bot.api.sendMessage(alice.id, "x", { reply_parameters: { message_id: message.message_id } }));
    expect(reply.description).toBe("Bad Request: message to be replied not found");
  });

  it("accepts one answer per callback query", async () => {
    const bot = newBot();
    const message = await bot.api.sendMessage(alice.id, "Chọn", { reply_markup: new InlineKeyboard().text("Một", "1") });
    const updateId = emu.pressButton(alice.id, message.message_id, "1", alice);
    const query = emu.update(updateId)!.callback_query!;
    expect(query.message).toMatchObject({ message_id: message.message_id, text: "Chọn" });
    expect((await apiError(bot.api.answerCallbackQuery(query.id, { text: "x".repeat(201) }))).description).toBe("Bad Request: MESSAGE_TOO_LONG");
    await bot.api.answerCallbackQuery(query.id, { text: "Đã chọn" });
    const again = await apiError(bot.api.answerCallbackQuery(query.id));
    expect(again.description).toBe("Bad Request: query is too old and response timeout expired or query ID is invalid");
    expect((await apiError(bot.api.answerCallbackQuery("nope"))).description).toMatch(/query is too old/);
  });

  it("validates sendChatAction", async () => {
    const bot = newBot();
    await bot.api.sendChatAction(alice.id, "typing");
    expect((await raw(emu, "sendChatAction", { chat_id: alice.id, action: "dancing" })).description).toBe(
      "Bad Request: wrong parameter action in request",
    );
  });
});

describe("inline mode", () => {
  const article = (id: string, text: string) => ({
    type: "article" as const,
    id,
    title: `Bài ${id}`,
    input_message_content: { message_text: text, parse_mode: "HTML" as const },
  });

  it("validates answers and records the offered articles", async () => {
    const bot = newBot();
    const updateId = emu.sendInlineQuery(alice, "giá vàng");
    const queryId = emu.update(updateId)!.inline_query!.id;

    const tooMany = Array.from({ length: 51 }, (_, i) => article(`r${i}`, "x"));
    expect((await apiError(bot.api.answerInlineQuery(queryId, tooMany))).description).toBe("Bad Request: RESULTS_TOO_MUCH");
    const dup = await apiError(bot.api.answerInlineQuery(queryId, [article("a", "x"), article("a", "y")]));
    expect(dup.description).toBe("Bad Request: RESULT_ID_DUPLICATE");
    const longId = await apiError(bot.api.answerInlineQuery(queryId, [article("ệ".repeat(22), "x")]));
    expect(longId.description).toBe("Bad Request: RESULT_ID_INVALID");
    const badHtml = await apiError(bot.api.answerInlineQuery(queryId, [article("a", "<p>x</p>")]));
    expect(badHtml.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0');
    const tooLong = await apiError(bot.api.answerInlineQuery(queryId, [article("a", "x".repeat(4097))]));
    expect(tooLong.description).toBe("Bad Request: message is too long");
    const noTitle = await raw(emu, "answerInlineQuery", {
      inline_query_id: queryId,
      results: [{ type: "article", id: "a", input_message_content: { message_text: "x" } }],
    });
    expect(noTitle.description).toBe('Bad Request: can\'t parse inline query result: Field "title" must be of type String');
    const badStart = await apiError(
      bot.api.answerInlineQuery(queryId, [article("a", "x")], { button: { text: "Mở", start_parameter: "có dấu" } }),
    );
    expect(badStart.description).toBe("Bad Request: START_PARAM_INVALID");
    const offset = await apiError(bot.api.answerInlineQuery(queryId, [], { next_offset: "o".repeat(65) }));
    expect(offset.description).toBe("Bad Request: NEXT_OFFSET_INVALID");

    await bot.api.answerInlineQuery(queryId, [article("vang-1", "Giá vàng <b>tăng</b>")], {
      next_offset: "10",
      button: { text: "Mở bot", start_parameter: "from_inline" },
    });
    expect(emu.sent.at(-1)).toMatchObject({ kind: "inline", inlineQueryId: queryId, resultId: "vang-1", plain: "Giá vàng tăng" });
    expect((await apiError(bot.api.answerInlineQuery(queryId, []))).description).toMatch(/query is too old/);

    const chosen = emu.sendChosenInlineResult(alice, "vang-1", "giá vàng");
    expect(emu.update(chosen)?.chosen_inline_result).toMatchObject({ result_id: "vang-1", query: "giá vàng" });
    expect(() => emu.sendChosenInlineResult(alice, "never-offered", "x")).toThrow(/never offered/);
  });
});

describe("entities of user messages", () => {
  it("finds commands and mentions with Telegram's boundaries", () => {
    expect(detectEntities("/start@hoibao_test_bot abc")).toEqual([{ type: "bot_command", offset: 0, length: 22 }]);
    expect(detectEntities("hỏi @hoibao_test_bot về /gia_vang nhé")).toEqual([
      { type: "mention", offset: 4, length: 16 },
      { type: "bot_command", offset: 24, length: 9 },
    ]);
    expect(detectEntities("a/b https://x.vn/y mail@x.vn")).toEqual([]);
  });

  it("waitFor rejects with recent activity on timeout", async () => {
    emu.addChat({ id: alice.id, type: "private", first_name: "Alice" });
    await raw(emu, "sendMessage", { chat_id: alice.id, text: "hello" });
    await expect(emu.waitForMessage(alice.id, (m) => m.plain === "never", { timeoutMs: 100 })).rejects.toThrow(
      /timed out after 100 ms[\s\S]*sendMessage → ok[\s\S]*"hello"/,
    );
  });

  it("answers a channel post and lets the test push any update", async () => {
    const bot = newBot();
    emu.sendChannelPost({ chat: channel, text: "Bản tin sáng" });
    emu.pushUpdate({
      edited_channel_post: {
        message_id: 1,
        chat: { id: channel.id, type: "channel", title: channel.title! },
        date: 1,
        edit_date: 2,
        text: "Bản tin sáng (sửa)",
      },
    });
    const updates = await bot.api.getUpdates();
    expect(updates.map((u) => Object.keys(u)[1])).toEqual(["channel_post", "edited_channel_post"]);
    await bot.api.sendMessage("@kenh_thu", "Đăng lên kênh");
    expect(emu.messagesTo(channel.id)).toHaveLength(1);
  });
});
