/** Registered last: a private message the bot cannot read (sticker, photo, unknown command) gets a hint. */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { send } from "../reply.js";

export function unhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType("private").on("message", (ctx) => send(ctx, { text: ctx.t("text-only") }));
  return composer;
}
