/**
 * Builds the bot from its dependencies; never starts it (polling, webhook and the local chat do).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { limit } from "@grammyjs/ratelimiter";
import { Bot, type BotConfig, Context, HttpError, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../logger.js";
import type { BotContext, BotContextExtras, BotDeps } from "./context.js";
import { describeError } from "./errors.js";
import { askFeature } from "./features/ask.js";
import { buttonsFeature } from "./features/buttons.js";
import { commandsFeature } from "./features/commands.js";
import { inlineFeature } from "./features/inline.js";
import { subscriptionsFeature } from "./features/subscriptions.js";
import { unhandledFeature } from "./features/unhandled.js";
import { type Translate, Translations, localeOf } from "./i18n.js";
import { RecentQuestions } from "./recent-questions.js";
import { send } from "./reply.js";

export interface CreateBotOptions {
  /** Skips getMe at start (tests, local chat). */
  readonly botInfo?: UserFromGetMe;
  /** A self-hosted Bot API server or an emulator. */
  readonly apiRoot?: string;
  /** Per-user flood limit; false turns it off (load tests). */
  readonly rateLimit?: false | { readonly timeFrameMs: number; readonly limit: number };
  /** Retries of 429, 5xx and network errors per call (0 = none). */
  readonly maxRetries?: number;
}

export const DEFAULT_RATE_LIMIT = { timeFrameMs: 3000, limit: 5 };

export function createBot(token: string, deps: BotDeps, options: CreateBotOptions = {}) {
  const client: BotConfig<BotContext>["client"] = options.apiRoot ? { apiRoot: options.apiRoot } : {};
  const recent = new RecentQuestions();
  const i18n = new Translations();
  const bot = new Bot<BotContext>(token, {
    client,
    ContextConstructor: contextClass(deps, recent, i18n),
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const maxRetries = options.maxRetries ?? 3;
  if (maxRetries > 0) {
    // Bounded: a 429 asking for more than a minute, or a fourth failure, is given up and logged.
    // auto-retry retries network errors without any bound, so those are rethrown to our own retry.
    bot.api.config.use(autoRetry({ maxRetryAttempts: maxRetries, maxDelaySeconds: 60, rethrowHttpErrors: true }));
    bot.api.config.use(retryNetworkErrors(maxRetries));
  }

  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (rate) {
    bot.use(
      limit<BotContext, never>({
        timeFrame: rate.timeFrameMs,
        limit: rate.limit,
        keyGenerator: (ctx) => ctx.from?.id.toString(),
        onLimitExceeded: async (ctx) => {
          ctx.log.info({ user: ctx.from?.id }, "rate limited");
          if (ctx.chat?.type === "private") await send(ctx, { text: ctx.t("rate-limited") }).catch(() => undefined);
          else if (ctx.callbackQuery) await ctx.answerCallbackQuery(ctx.t("rate-limited")).catch(() => undefined);
        },
      }),
    );
  }

  const features = bot.errorBoundary(async (error) => {
    const ctx = error.ctx;
    ctx.log.error({ error: describeError(error.error) }, "handler failed");
    if (ctx.chat?.type === "private") await send(ctx, { text: ctx.t("error") }).catch(() => undefined);
  });
  // Questions first: they are most of the traffic, and each feature passed costs a few layers of
  // middleware. Commands are left to the features after it (the ask feature passes "/…" on).
  features.use(askFeature(), commandsFeature(), subscriptionsFeature(), buttonsFeature(), inlineFeature(), unhandledFeature());

  bot.catch((error) => deps.logger.error({ update_id: error.ctx.update.update_id, error: describeError(error.error) }, "update failed"));
  return { bot, i18n };
}

/**
 * grammY's context with the bot's dependencies and the user's translator. The update's logger is
 * made on first use: most updates log nothing, and a pino child (with its redaction) is not free
 * at hundreds of updates per second.
 */
function contextClass(
  deps: BotDeps,
  recent: RecentQuestions,
  translations: Translations,
): new (...args: ConstructorParameters<typeof Context>) => BotContext {
  return class BotContextWithDeps extends Context implements BotContextExtras {
    readonly deps = deps;
    readonly recent = recent;
    #log: Logger | undefined;
    get log(): Logger {
      return (this.#log ??= deps.logger.child({ update_id: this.update.update_id }));
    }
    get t(): Translate {
      return translations.translator(localeOf(this.from?.language_code));
    }
  };
}

/**
 * Retries a call that failed on the network (no answer from Telegram) a few times, 1 s, 2 s, 4 s
 * apart. Not getMe: the start retries it itself, logging each attempt (connect.ts).
 */
export function retryNetworkErrors(maxRetries: number, baseDelayMs = 1000): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === "getMe") return prev(method, payload, signal);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        if (!(error instanceof HttpError) || attempt >= maxRetries || signal?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** attempt));
      }
    }
  };
}
