/** Registered last: a private message the bot cannot read (sticker, photo) or an unknown command gets a hint. */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { escapeHtml } from "../html.js";
import { send } from "../reply.js";

export function unhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType("private").on("message", (ctx) => {
    const command = /^\/[A-Za-z0-9_]{1,32}/.exec(ctx.msg.text ?? "")?.[0];
    // The command is the user's text: escaped before it goes into HTML.
    return send(ctx, { text: command ? ctx.t("unknown-command", { command: escapeHtml(command) }) : ctx.t("text-only") });
  });
  return composer;
}
