/**
 * A logger that records its lines, so a test asserts on what was logged: the bot's own
 * createLogger (redaction and scrubbing included), writing JSON lines into memory.
 */
import { Writable } from "node:stream";
import { type Logger, createLogger } from "../src/logger.js";
import type { LogLine } from "./bot-process.js";

export interface RecordingLogger {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): LogLine[];
  /** The `msg` of every line so far, in order. */
  messages(): string[];
  /** Everything written so far, as written (to check that a secret never appears). */
  text(): string;
}

export function recordingLogger(level: "debug" | "info" | "warn" = "debug"): RecordingLogger {
  let text = "";
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const logger = createLogger({ level, format: "json", destination });
  const lines = () =>
    text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, lines, messages: () => lines().map((line) => line.msg ?? ""), text: () => text };
}
