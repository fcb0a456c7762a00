/**
 * What long polling (polling.ts) and the webhook (webhook.ts) share: the updates the bot asks
 * Telegram for, how long a stop waits for the updates in flight, and the error thrown when
 * Telegram will not deliver updates, with a hint for the failures whose cause is known.
 */
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import { describeError } from "./errors.js";

/** The update types the bot handles; Telegram sends nothing else (and channel posts on request). */
export const ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "callback_query",
  "inline_query",
  "chosen_inline_result",
  "my_chat_member",
  "channel_post",
] as const satisfies readonly Exclude<keyof Update, "update_id">[];

/** How long a graceful shutdown waits for the updates in flight before giving up on them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

export type DeliveryMode = "polling" | "webhook";

/**
 * Polling or the webhook failed for good: Telegram will not deliver updates to this process. The
 * message names the failed call and, for a known cause, what to do; it never holds the token.
 */
export class DeliveryError extends Error {
  constructor(
    readonly mode: DeliveryMode,
    /** The failure as {@link describeError} gives it (token scrubbed), for the log. */
    readonly details: Record<string, unknown>,
  ) {
    const hint = deliveryHint(mode, details);
    super(`${mode} failed: ${summary(details)}${hint ? ` — ${hint}` : ""}`);
    this.name = "DeliveryError";
  }
}

/** What to do about a failure Telegram answers the same way each time. */
export function deliveryHint(mode: DeliveryMode, details: Record<string, unknown>): string | undefined {
  const code = details.code;
  if (code === 401 || code === 404) return "Telegram does not accept BOT_TOKEN: check it with @BotFather (/token) and set it again";
  if (code === 409 && mode === "polling") {
    return "another process is receiving this bot's updates (409 Conflict): stop the other instance, or remove its webhook";
  }
  if (code === 400 && mode === "webhook" && String(details.description).includes("webhook")) {
    return "Telegram refused WEBHOOK_URL: it must be https, on port 443, 80, 88 or 8443, and reachable from the internet";
  }
  return undefined;
}

function summary(details: Record<string, unknown>): string {
  return [details.type, details.method, details.code, details.description ?? details.message]
    .filter((part) => part !== undefined && part !== "")
    .join(" ");
}

/** grammY types its signal parameter with the abort-controller shim; the built-in one is what it uses. */
export function apiSignal(signal: AbortSignal): Parameters<Bot["api"]["getUpdates"]>[1] {
  return signal as Parameters<Bot["api"]["getUpdates"]>[1];
}

/**
 * How a runner that failed ends: quietly when the stop came first (the failure is the stop's
 * doing), else with a DeliveryError that says what to do.
 */
export function endFailedRun(mode: DeliveryMode, error: unknown, signal: AbortSignal, logger: Logger): void {
  if (!signal.aborted) throw new DeliveryError(mode, describeError(error));
  logger.info(`${mode} stopped before it started`);
}

export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
