/**
 * npm start: the bot. With BOT_TOKEN it meets Telegram by long polling or webhook (BOT_MODE),
 * with new-article alerts; without one it starts the local chat in this terminal, so a newcomer
 * sees the real thing.
 */
import { startAlerts } from "../alerts/alerts-service.js";
import { registerCommands } from "../bot/commands.js";
import type { BotDeps } from "../bot/context.js";
import { TokenRejectedError, connectToTelegram } from "../bot/connect.js";
import { createBot } from "../bot/create-bot.js";
import { alertRenderer } from "../bot/messages.js";
import { runLocalChat } from "../bot/local-chat.js";
import { startHealthServer } from "../bot/health.js";
import { type PollingOptions, runPolling, runWebhook } from "../bot/server.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import { StorageError } from "../storage/database.js";
import type { Storage } from "../storage/repositories.js";
import { commandLine } from "./arguments.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

const USAGE = `usage: npm start
The bot. With BOT_TOKEN it meets Telegram by long polling or webhook (BOT_MODE), with new-article
alerts; without one it opens the local chat in this terminal. Settings come from the environment
and .env (README "Environment", .env.example).`;

async function main(): Promise<void> {
  commandLine({ name: "start", usage: USAGE, options: {} });
  const config = loadConfig();
  const logger = loggerFor(config);
  const { index } = await openKnowledge(config, logger);

  if (config.bot.mode === "local") {
    logger.info("no BOT_TOKEN: starting the local chat (set BOT_TOKEN in .env to run on Telegram)");
    await runLocalChat({ deps: { knowledge: index, logger } });
    return;
  }
  // The alerts' storage is handed to the bot after getMe (the broadcaster needs the bot's username).
  const deps: { -readonly [K in keyof BotDeps]: BotDeps[K] } = { knowledge: index, logger };
  const { bot, i18n } = createBot(config.bot.token, deps, { apiRoot: config.bot.apiRoot });
  try {
    await connectToTelegram(bot, logger);
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error;
    logger.fatal(error.message);
    process.exitCode = 1;
    return;
  }
  let alerts: Awaited<ReturnType<typeof startAlerts>>;
  try {
    alerts = await startAlerts({
      config,
      token: config.bot.token,
      apiRoot: config.bot.apiRoot,
      botApi: bot.api,
      renderAlert: alertRenderer(i18n, bot.botInfo.username),
      knowledge: index,
      logger,
    });
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    logger.fatal(error.message);
    process.exitCode = 1;
    return;
  }
  deps.alerts = { storage: alerts.storage, operators: config.alerts.adminUserIds };
  try {
    await registerCommands(bot.api, i18n, config.alerts.adminUserIds);
    if (config.bot.mode === "polling") {
      const health = config.bot.health && (await startPollingHealth(config.bot.health, { index, storage: alerts.storage, logger }));
      try {
        await runPolling(bot, { logger, onPoll: health?.onPoll });
      } finally {
        await health?.close();
      }
    }
    if (config.bot.mode === "webhook") await runWebhook(bot, { ...config.bot, logger, knowledge: index });
  } finally {
    await alerts.stop();
    logger.info("stopped");
  }
}

/**
 * GET /health while long polling (PORT set): Telegram reachable (a getUpdates answered within the
 * last 90 s, a long poll lasting 30), the last update's time, the alert outbox and the database.
 */
async function startPollingHealth(
  where: { host: string; port: number },
  parts: { index: KnowledgeIndex; storage: Storage; logger: Logger },
): Promise<{ onPoll: NonNullable<PollingOptions["onPoll"]>; close: () => Promise<void> }> {
  const startedAt = Date.now();
  let lastAnswerAt: number | undefined;
  let lastUpdateAt: number | undefined;
  let lastError: string | undefined;
  const server = await startHealthServer({
    ...where,
    report: () => {
      let database: string;
      let outbox: unknown;
      try {
        outbox = parts.storage.outbox.counts();
        database = "ok";
      } catch (error) {
        database = `error: ${(error as Error).message}`;
      }
      const reachable = lastAnswerAt !== undefined && Date.now() - lastAnswerAt < 90_000;
      return {
        status: reachable && database === "ok" ? "ok" : "degraded",
        mode: "polling",
        telegram: { reachable, lastAnswerAt: lastAnswerAt && new Date(lastAnswerAt).toISOString(), ...(lastError ? { lastError } : {}) },
        lastUpdateAt: lastUpdateAt && new Date(lastUpdateAt).toISOString(),
        outbox,
        database,
        articles: parts.index.articles.length,
        passages: parts.index.passageCount,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      };
    },
  });
  parts.logger.info({ health: `${server.origin}/health` }, "health check listening");
  return {
    onPoll: (event) => {
      if (event.ok) {
        lastAnswerAt = Date.now();
        lastError = undefined;
        if (event.updates > 0) lastUpdateAt = Date.now();
      } else {
        lastError = event.error;
      }
    },
    close: server.close,
  };
}

await main();
