/**
 * The first contact with Telegram at start: getMe until it answers, saying each time why not and
 * when it tries again; a token Telegram refuses ends the start at once with a clear message.
 */
import { type Api, type Bot, type Context, GrammyError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../logger.js";
import { describeError } from "./errors.js";

/** Telegram answered that the token is not a bot's: retrying cannot help. */
export class TokenRejectedError extends Error {
  constructor(code: number, description: string) {
    super(`BOT_TOKEN was rejected by Telegram (${code} ${description}): check it with @BotFather (/token) and set it again`);
    this.name = "TokenRejectedError";
  }
}

export interface ConnectOptions {
  /** One getMe may take this long before it counts as failed (a silent network answers nothing). */
  readonly attemptTimeoutMs?: number;
  /** Waits grow 1 s, 2 s, 4 s … up to this. */
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
}

/** Asks getMe until Telegram answers; sets the bot's info so the bot needs no other call to start. */
export async function connectToTelegram<C extends Context>(bot: Bot<C, Api>, logger: Logger, options: ConnectOptions = {}): Promise<UserFromGetMe> {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  for (let attempt = 1; ; attempt += 1) {
    const signals = [AbortSignal.timeout(attemptTimeoutMs), ...(options.signal ? [options.signal] : [])];
    try {
      // grammY types its signal after the abort-controller package; Node's own is what it uses.
      const me = await bot.api.getMe(AbortSignal.any(signals) as Parameters<Api["getMe"]>[0]);
      bot.botInfo = me;
      logger.info({ bot: me.username, attempts: attempt }, "connected to Telegram");
      return me;
    } catch (error) {
      // 401 Unauthorized and 404 Not Found are Telegram's answers to a token that is not a bot's.
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
        throw new TokenRejectedError(error.error_code, error.description.replace(/^[^:]*:\s*/, ""));
      }
      if (options.signal?.aborted) throw error;
      const retryInMs = Math.min(maxDelayMs, 1000 * 2 ** Math.min(attempt - 1, 16));
      logger.warn({ attempt, retryInMs, reason: describeError(error) }, "Telegram is not reachable yet; trying again");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryInMs);
        options.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
