import { describe, expect, it } from "vitest";
import { ExtractError, extractArticle } from "../../src/alerts/extract-article.js";
import { FeedError } from "../../src/alerts/feed-poller.js";
import { FetchError, fetchText } from "../../src/alerts/fetch-page.js";
import { SourceError } from "../../src/alerts/source-error.js";

describe("SourceError", () => {
  it("fetching, extracting and reading a feed fail alike: the URL and the reason, each under its own name", () => {
    for (const [error, name] of [
      [new FetchError("https://x.vn/a", "HTTP 404 Not Found"), "FetchError"],
      [new ExtractError("https://x.vn/a", "no title found on the page"), "ExtractError"],
      [new FeedError("https://x.vn/rss", "not an RSS or Atom feed (x)"), "FeedError"],
    ] as const) {
      expect(error).toBeInstanceOf(SourceError);
      expect(error.name).toBe(name);
      expect(error.message).toBe(`${error.url}: ${error.reason}`);
    }
  });

  it("a page without an article is an ExtractError, a fetch that fails a FetchError, not the other", async () => {
    expect(() => extractArticle("<html><body></body></html>", "https://x.vn/a")).toThrow(ExtractError);
    const failed = await fetchText("http://127.0.0.1:9/x", { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(FetchError);
    expect(failed).not.toBeInstanceOf(ExtractError);
  });
});
