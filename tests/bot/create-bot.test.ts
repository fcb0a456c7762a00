import { HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { retryNetworkErrors } from "../../src/bot/create-bot.js";
import { describeError } from "../../src/bot/errors.js";

const TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ_012345";

describe("retryNetworkErrors", () => {
  it("retries a network failure a bounded number of times, then gives up", async () => {
    let calls = 0;
    const prev = async () => {
      calls += 1;
      throw new HttpError("network down", new Error("ECONNRESET"));
    };
    const retry = retryNetworkErrors(3, 1);
    await expect(retry(prev as never, "sendMessage", {} as never)).rejects.toBeInstanceOf(HttpError);
    expect(calls).toBe(4);
  });

  it("a success after a failure returns the answer; other errors are not retried", async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw new HttpError("blip", new Error("ETIMEDOUT"));
      return { ok: true, result: 7 };
    };
    expect(await retryNetworkErrors(3, 1)(flaky as never, "sendMessage", {} as never)).toEqual({ ok: true, result: 7 });
    let other = 0;
    const failing = async () => {
      other += 1;
      throw new Error("bug");
    };
    await expect(retryNetworkErrors(3, 1)(failing as never, "sendMessage", {} as never)).rejects.toThrow("bug");
    expect(other).toBe(1);
  });
});

describe("describeError", () => {
  it("never carries the bot token, even from a network error's inner message", () => {
    const inner = new Error(`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed`);
    const described = JSON.stringify(describeError(new HttpError(`Network request for 'sendMessage' failed! ${inner.message}`, inner)));
    expect(described).not.toContain(TOKEN);
    expect(JSON.stringify(describeError(inner))).not.toContain(TOKEN);
  });
});
