/** How the bot replies, everywhere: HTML, no link previews, threaded to the message in groups. */
import type { BotContext } from "./context.js";
import type { OutgoingMessage } from "./messages.js";

export function sendOptions(ctx: BotContext, message: OutgoingMessage) {
  const inGroup = ctx.chat?.type === "group" || ctx.chat?.type === "supergroup";
  const replyTo = inGroup && ctx.message ? { reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true } } : {};
  return {
    parse_mode: "HTML" as const,
    link_preview_options: { is_disabled: true },
    ...(message.keyboard ? { reply_markup: message.keyboard } : {}),
    ...replyTo,
  };
}

export async function send(ctx: BotContext, message: OutgoingMessage): Promise<void> {
  await ctx.reply(message.text, sendOptions(ctx, message));
}
