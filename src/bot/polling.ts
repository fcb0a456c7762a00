/**
 * Long polling with @grammyjs/runner (updates are handled concurrently), until a signal stops it:
 * no new updates are taken, the updates in flight are finished and confirmed, then the promise
 * resolves. Signals and exit codes are the caller's (src/cli/start.ts).
 *
 * Secrets: the bot token is never logged; errors go through {@link describeError}, which scrubs
 * the token from messages and URLs.
 */
import { run } from "@grammyjs/runner";
import type { Bot, Context } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import { ALLOWED_UPDATES, DEFAULT_SHUTDOWN_TIMEOUT_MS, apiSignal, endFailedRun, whenAborted } from "./delivery.js";
import { describeError } from "./errors.js";

/** One getUpdates answer (ok or not) and how many updates it brought: what /health reports. */
export interface PollEvent {
  readonly ok: boolean;
  readonly updates: number;
  readonly error?: string;
}

export interface PollingOptions {
  readonly logger: Logger;
  /** Told of every getUpdates answer. */
  readonly onPoll?: (event: PollEvent) => void;
  /** How long to wait for updates in flight when stopping (default 30 s). */
  readonly shutdownTimeoutMs?: number;
}

/**
 * Deletes any webhook, then long-polls until `signal` aborts. Stopping ends the long poll, waits
 * for the updates in flight, and confirms them to Telegram so a restart does not receive them
 * again. Rejects with a {@link DeliveryError} if polling fails for good (a revoked token, another
 * instance polling).
 */
export async function runPolling<C extends Context>(bot: Bot<C>, options: PollingOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  try {
    signal.throwIfAborted();
    await bot.init(apiSignal(signal));
    await bot.api.deleteWebhook({ drop_pending_updates: false }, apiSignal(signal));
    if (signal.aborted) return;

    const seen = watchGetUpdates(bot, logger, options.onPoll);
    const runner = run(bot, {
      // silent: the runner would print fetch errors (with the request URL, hence the token) to the
      // console; watchGetUpdates logs them scrubbed instead.
      runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 }, silent: true },
    });
    logger.info({ bot: bot.botInfo.username, mode: "polling" }, "polling started");

    const ended = runner.task()?.then(() => "ended" as const) ?? Promise.resolve("ended" as const);
    const outcome = await Promise.race([ended, whenAborted(signal).then(() => "stop" as const)]);
    if (outcome === "ended") {
      logger.warn("polling ended by itself");
      return;
    }

    const started = Date.now();
    await runner.stop(); // ends the pending long poll; updates already fetched keep running
    const drained = await waitUntil(() => runner.size() === 0, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    if (drained) {
      await confirmUpdates(bot, seen.lastUpdateId(), logger);
    } else {
      logger.warn({ inFlight: runner.size() }, "shutdown timeout: updates still in flight are abandoned");
    }
    logger.info({ ms: Date.now() - started }, "polling stopped");
  } catch (error) {
    endFailedRun("polling", error, signal, logger);
  }
}

/**
 * Logs failed getUpdates calls (scrubbed) and remembers the last update id fetched. A 401 or 409
 * is not logged here: the runner gives up on it, and the DeliveryError thrown says what to do.
 */
function watchGetUpdates<C extends Context>(bot: Bot<C>, logger: Logger, onPoll?: PollingOptions["onPoll"]): { lastUpdateId(): number | undefined } {
  let last: number | undefined;
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const response = await prev(method, payload, signal);
      onPoll?.(response.ok ? { ok: true, updates: (response.result as Update[]).length } : { ok: false, updates: 0, error: `${response.error_code} ${response.description}` });
      if (response.ok) {
        for (const update of response.result as Update[]) last = Math.max(last ?? update.update_id, update.update_id);
      } else if (response.error_code !== 401 && response.error_code !== 409 && !signal?.aborted) {
        logger.warn({ err: { code: response.error_code, description: response.description } }, "getUpdates failed");
      }
      return response;
    } catch (error) {
      if (!signal?.aborted) {
        const details = describeError(error);
        logger.warn({ error: details }, "getUpdates failed");
        onPoll?.({ ok: false, updates: 0, error: String(details.message ?? details.description ?? "failed") });
      }
      throw error;
    }
  });
  return { lastUpdateId: () => last };
}

/**
 * Tells Telegram the fetched updates were handled. The runner confirms a batch only with its next
 * getUpdates call, which never comes for a batch fetched just before the stop; grammY's own
 * bot.stop() ends the same way.
 */
async function confirmUpdates<C extends Context>(bot: Bot<C>, lastUpdateId: number | undefined, logger: Logger): Promise<void> {
  if (lastUpdateId === undefined) return;
  try {
    await bot.api.getUpdates({ offset: lastUpdateId + 1, limit: 1, timeout: 0 }, apiSignal(AbortSignal.timeout(5_000)));
  } catch (error) {
    logger.warn({ error: describeError(error) }, "could not confirm the last updates; Telegram may send them again");
  }
}

/** Resolves true once `done()` holds, false when `timeoutMs` passed first. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
