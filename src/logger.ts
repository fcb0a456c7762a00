/** pino logging: JSON lines by default, readable in a terminal, secrets never written. */
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import type { Config } from "./config.js";

export type { Logger };

/**
 * Paths that may carry the bot token or the webhook secret. grammY puts the token in request URLs,
 * so anything URL-like is also scrubbed by {@link scrubToken} before it is logged.
 */
export const REDACTED_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "config.bot.token",
  "bot.token",
  "webhookSecret",
  "*.webhookSecret",
  "config.bot.webhookSecret",
  "headers[\"x-telegram-bot-api-secret-token\"]",
  "*.headers[\"x-telegram-bot-api-secret-token\"]",
];

export interface LoggerOptions {
  readonly level: Config["logLevel"];
  readonly format: Config["logFormat"];
  /** Where lines go; stderr by default so stdout stays for command output (ask --json). */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // Credentials in a URL (a feed "https://user:pass@…") are secrets too, wherever a URL is logged.
    formatters: { log: scrubCredentialsIn },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === "string" ? scrubCredentials(a) : a)));
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.format === "pretty") {
    // Written synchronously (not through a worker transport): in a terminal a log line must come
    // where it happened, not in the middle of the local chat's banner or after an answer.
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss" }));
  }
  return pino(base, pino.destination(2));
}

/** "https://user:pass@host/…" → "https://***@host/…", anywhere in a text. */
export function scrubCredentials(text: string): string {
  // Bounded repetitions: on a long "a.a.a…" an unbounded scheme would be re-read from every letter.
  return text.includes("://") && text.includes("@") ? text.replace(/([a-z][a-z0-9+.-]{0,15}:\/\/)[^/@\s]{1,256}@/gi, "$1***@") : text;
}

/** A log line's fields with credentials scrubbed from their strings (two levels deep: err.message). */
function scrubCredentialsIn(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    let scrubbed: unknown = value;
    if (typeof value === "string") scrubbed = scrubCredentials(value);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      if (Object.values(inner).some((v) => typeof v === "string" && v.includes("@"))) {
        scrubbed = Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, typeof v === "string" ? scrubCredentials(v) : v]));
      }
    }
    if (scrubbed !== value) (out ??= { ...object })[key] = scrubbed;
  }
  return out ?? object;
}

/** Replaces a bot token anywhere in a string ("/bot123:ABC/sendMessage" → "/bot[redacted]/…"). */
export function scrubToken(text: string): string {
  return text.replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, "[redacted]");
}
