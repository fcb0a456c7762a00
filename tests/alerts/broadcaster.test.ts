import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { Broadcaster } from "../../src/alerts/broadcaster.js";
import { Translations } from "../../src/bot/i18n.js";
import { alertRenderer } from "../../src/bot/messages.js";
import { NewArticles } from "../../src/alerts/new-articles.js";
import type { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { openDatabase } from "../../src/storage/database.js";
import { type Storage, repositories } from "../../src/storage/repositories.js";
import { type Emulator, startEmulator } from "../../testkit/emulator.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { SEED_BYTES, seedArticle } from "../knowledge/helpers.js";

/** A distinct article: the seed with another title (another id) and so other bytes. */
const variant = (n: number) => parseArticle(Buffer.from(SEED_BYTES.toString().replace("Sóc Trăng: Phong trào", `Sóc Trăng: Bài ${n} phong trào`)), `v${n}.txt`);
import { KnowledgeIndex as Index } from "../../src/knowledge/search-index.js";

const logger = createLogger({ level: "silent", format: "json" });
const renderAlert = alertRenderer(new Translations(), "hoibao_test_bot");
let emulator: Emulator | undefined;
let broadcaster: Broadcaster | undefined;

afterEach(async () => {
  await broadcaster?.stop();
  await emulator?.close();
  broadcaster = undefined;
  emulator = undefined;
});

async function setup(chatIds: number[], options: { rate?: number; groupPerMinute?: number; languages?: Record<number, string> } = {}) {
  emulator = await startEmulator();
  const storage = repositories(openDatabase(":memory:"));
  const knowledge: KnowledgeIndex = Index.build([]);
  for (const id of chatIds) {
    emulator.addChat(id > 0 ? { id, type: "private", first_name: `U${id}` } : { id, type: "supergroup", title: `G${id}` });
    storage.subscriptions.add({ chatId: id, chatType: id > 0 ? "private" : "supergroup", title: null, subscribedBy: null, language: options.languages?.[id] ?? null });
  }
  const api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
  broadcaster = new Broadcaster({ api, storage, knowledge, renderAlert, logger, ratePerSecond: options.rate ?? 30, ...(options.groupPerMinute ? { groupPerMinute: options.groupPerMinute } : {}) });
  const newArticles = new NewArticles({ knowledge, storage, logger, onQueued: () => broadcaster!.wake() });
  return { emu: emulator, storage, knowledge, newArticles, broadcaster };
}

async function drained(storage: Storage, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const c = storage.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`outbox not drained: ${JSON.stringify(storage.outbox.counts())}`);
}

const ids = (n: number, from = 1000) => Array.from({ length: n }, (_, i) => from + i);

describe("Broadcaster", () => {
  it("sends one alert per subscribed chat: title, date, lead, source link and an ask button", async () => {
    const chats = ids(40);
    const { emu, storage, newArticles, broadcaster } = await setup(chats);
    broadcaster.start();
    expect(newArticles.accept(seedArticle())).toBe(40);
    await drained(storage);
    for (const id of chats) expect(emu.messagesTo(id)).toHaveLength(1);
    const alert = emu.messagesTo(chats[0]!)[0]!;
    expect(alert.plain).toContain("Phong trào thi đua “Dân vận khéo”");
    expect(alert.plain).toContain("23/11/2024");
    expect(alert.plain).toContain("Thời gian qua, đặc biệt qua 8 năm");
    expect(alert.text).toContain('href="https://baosoctrang.org.vn"');
    expect(JSON.stringify(alert.replyMarkup)).toMatch(/https:\/\/t\.me\/hoibao_test_bot\?start=\w+-1/);
    expect(storage.outbox.counts()).toMatchObject({ sent: 40, pending: 0 });
  });

  it("each chat gets the alert in its subscriber's language: English, Vietnamese, or Vietnamese when unknown", async () => {
    const { emu, storage, newArticles, broadcaster } = await setup([1, 2, 3], { languages: { 1: "en", 2: "vi" } });
    broadcaster.start();
    expect(newArticles.accept(seedArticle())).toBe(3);
    await drained(storage);
    const alertTo = (id: number) => emu.messagesTo(id)[0]!;
    const english = alertTo(1);
    expect(english.plain).toContain("New article");
    expect(english.plain).toContain("Read on baosoctrang.org.vn");
    expect(JSON.stringify(english.replyMarkup)).toContain("Ask about this article");
    expect(english.plain).toContain("Phong trào thi đua “Dân vận khéo”"); // the article itself stays Vietnamese
    for (const alert of [alertTo(2), alertTo(3)]) {
      expect(alert.plain).toContain("Bài báo mới");
      expect(alert.plain).toContain("Đọc bài trên baosoctrang.org.vn");
      expect(JSON.stringify(alert.replyMarkup)).toContain("Hỏi về bài này");
    }
  });

  it("the same article again — re-added, edited or under another name — is not announced twice", async () => {
    const { storage, newArticles } = await setup(ids(3));
    expect(newArticles.accept(seedArticle())).toBe(3);
    expect(newArticles.accept(seedArticle())).toBe(0);
    const edited = parseArticle(Buffer.from(SEED_BYTES.toString().replace("31.945", "31.946")), "seed.txt");
    expect(edited.contentHash).not.toBe(seedArticle().contentHash);
    expect(newArticles.accept(edited)).toBe(0); // same id: an edit is not a new article
    expect(storage.announcements.known({ articleId: "other-id", url: null, contentHash: seedArticle().contentHash, title: "x" })).toBe(true);
    expect(newArticles.accept(variant(1))).toBe(3);
    expect(storage.outbox.counts().pending).toBe(6);
  });

  it("stays within ALERT_RATE overall", async () => {
    const chats = ids(30);
    const { emu, storage, newArticles, broadcaster } = await setup(chats, { rate: 10 });
    broadcaster.start();
    const started = Date.now();
    newArticles.accept(seedArticle());
    await drained(storage);
    const elapsed = (Date.now() - started) / 1000;
    expect(elapsed).toBeGreaterThan(1.8); // 30 messages at 10/s, one token at the start
    const times = emu.sent.map((m) => m.at).sort((a, b) => a - b);
    for (let i = 0; i + 11 < times.length; i += 1) expect(times[i + 11]! - times[i]!).toBeGreaterThanOrEqual(1000);
  });

  it("answers come first: while the bot answers users, alerts take only what ALERT_RATE leaves, never nothing", async () => {
    const chats = ids(60);
    const { emu, storage, newArticles, broadcaster } = await setup(chats, { rate: 20 });
    // Users being answered at 15 messages a second, from a second before the article arrives.
    const answering = setInterval(() => broadcaster.noteAnswerSent(), 1000 / 15);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      broadcaster.start();
      const started = Date.now();
      newArticles.accept(seedArticle());
      await new Promise((r) => setTimeout(r, 2000));
      const during = emu.sent.filter((m) => m.at >= started).length;
      // 20 − 15 = 5 alerts a second (plus the bucket's start), not 20.
      expect(during).toBeGreaterThanOrEqual(6);
      expect(during).toBeLessThanOrEqual(16);
    } finally {
      clearInterval(answering);
    }
    // Once users are quiet, the rest goes out at the full rate; nothing is lost or doubled.
    await drained(storage);
    expect(new Set(emu.sent.map((m) => m.chatId)).size).toBe(60);
    expect(emu.sent).toHaveLength(60);
  });

  it("at most groupPerMinute alerts a minute to one group", async () => {
    const { emu, storage, newArticles, broadcaster } = await setup([-500]);
    const articles = [0, 1, 2, 3, 4].map(variant);
    for (const a of articles) newArticles.accept(a);
    const limited = new Broadcaster({ ...(broadcaster as unknown as { options: ConstructorParameters<typeof Broadcaster>[0] }).options, groupPerMinute: 3 });
    limited.start();
    await new Promise((r) => setTimeout(r, 1500));
    await limited.stop();
    expect(emu.messagesTo(-500)).toHaveLength(3);
    expect(storage.outbox.counts().pending).toBe(2);
  });

  it("a 429 storm waits retry_after for that chat only; nothing lost, nothing doubled", async () => {
    const chats = ids(20);
    const { emu, storage, newArticles, broadcaster } = await setup(chats);
    emu.injectFault({ method: "sendMessage", chatId: chats[0]!, times: 2, error: { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } } });
    broadcaster.start();
    newArticles.accept(seedArticle());
    await drained(storage);
    for (const id of chats) expect(emu.messagesTo(id)).toHaveLength(1);
    const first = emu.messagesTo(chats[0]!)[0]!.at;
    const others = Math.max(...chats.slice(1).map((id) => emu.messagesTo(id)[0]!.at));
    expect(first).toBeGreaterThan(others); // the others did not wait for it
  });

  it("5xx and network errors back off and retry", async () => {
    const { emu, storage, newArticles, broadcaster } = await setup([7]);
    emu.injectFault({ method: "sendMessage", chatId: 7, times: 1, error: { error_code: 502, description: "Bad Gateway" } });
    emu.injectFault({ method: "sendMessage", chatId: 7, times: 1, error: "network" });
    broadcaster.start();
    newArticles.accept(seedArticle());
    await drained(storage);
    expect(emu.messagesTo(7)).toHaveLength(1);
  });

  it("403 (blocked, kicked) ends the subscription; chat not found too", async () => {
    const { emu, storage, newArticles, broadcaster } = await setup([8, 9, -600]);
    emu.blockBot(8);
    emu.kickBot(-600);
    broadcaster.start();
    newArticles.accept(seedArticle());
    await drained(storage);
    expect(emu.messagesTo(9)).toHaveLength(1);
    expect(storage.subscriptions.get(8)).toBeUndefined();
    expect(storage.subscriptions.get(-600)).toBeUndefined();
    expect(storage.outbox.counts()).toMatchObject({ sent: 1, dropped: 2 });
  });

  it("a group upgraded to a supergroup: the subscription moves and the alert is resent there", async () => {
    const { emu, storage, newArticles, broadcaster } = await setup([]);
    emu.addChat({ id: -700, type: "group", title: "G" });
    storage.subscriptions.add({ chatId: -700, chatType: "group", title: "G", subscribedBy: null });
    emu.migrateChat(-700, -100700);
    broadcaster.start();
    newArticles.accept(seedArticle());
    await drained(storage);
    expect(emu.messagesTo(-100700)).toHaveLength(1);
    expect(storage.subscriptions.get(-700)).toBeUndefined();
    expect(storage.subscriptions.get(-100700)).toBeDefined();
  });

  it("resumes after a hard stop: pending alerts are sent, claimed ones are not sent twice", async () => {
    const chats = ids(10);
    const { emu, storage, newArticles, knowledge } = await setup(chats);
    newArticles.accept(seedArticle());
    // A crash mid-broadcast: three alerts went out, one was claimed with its request in flight.
    const due = storage.outbox.due(10);
    for (const item of due.slice(0, 4)) storage.outbox.claim(item.id);
    for (const item of due.slice(0, 3)) storage.outbox.markSent(item.id);
    const restarted = new Broadcaster({ api: new Api(emu.token, { apiRoot: emu.apiRoot }), storage, knowledge, renderAlert, logger, ratePerSecond: 30 });
    broadcaster = restarted;
    restarted.start();
    await drained(storage);
    expect(emu.sent).toHaveLength(6);
    expect(storage.outbox.counts()).toMatchObject({ sent: 10, pending: 0, sending: 0 });
  });
});
