/** pino logging: JSON lines by default, readable in a terminal, secrets never written. */
import pino, { type DestinationStream, type Logger } from "pino";
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
  const base = { level: options.level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  if (options.destination) return pino(base, options.destination);
  if (options.format === "pretty") {
    return pino({ ...base, transport: { target: "pino-pretty", options: { destination: 2, colorize: true, translateTime: "SYS:HH:MM:ss" } } });
  }
  return pino(base, pino.destination(2));
}

/** Replaces a bot token anywhere in a string ("/bot123:ABC/sendMessage" → "/bot[redacted]/…"). */
export function scrubToken(text: string): string {
  return text.replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, "[redacted]");
}
