/**
 * Configuration from the environment, parsed and validated into one typed object by a pure
 * function: tests pass their own environment, and a bad value fails at start naming the variable.
 */

import { scrubCredentials } from "./logger.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** How the bot meets Telegram; without a token it runs as a local chat in the terminal. */
export type BotConfig =
  | { readonly mode: "local" }
  | {
      readonly mode: "polling";
      readonly token: string;
      readonly apiRoot: string;
      /** Where GET /health answers, when PORT is set (a container's health check). */
      readonly health?: { readonly host: string; readonly port: number };
    }
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
  /** Whether feed item links and redirects may reach loopback and private addresses (tests, an intranet). */
  readonly allowPrivateAddresses: boolean;
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

/** Every problem of the environment at once, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { readonly variable: string; readonly reason: string }[]) {
    super(problems.map((p) => `config: ${p.variable} ${p.reason}`).join("\n"));
    this.name = "ConfigError";
  }

  /** The first variable at fault. */
  get variable(): string {
    return this.problems[0]!.variable;
  }
}

/** Every variable the configuration reads (README "Environment", .env.example). */
export const CONFIG_VARIABLES = [
  "BOT_TOKEN",
  "BOT_MODE",
  "TELEGRAM_API_ROOT",
  "WEBHOOK_URL",
  "WEBHOOK_SECRET",
  "HOST",
  "PORT",
  "KNOWLEDGE_DIR",
  "CACHE_DIR",
  "DATABASE_PATH",
  "FEED_URLS",
  "FEED_INTERVAL",
  "ALERT_RATE",
  "ADMIN_USER_IDS",
  "ALLOW_PRIVATE_ADDRESSES",
  "LOG_LEVEL",
  "LOG_FORMAT",
] as const;

export const TELEGRAM_API_ROOT = "https://api.telegram.org";

/**
 * Parses the environment; `isTerminal` picks the default log format. Every variable is checked in
 * every mode (a bad PORT is an error without a token too), and all problems are reported together.
 */
export function parseConfig(env: Env, isTerminal = false): Config {
  const problems: { variable: string; reason: string }[] = [];
  const read = new Reader(env, problems);
  const config: Config = {
    knowledgeDir: read.text("KNOWLEDGE_DIR") ?? "./knowledge",
    cacheDir: read.text("CACHE_DIR") ?? "./.cache",
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS) ?? "info",
    logFormat: read.oneOf("LOG_FORMAT", ["json", "pretty"] as const) ?? (isTerminal ? "pretty" : "json"),
    bot: parseBot(read),
    alerts: {
      databasePath: read.text("DATABASE_PATH") ?? "./data/hoibao.db",
      feedUrls: read.list("FEED_URLS").flatMap((value) => read.checkedUrl("FEED_URLS", value) ?? []),
      feedIntervalMs: read.duration("FEED_INTERVAL") ?? 15 * 60_000,
      // Telegram allows about 30 messages/s; more only makes sense against a local Bot API or emulator.
      alertRate: read.number("ALERT_RATE", 0.1, 1000) ?? 25,
      adminUserIds: read.list("ADMIN_USER_IDS").flatMap((value) => {
        if (/^\d{1,15}$/.test(value)) return [Number(value)];
        read.problem("ADMIN_USER_IDS", `must be comma-separated Telegram user ids (got "${value}")`);
        return [];
      }),
      allowPrivateAddresses: (read.oneOf("ALLOW_PRIVATE_ADDRESSES", ["on", "off"] as const) ?? "off") === "on",
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseBot(read: Reader): BotConfig {
  const token = read.text("BOT_TOKEN");
  if (token && !/^\d+:[A-Za-z0-9_-]+$/.test(token)) {
    read.problem("BOT_TOKEN", "does not look like a bot token (123456:ABC-…); get one from @BotFather");
  }
  // Checked whatever the mode, so a mistake shows before the token is added.
  const apiRoot = read.url("TELEGRAM_API_ROOT") ?? TELEGRAM_API_ROOT;
  const mode = read.oneOf("BOT_MODE", ["polling", "webhook"] as const) ?? "polling";
  const webhookUrl = read.url("WEBHOOK_URL");
  const webhookSecret = read.text("WEBHOOK_SECRET");
  if (webhookSecret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(webhookSecret)) {
    read.problem("WEBHOOK_SECRET", "must be 1–256 characters of A-Z a-z 0-9 _ -");
  }
  const host = read.text("HOST") ?? "0.0.0.0";
  const port = read.integer("PORT", 1, 65535) ?? 8080;
  if (!token) return { mode: "local" };
  if (mode === "polling") return read.text("PORT") ? { mode, token, apiRoot, health: { host, port } } : { mode, token, apiRoot };
  if (!webhookUrl) read.problem("WEBHOOK_URL", "is required when BOT_MODE=webhook (the public https URL of this bot)");
  if (!webhookSecret) read.problem("WEBHOOK_SECRET", "is required when BOT_MODE=webhook: 1–256 characters of A-Z a-z 0-9 _ -");
  return { mode, token, apiRoot, webhookUrl: webhookUrl ?? "", webhookSecret: webhookSecret ?? "", host, port };
}

/** Reads variables, recording a problem (not throwing) for each bad one. */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: { variable: string; reason: string }[],
  ) {}

  problem(variable: string, reason: string): undefined {
    this.problems.push({ variable, reason });
    return undefined;
  }

  /** A set, non-blank value, trimmed; blank counts as unset (as in a .env copied from .env.example). */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  /** Comma-separated values, blanks dropped. */
  list(name: string): string[] {
    return (this.text(name) ?? "").split(",").map((v) => v.trim()).filter(Boolean);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) return this.problem(name, `must be one of ${allowed.join(", ")} (got "${value}")`);
    return value as T;
  }

  number(name: string, min: number, max: number): number | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) return this.problem(name, `must be a number from ${min} to ${max} (got "${value}")`);
    return parsed;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) return this.problem(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
    return parsed;
  }

  /** "90s", "15m", "1h" or plain seconds; at least one second. */
  duration(name: string): number | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match?.[2] ?? "s"] ?? 1000;
    const ms = match ? Number(match[1]) * unit : NaN;
    if (!Number.isFinite(ms) || ms < 1000) return this.problem(name, `must be a duration such as 90s, 15m or 1h, at least 1s (got "${value}")`);
    return ms;
  }

  url(name: string): string | undefined {
    const value = this.text(name);
    return value === undefined ? undefined : this.checkedUrl(name, value);
  }

  checkedUrl(name: string, value: string): string | undefined {
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
    } catch {
      return this.problem(name, `must be an http(s) URL (got "${scrubCredentials(value)}")`);
    }
    return value.replace(/\/+$/, "");
  }
}

