import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { repositories } from "../../src/storage/repositories.js";
import { seedIndex } from "../knowledge/helpers.js";
import { harness, sent, textOf } from "./harness.js";

const knowledge = seedIndex();
const group = { id: -1001, type: "supergroup" as const, title: "Nhóm đọc báo" };
const channel = { id: -1002, type: "channel" as const, title: "Kênh tin" };

function setup(members: Record<string, string> = {}, operators: number[] = []) {
  const storage = repositories(openDatabase(":memory:"));
  return { storage, h: harness(knowledge, { alerts: { storage, operators }, members }) };
}

describe("/subscribe, /unsubscribe, /status", () => {
  it("in a private chat the user subscribes themself, once", async () => {
    const { storage, h } = setup();
    expect(textOf(sent(await h.message("/subscribe"))[0])).toContain("Đã đăng ký");
    expect(textOf(sent(await h.message("/subscribe"))[0])).toContain("đã đăng ký nhận tin bài mới rồi");
    expect(storage.subscriptions.get(42)).toMatchObject({ chatType: "private", subscribedBy: 42 });
    expect(textOf(sent(await h.message("/status"))[0])).toContain("đang nhận");
    expect(textOf(sent(await h.message("/unsubscribe"))[0])).toContain("Đã hủy");
    expect(storage.subscriptions.get(42)).toBeUndefined();
    expect(textOf(sent(await h.message("/status"))[0])).toContain("chưa nhận");
  });

  it("in a group only creators and administrators change it (checked with getChatMember)", async () => {
    const { storage, h } = setup({ "-1001:1": "creator", "-1001:2": "administrator", "-1001:3": "member", "-1001:4": "restricted" });
    for (const id of [3, 4]) {
      const calls = await h.message("/subscribe@hoibao_bot", { chat: group, from: h.user(id) });
      expect(calls.some((c) => c.method === "getChatMember")).toBe(true);
      expect(textOf(sent(calls)[0])).toContain("chỉ quản trị viên");
      expect(storage.subscriptions.count()).toBe(0);
    }
    expect(textOf(sent(await h.message("/subscribe", { chat: group, from: h.user(2) }))[0])).toContain("Đã đăng ký");
    expect(storage.subscriptions.get(group.id)).toMatchObject({ chatType: "supergroup", title: "Nhóm đọc báo", subscribedBy: 2 });
    expect(textOf(sent(await h.message("/unsubscribe", { chat: group, from: h.user(3) }))[0])).toContain("chỉ quản trị viên");
    expect(storage.subscriptions.count()).toBe(1);
    expect(textOf(sent(await h.message("/unsubscribe", { chat: group, from: h.user(1) }))[0])).toContain("Đã hủy");
  });

  it("an anonymous admin (writing as the group itself) may subscribe; another chat posting may not", async () => {
    const { storage, h } = setup();
    const anonymous = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };
    const calls = await h.bot.handleUpdate({
      update_id: 9001,
      message: { message_id: 1, date: 0, chat: group, from: anonymous, sender_chat: group, text: "/subscribe", entities: [{ type: "bot_command", offset: 0, length: 10 }] } as never,
    });
    void calls;
    expect(storage.subscriptions.get(group.id)).toBeDefined();
    await h.bot.handleUpdate({
      update_id: 9002,
      message: { message_id: 2, date: 0, chat: group, from: anonymous, sender_chat: channel, text: "/unsubscribe", entities: [{ type: "bot_command", offset: 0, length: 12 }] } as never,
    });
    expect(storage.subscriptions.get(group.id)).toBeDefined();
  });

  it("a channel admin subscribes by posting /subscribe in the channel", async () => {
    const { storage, h } = setup();
    const replies = sent(await h.channelPost("/subscribe", channel));
    expect(textOf(replies[0])).toContain("Đã đăng ký");
    expect(storage.subscriptions.get(channel.id)).toMatchObject({ chatType: "channel" });
  });

  it("the bot removed, kicked or blocked ends the subscription", async () => {
    const { storage, h } = setup({ "-1001:1": "creator" });
    await h.message("/subscribe", { chat: group, from: h.user(1) });
    await h.message("/subscribe");
    await h.myChatMember(group, "kicked");
    await h.myChatMember(h.privateChat(42), "kicked");
    expect(storage.subscriptions.count()).toBe(0);
  });

  it("English users get English replies", async () => {
    const { h } = setup();
    expect(textOf(sent(await h.message("/subscribe", { from: h.user(8, "en") }))[0])).toContain("Subscribed");
  });

  it("the subscription keeps the language the bot speaks with whoever subscribed: alerts are written in it", async () => {
    const { storage, h } = setup({ "-1001:2": "administrator" });
    await h.message("/subscribe", { from: h.user(8, "en-GB") });
    await h.message("/subscribe", { from: h.user(9, "fr") });
    await h.message("/subscribe", { chat: group, from: h.user(2, "en") });
    await h.channelPost("/subscribe", channel);
    expect(storage.subscriptions.get(8)?.language).toBe("en");
    expect(storage.subscriptions.get(9)?.language).toBe("vi");
    expect(storage.subscriptions.get(group.id)?.language).toBe("en");
    expect(storage.subscriptions.get(channel.id)?.language).toBe("vi");
  });
});

describe("/stats", () => {
  it("answers operators listed in ADMIN_USER_IDS only", async () => {
    const { storage, h } = setup({}, [42]);
    storage.subscriptions.add({ chatId: 5, chatType: "private", title: null, subscribedBy: 5 });
    storage.announcements.announce({ articleId: "a1", url: null, contentHash: "h", title: "T" });
    const stats = textOf(sent(await h.message("/stats"))[0]);
    expect(stats).toContain("Bài báo: 1 (7 đoạn)");
    expect(stats).toContain("Cuộc trò chuyện đăng ký: 1");
    expect(stats).toContain("Thông báo đang chờ: 1 · đã gửi: 0");
    expect(textOf(sent(await h.message("/stats", { from: h.user(7) }))[0])).toContain("chỉ dành cho người vận hành");
  });
});
