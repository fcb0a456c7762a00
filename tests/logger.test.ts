import { describe, expect, it } from "vitest";
import { scrubCredentials, scrubToken } from "../src/logger.js";
import { recordingLogger } from "../testkit/recording-logger.js";

describe("logger", () => {
  it("redact – the bot token and webhook secret never reach the log", () => {
    const out = recordingLogger("info");
    const { logger } = out;
    const token = "123456:ABC-def_ghiJKLmnopQRStuvWXyz0123456";
    logger.info({ config: { bot: { token, webhookSecret: "hush" } }, token }, "started");
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain(token);
    expect(text).not.toContain("hush");
    expect(text).toContain("[redacted]");
  });

  it("credentials in a URL (a feed's user:password) never reach the log, in fields, errors or messages", () => {
    const out = recordingLogger("info");
    const { logger } = out;
    const feed = "https://editor:s3cr3t@feeds.example.org/rss";
    logger.warn({ feed, err: { message: `cannot fetch ${feed}` } }, `feed check failed: ${feed}`);
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("editor:");
    expect(text).toContain("https://***@feeds.example.org/rss");
  });

  it("scrubbing credentials costs little on hostile text (no backtracking on long runs)", () => {
    const text = `${"a.".repeat(80_000)}://@`;
    const started = performance.now();
    scrubCredentials(text);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("scrubToken – removes a token inside URLs and messages", () => {
    expect(scrubToken("POST https://api.telegram.org/bot123456:ABC-def_ghiJKLmnopQRStuvWXyz0123456/sendMessage failed")).toBe(
      "POST https://api.telegram.org/bot[redacted]/sendMessage failed",
    );
  });

  it("level – lines below the level are not written", () => {
    const out = recordingLogger("warn");
    const { logger } = out;
    logger.info("quiet");
    logger.warn("loud");
    expect(out.lines().map((l) => l.msg)).toEqual(["loud"]);
  });
});
