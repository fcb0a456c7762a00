/** /start (with a deep-link passage), /help, /questions and /article. */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { displayDate } from "../../knowledge/dates.js";
import { articleMessage, latestInterview, passageMessage, questionKeyboard, questionsMessage } from "../messages.js";
import { send } from "../reply.js";
import { clip } from "../../text.js";
import { escapeHtml } from "../html.js";

/** Deep-link payloads are passage ids: 1–64 of A-Z a-z 0-9 _ -. */
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

export function commandsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("start", async (ctx) => {
    const payload = ctx.match.trim();
    // Inline mode's "nothing found" button opens the bot with ?start=help.
    if (payload === "help") return help(ctx);
    if (payload && PAYLOAD.test(payload)) {
      const hit = ctx.deps.knowledge.passage(payload);
      if (hit) return send(ctx, passageMessage(hit, ctx.t));
      await send(ctx, { text: ctx.t("passage-not-found") });
    }
    await welcome(ctx);
  });

  composer.command("help", help);

  composer.command("questions", (ctx) => send(ctx, questionsMessage(latestInterview(ctx.deps.knowledge), ctx.t)));

  composer.command("article", (ctx) => send(ctx, articleMessage(latestInterview(ctx.deps.knowledge), ctx.t)));

  return composer;
}

async function help(ctx: BotContext): Promise<void> {
  await send(ctx, { text: ctx.t("help", { bot: ctx.me.username }) });
}

async function welcome(ctx: BotContext): Promise<void> {
  const knowledge = ctx.deps.knowledge;
  const article = latestInterview(knowledge);
  const text = ctx.t("welcome", {
    articles: knowledge.articleCount,
    title: escapeHtml(article?.title ?? "—"),
    date: article ? displayDate(article.date) : "—",
    example: escapeHtml(clip(article?.sections[0]?.question ?? "khó khăn là gì?", 90)),
  });
  await send(ctx, { text, ...(article?.sections.length ? { keyboard: questionKeyboard(article) } : {}) });
}
