/**
 * Configuration from the environment, parsed and validated into one typed object by a pure
 * function: tests pass their own environment, and a bad value fails at start naming the variable.
 */

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** How the bot meets Telegram; without a token it runs as a local chat in the terminal. */
export type BotConfig =
  | { readonly mode: "local" }
  | { readonly mode: "polling"; readonly token: string; readonly apiRoot: string }
  | {
      readonly mode: "webhook";
      readonly token: string;
      readonly apiRoot: string;
      /** Public HTTPS URL Telegram posts updates to. */
      readonly webhookUrl: string;
      /** Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; other requests are refused. */
      readonly webhookSecret: string;
      readonly host: string;
      readonly port: number;
    };

export interface AlertsConfig {
  /** SQLite file (created on first run), or ":memory:". */
  readonly databasePath: string;
  /** RSS or Atom feeds to poll for new articles. */
  readonly feedUrls: readonly string[];
  /** How often each feed is polled, in milliseconds. */
  readonly feedIntervalMs: number;
  /** Alerts sent per second at most, over all chats. */
  readonly alertRate: number;
  /** Telegram user ids of the operators allowed to use /stats. */
  readonly adminUserIds: readonly number[];
}

export interface Config {
  readonly knowledgeDir: string;
  /** Where the built search index is cached between starts. */
  readonly cacheDir: string;
  readonly logLevel: LogLevel;
  /** JSON lines for machines, or readable lines for a person at a terminal. */
  readonly logFormat: "json" | "pretty";
  readonly bot: BotConfig;
  readonly alerts: AlertsConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`config: ${variable} ${reason}`);
    this.name = "ConfigError";
  }
}

export const TELEGRAM_API_ROOT = "https://api.telegram.org";

/** Parses the environment; `isTerminal` picks the default log format. */
export function parseConfig(env: Env, isTerminal = false): Config {
  return {
    knowledgeDir: text(env, "KNOWLEDGE_DIR") ?? "./knowledge",
    cacheDir: text(env, "CACHE_DIR") ?? "./.cache",
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS) ?? "info",
    logFormat: oneOf(env, "LOG_FORMAT", ["json", "pretty"] as const) ?? (isTerminal ? "pretty" : "json"),
    bot: parseBot(env),
    alerts: {
      databasePath: text(env, "DATABASE_PATH") ?? "./data/hoibao.db",
      feedUrls: list(env, "FEED_URLS").map((value) => checkedUrl("FEED_URLS", value)),
      feedIntervalMs: duration(env, "FEED_INTERVAL") ?? 15 * 60_000,
      // Telegram allows about 30 messages/s; more only makes sense against a local Bot API or emulator.
      alertRate: number(env, "ALERT_RATE", 0.1, 1000) ?? 25,
      adminUserIds: list(env, "ADMIN_USER_IDS").map((value) => {
        if (!/^\d{1,15}$/.test(value)) throw new ConfigError("ADMIN_USER_IDS", `must be comma-separated Telegram user ids (got "${value}")`);
        return Number(value);
      }),
    },
  };
}

/** Comma-separated values, blanks dropped. */
function list(env: Env, name: string): string[] {
  return (text(env, name) ?? "").split(",").map((v) => v.trim()).filter(Boolean);
}

function number(env: Env, name: string, min: number, max: number): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}

/** "90s", "15m", "1h" or plain seconds; at least one second. */
function duration(env: Env, name: string): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match?.[2] ?? "s"] ?? 1000;
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(ms) || ms < 1000) throw new ConfigError(name, `must be a duration such as 90s, 15m or 1h, at least 1s (got "${value}")`);
  return ms;
}

function parseBot(env: Env): BotConfig {
  const token = text(env, "BOT_TOKEN");
  if (!token) return { mode: "local" };
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(token)) {
    throw new ConfigError("BOT_TOKEN", "does not look like a bot token (123456:ABC-…); get one from @BotFather");
  }
  const apiRoot = url(env, "TELEGRAM_API_ROOT") ?? TELEGRAM_API_ROOT;
  const mode = oneOf(env, "BOT_MODE", ["polling", "webhook"] as const) ?? "polling";
  if (mode === "polling") return { mode, token, apiRoot };

  const webhookUrl = url(env, "WEBHOOK_URL");
  if (!webhookUrl) throw new ConfigError("WEBHOOK_URL", "is required when BOT_MODE=webhook (the public https URL of this bot)");
  const webhookSecret = text(env, "WEBHOOK_SECRET");
  if (!webhookSecret || !/^[A-Za-z0-9_-]{1,256}$/.test(webhookSecret)) {
    throw new ConfigError("WEBHOOK_SECRET", "is required when BOT_MODE=webhook: 1–256 characters of A-Z a-z 0-9 _ -");
  }
  return {
    mode,
    token,
    apiRoot,
    webhookUrl,
    webhookSecret,
    host: text(env, "HOST") ?? "0.0.0.0",
    port: integer(env, "PORT", 1, 65535) ?? 8080,
  };
}

/** A set, non-blank value, trimmed; blank counts as unset (as in a .env copied from .env.example). */
function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")} (got "${value}")`);
  }
  return value as T;
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return number;
}

function url(env: Env, name: string): string | undefined {
  const value = text(env, name);
  return value === undefined ? undefined : checkedUrl(name, value);
}

function checkedUrl(name: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new ConfigError(name, `must be an http(s) URL (got "${value}")`);
  }
  return value.replace(/\/+$/, "");
}
