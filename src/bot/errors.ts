/** Errors as they may be logged: the useful fields, never the bot token. */
import { GrammyError, HttpError } from "grammy";
import { scrubToken } from "../logger.js";

/** Error fields worth logging, with any bot token scrubbed from messages and URLs. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) {
    return { type: "GrammyError", method: error.method, code: error.error_code, description: error.description };
  }
  if (error instanceof HttpError) return { type: "HttpError", message: scrubToken(error.message) };
  if (error instanceof Error) return { type: error.name, message: scrubToken(error.message), stack: scrubToken(error.stack ?? "") };
  return { type: typeof error, message: scrubToken(String(error)) };
}
