/** The context every handler sees: grammY's, plus translations and the bot's dependencies. */
import type { Context } from "grammy";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { Storage } from "../storage/repositories.js";
import type { Translate } from "./i18n.js";
import type { RecentQuestions } from "./recent-questions.js";

export interface BotDeps {
  /** The live knowledge base; articles may be added while the bot runs. */
  readonly knowledge: KnowledgeIndex;
  readonly logger: Logger;
  /** Subscriptions and alerts; absent where there is no database. */
  readonly alerts?: {
    readonly storage: Storage;
    /** Telegram user ids allowed to use /stats. */
    readonly operators: readonly number[];
  };
}

export interface BotContextExtras {
  readonly deps: BotDeps;
  /** A logger bound to this update's id. */
  readonly log: Logger;
  /** Questions recently answered, so "next match" buttons can find the following hit. */
  readonly recent: RecentQuestions;
  /** Messages in the user's language (Vietnamese unless their Telegram language is English). */
  readonly t: Translate;
}

export type BotContext = Context & BotContextExtras;
