import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, openDatabase } from "../../src/storage/database.js";
import { repositories } from "../../src/storage/repositories.js";

const identity = (n: number, extra: Partial<{ url: string; contentHash: string }> = {}) => ({
  articleId: `a${n}`,
  url: extra.url ?? null,
  contentHash: extra.contentHash ?? `hash${n}`,
  title: `T${n}`,
});

describe("database", () => {
  it("creates the file and its folder, migrates once, keeps data across reopen (WAL)", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "hoibao-db-")), "nested", "hoibao.db");
    const first = openDatabase(file);
    expect(first.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(first.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    repositories(first).subscriptions.add({ chatId: 1, chatType: "private", title: null, subscribedBy: 1 });
    first.close();
    const again = openDatabase(file);
    expect(repositories(again).subscriptions.count()).toBe(1);
    again.close();
  });

  it("a database from before subscriptions kept a language is migrated: its chats get the bot's default (null)", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "hoibao-db-")), "old.db");
    const old = openDatabase(file);
    old.exec("ALTER TABLE subscriptions DROP COLUMN language");
    old.pragma("user_version = 1");
    old.prepare("INSERT INTO subscriptions (chat_id, chat_type, title, subscribed_by, created_at) VALUES (1, 'private', NULL, 1, 0)").run();
    old.close();
    const storage = repositories(openDatabase(file));
    expect(storage.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(storage.subscriptions.get(1)).toMatchObject({ chatId: 1, language: null });
    storage.subscriptions.add({ chatId: 2, chatType: "private", title: null, subscribedBy: 2, language: "en" });
    storage.announcements.announce(identity(1));
    expect(storage.outbox.due(10).map((item) => [item.chatId, item.language])).toEqual([
      [1, null],
      [2, "en"],
    ]);
    storage.db.close();
  });

  it("refuses a database from a newer hoibao", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "hoibao-db-")), "x.db");
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this hoibao/);
  });
});

describe("repositories", () => {
  it("an article is announced once per identity: id, URL or content hash; alerts queued for every subscriber", () => {
    const { subscriptions, announcements, outbox } = repositories(openDatabase(":memory:"));
    for (const chatId of [1, 2, -3]) subscriptions.add({ chatId, chatType: chatId > 0 ? "private" : "group", title: null, subscribedBy: null });
    expect(announcements.announce(identity(1, { url: "https://x/1" }))).toBe(3);
    expect(announcements.announce(identity(1))).toBeUndefined();
    expect(announcements.announce({ ...identity(2), url: "https://x/1" })).toBeUndefined();
    expect(announcements.announce({ ...identity(3), contentHash: "hash1" })).toBeUndefined();
    expect(outbox.counts()).toEqual({ pending: 3, sending: 0, sent: 0, dropped: 0 });
  });

  it("outbox: claim once, retry later, delay a chat, settle interrupted sends as sent", () => {
    const { subscriptions, announcements, outbox } = repositories(openDatabase(":memory:"));
    subscriptions.add({ chatId: 1, chatType: "private", title: null, subscribedBy: null });
    subscriptions.add({ chatId: 2, chatType: "private", title: null, subscribedBy: null });
    announcements.announce(identity(1));
    const [a, b] = outbox.due(10);
    expect(outbox.claim(a!.id)).toBe(true);
    expect(outbox.claim(a!.id)).toBe(false);
    outbox.retryLater(b!.id, Date.now() + 60_000, "429");
    expect(outbox.due(10)).toEqual([]);
    expect(outbox.nextDueAt()).toBeGreaterThan(Date.now());
    expect(outbox.settleInterrupted()).toBe(1);
    expect(outbox.counts()).toMatchObject({ sent: 1, pending: 1 });
  });

  it("unsubscribing drops the chat's queued alerts; migration moves them to the new chat", () => {
    const { subscriptions, announcements, outbox } = repositories(openDatabase(":memory:"));
    subscriptions.add({ chatId: -5, chatType: "group", title: "G", subscribedBy: null });
    subscriptions.add({ chatId: 9, chatType: "private", title: null, subscribedBy: null });
    announcements.announce(identity(1));
    subscriptions.migrate(-5, -1005);
    expect(subscriptions.get(-1005)).toMatchObject({ chatType: "supergroup", title: "G" });
    expect(outbox.due(10).map((i) => i.chatId).sort()).toEqual([-1005, 9]);
    expect(subscriptions.remove(9)).toBe(true);
    expect(subscriptions.remove(9)).toBe(false);
    expect(outbox.due(10).map((i) => i.chatId)).toEqual([-1005]);
    expect(outbox.counts().dropped).toBe(1);
  });

  it("feeds: failures count up with backoff, success resets; items are seen once", () => {
    const { feeds } = repositories(openDatabase(":memory:"));
    expect(feeds.recordFailure("https://f", 100, "timeout")).toBe(1);
    expect(feeds.recordFailure("https://f", 200, "500")).toBe(2);
    expect(feeds.state("https://f")).toMatchObject({ failures: 2, nextCheckAt: 200, lastError: "500" });
    feeds.recordSuccess("https://f", 300);
    expect(feeds.state("https://f")).toMatchObject({ failures: 0, nextCheckAt: 300, lastError: null });
    expect(feeds.markSeen("https://f", "guid-1")).toBe(true);
    expect(feeds.markSeen("https://f", "guid-1")).toBe(false);
    expect(feeds.lastCheckedAt()).toBeGreaterThan(0);
  });
});
