/**
 * The simulated Telegram as a grammY API transformer: a bot in this process whose every call is
 * answered by the model, as Telegram would answer it. It never calls `prev`, so no request leaves
 * the process.
 */
import type { Transformer } from "grammy";
import type { Payload } from "./payload.js";
import type { SimulatedTelegram } from "./telegram.js";

/** Thrown for an injected network fault or a non-JSON answer: what grammY's HttpError would carry. */
export class SimulatedNetworkError extends Error {}

export function simulatedTelegramTransformer(telegram: SimulatedTelegram): Transformer {
  return async (_prev, method, payload, signal) => {
    const outcome = await telegram.call(method, (payload ?? {}) as Payload, telegram.token, signal as AbortSignal | undefined, "in-process");
    switch (outcome.kind) {
      case "ok":
        return { ok: true, result: outcome.result as never, ...(outcome.description !== undefined && { description: outcome.description }) };
      case "error":
        return { ok: false, ...outcome.error };
      case "network":
        throw new SimulatedNetworkError(`${method}: the connection to Telegram was cut`);
      case "raw":
        throw new SimulatedNetworkError(`${method}: Telegram answered ${outcome.status} without JSON`);
      case "aborted":
        throw new SimulatedNetworkError(`${method}: aborted`);
    }
  };
}
