/**
 * Answer buttons. Every press gets answerCallbackQuery (the client spins until then); a stale or
 * forged button gets a polite note instead of an error.
 */
import { Composer, GrammyError } from "grammy";
import type { BotContext } from "../context.js";
import { describeError } from "../errors.js";
import { decodeAction } from "../callback-data.js";
import { fullAnswerMessage, hitMessage, questionsMessage, sectionMessage } from "../messages.js";
import { send, sendOptions } from "../reply.js";

export function buttonsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on("callback_query:data", async (ctx) => {
    let note: string | undefined;
    try {
      note = await handlePress(ctx, ctx.callbackQuery.data);
    } finally {
      await ctx.answerCallbackQuery(note ? { text: note } : {}).catch((error: unknown) => {
        ctx.log.warn({ error: describeError(error) }, "answerCallbackQuery failed"); // e.g. "query is too old"
      });
    }
  });

  return composer;
}

/** Carries out a press; returns a short note for the user when there is nothing else to show. */
async function handlePress(ctx: BotContext, data: string): Promise<string | undefined> {
  const action = decodeAction(data);
  const knowledge = ctx.deps.knowledge;
  if (!action) return ctx.t("button-expired");

  switch (action.kind) {
    case "full": {
      const hit = knowledge.passage(action.passageId);
      const article = hit && knowledge.article(hit.article.id);
      if (!hit || !article) return ctx.t("passage-not-found");
      await send(ctx, fullAnswerMessage(hit, article, ctx.t));
      return undefined;
    }
    case "next": {
      const query = ctx.recent.recall(action.key);
      if (query === undefined) return ctx.t("button-expired");
      const answer = knowledge.search(query);
      if (action.index >= answer.hits.length) return ctx.t("no-more-matches");
      const message = hitMessage(answer, action.index, action.key, ctx.t);
      await editOrSend(ctx, message);
      return undefined;
    }
    case "questions": {
      const article = knowledge.article(action.articleId);
      if (!article) return ctx.t("passage-not-found");
      await send(ctx, questionsMessage(article, ctx.t));
      return undefined;
    }
    case "question": {
      const article = knowledge.article(action.articleId);
      const section = article?.sections[action.section - 1];
      const message = article && section && sectionMessage(article, section, knowledge, ctx.t);
      if (!message) return ctx.t("passage-not-found");
      await send(ctx, message);
      return undefined;
    }
  }
}

/** "Next match" replaces the answer in place; a message that cannot be edited gets a new one. */
async function editOrSend(ctx: BotContext, message: Parameters<typeof send>[1]): Promise<void> {
  const { parse_mode, link_preview_options, reply_markup } = sendOptions(ctx, message);
  try {
    await ctx.editMessageText(message.text, { parse_mode, link_preview_options, ...(reply_markup ? { reply_markup } : {}) });
  } catch (error) {
    if (error instanceof GrammyError && error.description.includes("message is not modified")) return;
    if (error instanceof GrammyError && error.error_code === 400) {
      await send(ctx, message);
      return;
    }
    throw error;
  }
}
