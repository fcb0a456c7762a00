/**
 * Questions: any text in a private chat; in groups `/ask …`, a mention of the bot, or a reply to
 * one of its messages (privacy mode delivers only those). Other group chatter is ignored.
 */
import { Composer } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { BotContext } from "../context.js";
import { hitMessage, notFoundMessage } from "../messages.js";
import { send } from "../reply.js";

export async function answerQuestion(ctx: BotContext, query: string): Promise<void> {
  const question = query.trim();
  if (!question) {
    await send(ctx, { text: ctx.t("empty-question") });
    return;
  }
  const answer = ctx.deps.knowledge.search(question);
  ctx.log.debug({ tier: answer.tier, hits: answer.hits.length }, "question answered");
  if (answer.tier === "none") {
    await send(ctx, notFoundMessage(question, ctx.deps.knowledge, ctx.t));
    return;
  }
  const key = ctx.recent.remember(question);
  await send(ctx, hitMessage(answer, 0, key, ctx.t));
}

/** The message text without mentions of this bot (so "@hoibao_bot khó khăn?" asks "khó khăn?"). */
function withoutMentions(text: string, entities: readonly MessageEntity[] | undefined, username: string): string {
  const mentions = (entities ?? [])
    .filter((e) => e.type === "mention" && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === username.toLowerCase())
    .sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const m of mentions) out = out.slice(0, m.offset) + out.slice(m.offset + m.length);
  return out;
}

export function askFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("ask", (ctx) => answerQuestion(ctx, ctx.match));

  composer.chatType("private").on("message:text", async (ctx, next) => {
    if (ctx.msg.text.startsWith("/")) return next(); // an unknown command, not a question
    await answerQuestion(ctx, ctx.msg.text);
  });

  composer.chatType(["group", "supergroup"]).on("message:text", async (ctx, next) => {
    const { text, entities, reply_to_message: repliedTo } = ctx.msg;
    // A command, even when it mentions or replies to the bot; "// @bot …" is not one, it is asked.
    if ((entities ?? []).some((e) => e.type === "bot_command" && e.offset === 0)) return next();
    const mentioned = (entities ?? []).some(
      (e) => e.type === "mention" && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === ctx.me.username.toLowerCase(),
    );
    const replyToBot = repliedTo?.from?.id === ctx.me.id;
    if (!mentioned && !replyToBot) return next();
    await answerQuestion(ctx, withoutMentions(text, entities, ctx.me.username));
  });

  return composer;
}
