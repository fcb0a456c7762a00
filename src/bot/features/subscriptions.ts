/**
 * New-article alerts: /subscribe, /unsubscribe, /status, and /stats for operators. In groups only
 * admins change the subscription (checked here with getChatMember: command menus hide commands,
 * they do not protect them); anonymous admins post as the group itself; in a channel only admins
 * can post, so a /subscribe channel post is an admin's. Removing or blocking the bot ends it.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import type { SubscriberChatType } from "../../storage/repositories.js";
import { localeOf } from "../i18n.js";
import { send } from "../reply.js";

export function subscriptionsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("subscribe", (ctx) => change(ctx, "subscribe"));
  composer.command("unsubscribe", (ctx) => change(ctx, "unsubscribe"));

  composer.command("status", async (ctx) => {
    const alerts = ctx.deps.alerts;
    if (!alerts || !ctx.chat) {
      await send(ctx, { text: ctx.t("alerts-unavailable") });
      return;
    }
    const subscribed = alerts.storage.subscriptions.get(ctx.chat.id) !== undefined;
    await send(ctx, { text: ctx.t(subscribed ? "status-subscribed" : "status-not-subscribed") });
  });

  composer.command("stats", async (ctx) => {
    const alerts = ctx.deps.alerts;
    if (!alerts || !ctx.from || !alerts.operators.includes(ctx.from.id)) {
      await send(ctx, { text: ctx.t("stats-refused") });
      return;
    }
    const { storage } = alerts;
    const counts = storage.outbox.counts();
    const lastFeed = storage.feeds.lastCheckedAt();
    await send(ctx, {
      text: ctx.t("stats", {
        articles: ctx.deps.knowledge.articleCount,
        passages: ctx.deps.knowledge.passageCount,
        subscribers: storage.subscriptions.count(),
        pending: counts.pending + counts.sending,
        sent: counts.sent,
        dropped: counts.dropped,
        feed: lastFeed ? new Date(lastFeed).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—",
      }),
    });
  });

  // The bot was removed, kicked or blocked: that chat's subscription ends.
  composer.on("my_chat_member", (ctx) => {
    const status = ctx.myChatMember.new_chat_member.status;
    if ((status === "left" || status === "kicked") && ctx.deps.alerts?.storage.subscriptions.remove(ctx.chat.id)) {
      ctx.log.info({ chat: ctx.chat.id, status }, "bot removed: subscription ended");
    }
  });

  // A group upgraded to a supergroup: Telegram posts migrate_to_chat_id in the old group (and
  // never a "left" event). Move the subscription now, so /status and /subscribe in the supergroup
  // are right before the next alert (the broadcaster also moves it on "group chat was upgraded").
  composer.on("message:migrate_to_chat_id", (ctx) => {
    const storage = ctx.deps.alerts?.storage;
    const newChatId = ctx.msg.migrate_to_chat_id;
    if (!storage?.subscriptions.get(ctx.chat.id)) return;
    storage.subscriptions.migrate(ctx.chat.id, newChatId);
    ctx.log.info({ chat: ctx.chat.id, newChatId }, "group upgraded to a supergroup: subscription moved");
  });

  return composer;
}

async function change(ctx: BotContext, action: "subscribe" | "unsubscribe"): Promise<void> {
  const alerts = ctx.deps.alerts;
  const chat = ctx.chat;
  if (!alerts || !chat) {
    await send(ctx, { text: ctx.t("alerts-unavailable") });
    return;
  }
  if (!(await mayChange(ctx))) {
    await send(ctx, { text: ctx.t("admins-only") });
    return;
  }
  const { subscriptions } = alerts.storage;
  if (action === "subscribe") {
    const title = chat.type === "private" ? [chat.first_name, chat.last_name].filter(Boolean).join(" ") : chat.title;
    // An anonymous admin's `from` is Telegram's placeholder account (GroupAnonymousBot): not a person.
    const subscribedBy = ctx.senderChat ? null : (ctx.from?.id ?? null);
    // Alerts go out in the language the bot speaks with whoever subscribed (a channel's post has no sender: the default).
    const language = localeOf(ctx.from?.language_code);
    const added = subscriptions.add({ chatId: chat.id, chatType: chat.type as SubscriberChatType, title: title ?? null, subscribedBy, language });
    ctx.log.info({ chat: chat.id, type: chat.type, added }, "subscribe");
    await send(ctx, { text: ctx.t(added ? "subscribed" : "already-subscribed") });
  } else {
    const removed = subscriptions.remove(chat.id);
    ctx.log.info({ chat: chat.id, removed }, "unsubscribe");
    await send(ctx, { text: ctx.t(removed ? "unsubscribed" : "not-subscribed") });
  }
}

/** Private chats: the user themself. Groups: creators and administrators, anonymous admins included. Channels: any poster. */
async function mayChange(ctx: BotContext): Promise<boolean> {
  const chat = ctx.chat!;
  if (chat.type === "private" || chat.type === "channel") return true;
  if (ctx.senderChat?.id === chat.id) return true; // an anonymous admin writes as the group itself
  if (!ctx.from || ctx.senderChat) return false; // a linked channel or another chat posting here
  const member = await ctx.api.getChatMember(chat.id, ctx.from.id);
  return member.status === "creator" || member.status === "administrator";
}

