/**
 * npm start: the bot. With BOT_TOKEN it meets Telegram by long polling or webhook (BOT_MODE),
 * with new-article alerts; without one it starts the local chat in this terminal, so a newcomer
 * sees the real thing.
 *
 * The bot's whole lifecycle is here: storage opened, the bot built with all its dependencies,
 * getMe, alerts started, then polling or the webhook until SIGINT/SIGTERM; then everything is
 * stopped in order and the exit code chosen. Library code neither handles signals nor exits.
 */
import { startAlerts, type AlertsService } from "../alerts/alerts-service.js";
import type { Config } from "../config.js";
import { registerCommandMenus } from "../bot/command-menus.js";
import { TokenRejectedError, connectToTelegram } from "../bot/connect.js";
import { createBot } from "../bot/create-bot.js";
import { DeliveryError } from "../bot/delivery.js";
import { describeError } from "../bot/errors.js";
import { type PollingHealthServer, startPollingHealthServer } from "../bot/health.js";
import { alertRenderer } from "../bot/messages.js";
import { runLocalChat } from "../bot/local-chat.js";
import { runPolling } from "../bot/polling.js";
import { runWebhook } from "../bot/webhook.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import { StorageError } from "../storage/database.js";
import { commandLine } from "./arguments.js";
import { loadConfig, loggerFor, openKnowledge, openStorage } from "./bootstrap.js";

const USAGE = `usage: npm start
The bot. With BOT_TOKEN it meets Telegram by long polling or webhook (BOT_MODE), with new-article
alerts; without one it opens the local chat in this terminal. Settings come from the environment
and .env (README "Environment", .env.example).`;

async function main(): Promise<void> {
  commandLine({ name: "start", usage: USAGE, options: {} });
  const config = loadConfig();
  const logger = loggerFor(config);
  const { index } = await openKnowledge(config, logger);

  const botConfig = config.bot;
  if (botConfig.mode === "local") {
    logger.info("no BOT_TOKEN: starting the local chat (set BOT_TOKEN in .env to run on Telegram)");
    await runLocalChat({ deps: { knowledge: index, logger } });
    return;
  }

  const shutdown = new AbortController();
  /** The first signal stops the bot gracefully; a second one, during that stop, exits at once. */
  const onShutdown = (signal: NodeJS.Signals): void => {
    if (shutdown.signal.aborted) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    logger.info({ signal }, "stopping: finishing the updates in flight (send the signal again to exit now)");
    shutdown.abort();
  };
  process.on("SIGINT", onShutdown);
  process.on("SIGTERM", onShutdown);

  try {
    await runOnTelegram({ ...config, bot: botConfig }, index, logger, shutdown.signal);
  } catch (error) {
    if (shutdown.signal.aborted) {
      // Asked to stop while starting (getMe being retried): what was cut off is not a failure.
      logger.info({ reason: describeError(error) }, "stopped before the bot had started");
    } else if (error instanceof DeliveryError) {
      logger.fatal({ err: error.details }, error.message);
      process.exitCode = 1;
    } else if (error instanceof TokenRejectedError || error instanceof StorageError) {
      logger.fatal(error.message);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    logger.info("stopped");
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  }
}

type TelegramConfig = Config & { readonly bot: Exclude<Config["bot"], { mode: "local" }> };

/** Runs the bot on Telegram until `signal` aborts, then stops what it started, last started first. */
async function runOnTelegram(config: TelegramConfig, index: KnowledgeIndex, logger: Logger, signal: AbortSignal): Promise<void> {
  const storage = openStorage(config, logger);
  let alerts: AlertsService | undefined;
  let health: PollingHealthServer | undefined;
  try {
    // Subscription commands read and write the same storage the alerts are sent from.
    const operators = config.alerts.adminUserIds;
    const { bot, i18n } = createBot(config.bot.token, { knowledge: index, logger, alerts: { storage, operators } }, { apiRoot: config.bot.apiRoot });
    // bot.init(), retried until Telegram answers: the alerts need the bot's username.
    await connectToTelegram(bot, logger, { signal });
    alerts = await startAlerts({
      config,
      storage,
      token: config.bot.token,
      apiRoot: config.bot.apiRoot,
      botApi: bot.api,
      renderAlert: alertRenderer(i18n, bot.botInfo.username),
      knowledge: index,
      logger,
    });
    await registerCommandMenus(bot.api, i18n, operators);
    if (config.bot.mode === "polling") {
      if (config.bot.health) health = await startPollingHealthServer(config.bot.health, { knowledge: index, storage, logger });
      await runPolling(bot, { logger, ...(health && { onPoll: health.onPoll }) }, signal);
    } else {
      const { webhookUrl, webhookSecret, host, port } = config.bot;
      await runWebhook(bot, { webhookUrl, webhookSecret, host, port, logger, knowledge: index }, signal);
    }
  } finally {
    await health?.close();
    await alerts?.stop();
    storage.db.close();
    logger.info({ database: config.alerts.databasePath }, "database closed");
  }
}

await main();
