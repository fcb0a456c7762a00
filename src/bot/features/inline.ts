/**
 * Inline mode: `@bot <query>` in any chat lists matching passages (title = interview question,
 * description = the sentence that answers); choosing one posts the quote with attribution and source link.
 * An empty query lists the interview questions; a passage id (from a share button) gives that passage.
 */
import { Composer } from "grammy";
import type { InlineQueryResultArticle } from "grammy/types";
import type { SearchHit } from "../../knowledge/search-index.js";
import type { BotContext } from "../context.js";
import { clip } from "../../text.js";
import { latestInterview } from "../messages.js";
import { renderQuote } from "../render.js";

const MAX_RESULTS = 10;
const PASSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function inlineFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on("inline_query", async (ctx) => {
    const query = ctx.inlineQuery.query.trim();
    const hits = inlineHits(ctx, query);
    const results = hits.map((hit): InlineQueryResultArticle => ({
      type: "article",
      id: hit.passage.id,
      title: clip(hit.section?.question ?? hit.article.title, 120),
      description: clip(hit.sentence, 150),
      input_message_content: { message_text: renderQuote(hit, ctx.t), parse_mode: "HTML", link_preview_options: { is_disabled: true } },
      reply_markup: { inline_keyboard: [[{ text: ctx.t("button-open"), url: `https://t.me/${ctx.me.username}?start=${hit.passage.id}` }]] },
    }));
    await ctx.answerInlineQuery(results, {
      cache_time: 30,
      ...(results.length === 0 ? { button: { text: ctx.t("inline-no-results"), start_parameter: "help" } } : {}),
    });
  });

  return composer;
}

function inlineHits(ctx: BotContext, query: string): SearchHit[] {
  const knowledge = ctx.deps.knowledge;
  if (!query) {
    const article = latestInterview(knowledge);
    return (article?.sections ?? []).slice(0, MAX_RESULTS).flatMap((s) => knowledge.passage(s.passageIds[0]!) ?? []);
  }
  if (PASSAGE_ID.test(query)) {
    const shared = knowledge.passage(query);
    if (shared) return [shared];
  }
  return [...knowledge.search(query, MAX_RESULTS).hits];
}
