/** Shared start-up of the command-line entry points: environment, config, logger, knowledge, storage. */
import { config as loadDotenv } from "dotenv";
import { type Config, ConfigError, parseConfig } from "../config.js";
import { openKnowledgeBase, type OpenedKnowledge } from "../knowledge/knowledge-base.js";
import { type Logger, createLogger } from "../logger.js";
import { openDatabase } from "../storage/database.js";
import { type Storage, repositories } from "../storage/repositories.js";

/** Reads .env (if any) and the environment; a bad value ends the process with a message naming it. */
export function loadConfig(): Config {
  loadDotenv({ quiet: true });
  try {
    return parseConfig(process.env, Boolean(process.stderr.isTTY));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

export function loggerFor(config: Config): Logger {
  return createLogger({ level: config.logLevel, format: config.logFormat });
}

/** Opens the knowledge base; every article that failed to load is logged with file and line. */
export async function openKnowledge(config: Config, logger: Logger): Promise<OpenedKnowledge> {
  const started = performance.now();
  const opened = await openKnowledgeBase({ knowledgeDir: config.knowledgeDir, cacheDir: config.cacheDir });
  for (const error of opened.errors) logger.warn({ file: error.file, line: error.line }, `article skipped: ${error.message}`);
  logger.info(
    {
      articles: opened.index.articleCount,
      passages: opened.index.passageCount,
      fromCache: opened.fromCache,
      ms: Math.round(performance.now() - started),
    },
    "knowledge base ready",
  );
  return opened;
}

/**
 * Opens DATABASE_PATH (subscriptions, the alert outbox, feed state); a database another process
 * holds is waited for, each wait logged. Throws a StorageError naming the path when it is unusable.
 */
export function openStorage(config: Config, logger: Logger): Storage {
  const file = config.alerts.databasePath;
  const db = openDatabase(file, {
    onLocked: (attempt) => logger.warn({ attempt, database: file }, "database locked by another process; trying again in 1 s"),
  });
  return repositories(db);
}
