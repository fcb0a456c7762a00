import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FeedPoller, type FeedReport } from "../../src/alerts/feed-poller.js";
import { KnowledgeWatcher } from "../../src/alerts/knowledge-watcher.js";
import { NewArticles } from "../../src/alerts/new-articles.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { recordingLogger } from "../../testkit/recording-logger.js";
import { openDatabase } from "../../src/storage/database.js";
import { repositories } from "../../src/storage/repositories.js";
import { FESTIVAL, FURNITURE_TEXTS, INTERVIEW, NO_DATE, RICE, ROAD, type NewsSite, articlePage, atom, plain, rss, startNewsSite } from "../../testkit/news-site.js";

const logger = createLogger({ level: "silent", format: "json" });
const RSS_TYPE = "application/rss+xml; charset=utf-8";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The site: an RSS feed (3 items, one page never answers), an Atom feed, a broken feed, a failing feed. */
async function newsSite(): Promise<NewsSite> {
  const site = await startNewsSite({});
  cleanups.push(() => site.close());
  const u = site.url;
  site.routes.set(
    "/rss.xml",
    {
      type: RSS_TYPE,
      body: rss("Báo Sóc Trăng - Tin mới", [
        { title: INTERVIEW.title, link: `${u}/chinh-tri/dan-van-kheo.html`, guid: "bst-1001", date: "Sat, 23 Nov 2024 00:30:00 GMT" },
        { title: RICE.title, link: `${u}/kinh-te/lua-thu-dong.html`, guid: "bst-1002", date: "Sat, 23 Nov 2024 23:15:00 GMT" },
        { title: ROAD.title, link: `${u}/kinh-te/duong-tran-de.html`, guid: "bst-1003", date: "Wed, 20 Nov 2024 02:00:00 GMT" },
      ]),
    },
  );
  site.routes.set(
    "/atom.xml",
    {
      type: "application/atom+xml",
      body: atom("Văn hóa", [
        { title: FESTIVAL.title, link: `${u}/van-hoa/oc-om-boc.html`, date: "2024-11-15T01:00:00Z" },
        { title: NO_DATE.title, link: `${u}/van-hoa/dan-ca-khmer.html`, date: "2024-11-21T20:00:00Z" },
      ]),
    },
  );
  site.routes.set("/broken.xml", { type: "application/xml", body: "<rss version=\"2.0\"><channel><title>Thiếu thẻ đóng</title><item><title>" });
  site.routes.set("/down.xml", { status: 500, type: "text/plain", body: "Internal Server Error" });
  site.routes.set("/chinh-tri/dan-van-kheo.html", { body: articlePage(INTERVIEW) });
  site.routes.set("/kinh-te/lua-thu-dong.html", { body: articlePage(RICE) });
  site.routes.set("/kinh-te/duong-tran-de.html", "hang");
  site.routes.set("/van-hoa/oc-om-boc.html", { body: articlePage(FESTIVAL) });
  site.routes.set("/van-hoa/dan-ca-khmer.html", { body: articlePage(NO_DATE) });
  return site;
}

function setup(site: NewsSite, feeds = ["/rss.xml", "/atom.xml", "/broken.xml", "/down.xml"], allowPrivateAddresses = true) {
  const dir = mkdtempSync(path.join(tmpdir(), "hoibao-feeds-"));
  const storage = repositories(openDatabase(":memory:"));
  const clock = { now: Date.UTC(2024, 10, 25, 1, 0, 0) };
  const feedUrls = feeds.map((f) => `${site.url}${f}`);
  const poller = new FeedPoller({
    allowPrivateAddresses, // the test's news site is on 127.0.0.1
    feedUrls,
    intervalMs: 60_000,
    retryBaseMs: 5_000,
    storage,
    knowledgeDir: dir,
    logger,
    // Short enough for the page that never answers; long enough for a busy machine (feeds run side by side).
    timeoutMs: 2_000,
    now: () => clock.now,
  });
  cleanups.push(() => poller.stop());
  return { dir, storage, clock, poller, feedUrls };
}

function byFeed(reports: FeedReport[], site: NewsSite): Record<string, Omit<FeedReport, "feed" | "nextCheckAt" | "error">> {
  return Object.fromEntries(
    reports.map(({ feed, nextCheckAt: _n, error: _e, ...rest }) => [feed.slice(site.url.length), rest]),
  );
}

function articleFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith(".txt")).sort();
}

describe("FeedPoller", () => {
  it("without ALLOW_PRIVATE_ADDRESSES, items linking to this machine are refused and nothing is saved", async () => {
    const site = await newsSite();
    const { dir, poller } = setup(site, ["/rss.xml"], false);
    const [report] = await poller.checkAll();
    // The feed's own URL is the operator's (read); its items' links point at 127.0.0.1 (refused).
    expect(report).toMatchObject({ ok: true, items: 3, saved: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".txt"))).toEqual([]);
  });

  it("each feed on its own schedule: a hanging feed does not hold a healthy one up", async () => {
    const site = await newsSite();
    site.routes.set("/hang.xml", "hang");
    const { dir, poller } = setup(site, ["/hang.xml", "/atom.xml"]);
    poller.start();
    // The healthy feed's two articles are saved while the other feed's request still hangs (2 s timeout).
    const started = performance.now();
    while (readdirSync(dir).filter((f) => f.endsWith(".txt")).length < 2 && performance.now() - started < 5_000) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir).filter((f) => f.endsWith(".txt"))).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1_900);
  });

  it("a feed of thousands of items: the newest 500, at most 20 pages a check, one log line for the items without a link; 50,000 items are refused", async () => {
    const site = await newsSite();
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `T${i}`, link: i % 2 ? `${site.url}/n${i}.html` : "", guid: `g${i}` }));
    site.routes.set("/many.xml", { type: "application/rss+xml", body: rss("Nhiều tin", items(3_000)) });
    site.routes.set("/huge.xml", { type: "application/rss+xml", body: rss("Rất nhiều tin", items(50_000)) });
    const log = recordingLogger("info");
    const poller = new FeedPoller({
      allowPrivateAddresses: true,
      feedUrls: [`${site.url}/many.xml`, `${site.url}/huge.xml`],
      intervalMs: 60_000,
      storage: repositories(openDatabase(":memory:")),
      knowledgeDir: mkdtempSync(path.join(tmpdir(), "hoibao-feeds-")),
      logger: log.logger,
      timeoutMs: 5_000,
    });
    const [many, huge] = await poller.checkAll();
    expect(many).toMatchObject({ ok: true, items: 500, failed: 20 }); // the newest 500; 20 pages read (all 404)
    // Parsing a feed is synchronous: a document past 1 MB is refused unread rather than hold answers.
    expect(huge).toMatchObject({ ok: false, items: 0 });
    expect(huge!.error).toMatch(/too large/);
    const lines = log.messages();
    expect(lines.filter((l) => l.includes("without a link"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("left for the next check"))).toHaveLength(1);
    expect(lines.length).toBeLessThan(40);
  });

  it("saves each new item's page as an article file; a broken feed backs off; a hung page is retried; nothing twice", async () => {
    const site = await newsSite();
    const { dir, storage, clock, poller, feedUrls } = setup(site);
    const [rssUrl, atomUrl, brokenUrl, downUrl] = feedUrls as [string, string, string, string];

    // First poll: every current item is new.
    const first = await poller.checkAll();
    expect(byFeed(first, site)).toEqual({
      "/rss.xml": { ok: true, items: 3, newItems: 3, saved: 2, failed: 1 },
      "/atom.xml": { ok: true, items: 2, newItems: 2, saved: 2, failed: 0 },
      "/broken.xml": { ok: false, items: 0, newItems: 0, saved: 0, failed: 0 },
      "/down.xml": { ok: false, items: 0, newItems: 0, saved: 0, failed: 0 },
    });

    // Good items: valid article files, page URL in the source mark, only the article's text.
    const files = articleFiles(dir);
    expect(files).toHaveLength(4);
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]); // no temp file left
    const articles = files.map((name) => parseArticle(readFileSync(path.join(dir, name)), name));
    expect(articles.map((a) => a.pageUrl).sort()).toEqual(
      ["/chinh-tri/dan-van-kheo.html", "/kinh-te/lua-thu-dong.html", "/van-hoa/dan-ca-khmer.html", "/van-hoa/oc-om-boc.html"].map((p) => `${site.url}${p}`),
    );
    const interview = articles.find((a) => a.pageUrl?.endsWith("dan-van-kheo.html"))!;
    expect(interview.file).toBe(files.find((f) => f.startsWith("2024-11-23-soc-trang-phong-trao")));
    expect(interview.sections).toHaveLength(2);
    const rice = articles.find((a) => a.pageUrl?.endsWith("lua-thu-dong.html"))!;
    expect(rice.date).toBe("2024-11-24");
    expect(rice.passages.map((p) => p.text)).toEqual([RICE.sapo, ...RICE.body.map(plain)]);
    expect(articles.find((a) => a.pageUrl?.endsWith("dan-ca-khmer.html"))!.date).toBe("2024-11-22"); // the Atom entry's date
    for (const name of files) {
      const text = readFileSync(path.join(dir, name), "utf8");
      for (const furniture of FURNITURE_TEXTS) expect(text).not.toContain(furniture);
    }

    // The broken feeds are recorded with failures and backoff; the hung page is not seen.
    expect(storage.feeds.state(brokenUrl)).toMatchObject({ failures: 1, nextCheckAt: clock.now + 5_000, lastOkAt: null });
    expect(storage.feeds.state(brokenUrl).lastError).toMatch(/not an RSS or Atom feed/);
    expect(storage.feeds.state(downUrl)).toMatchObject({ failures: 1, lastError: "HTTP 500 Internal Server Error" });
    expect(storage.feeds.state(rssUrl)).toMatchObject({ failures: 0, nextCheckAt: clock.now + 60_000, lastError: null });
    expect(storage.feeds.hasSeen(rssUrl, "bst-1001")).toBe(true);
    expect(storage.feeds.hasSeen(rssUrl, "bst-1003")).toBe(false);

    // 5 s later only the failing feeds are due; the backoff doubles.
    clock.now += 5_000;
    const retry = await poller.checkAll();
    expect(retry.map((r) => r.feed).sort()).toEqual([brokenUrl, downUrl].sort());
    expect(storage.feeds.state(brokenUrl)).toMatchObject({ failures: 2, nextCheckAt: clock.now + 10_000 });

    // Next interval: the page answers now and is saved; nothing else is fetched or saved again.
    site.routes.set("/kinh-te/duong-tran-de.html", { body: articlePage(ROAD) });
    site.routes.set("/down.xml", { type: RSS_TYPE, body: rss("Đã sửa", []) });
    clock.now += 60_000;
    const second = await poller.checkAll();
    expect(byFeed(second, site)).toMatchObject({
      "/rss.xml": { ok: true, items: 3, newItems: 1, saved: 1, failed: 0 },
      "/atom.xml": { ok: true, newItems: 0, saved: 0 },
      "/broken.xml": { ok: false },
      "/down.xml": { ok: true, items: 0 },
    });
    expect(storage.feeds.state(downUrl)).toMatchObject({ failures: 0, lastError: null });
    expect(storage.feeds.state(brokenUrl).failures).toBe(3);
    expect(storage.feeds.hasSeen(rssUrl, "bst-1003")).toBe(true);
    expect(site.hits.get("/chinh-tri/dan-van-kheo.html")).toBe(1);
    expect(articleFiles(dir)).toHaveLength(5);
    expect(parseArticle(readFileSync(path.join(dir, articleFiles(dir).find((f) => f.includes("tran-de"))!)), "x").date).toBe("2024-11-20");

    // A later poll saves nothing new.
    clock.now += 60_000;
    const third = await poller.checkAll();
    expect(third.filter((r) => r.ok).every((r) => r.newItems === 0 && r.saved === 0)).toBe(true);
    expect(articleFiles(dir)).toHaveLength(5);
    expect(storage.feeds.state(atomUrl).lastOkAt).toBe(clock.now);
  });

  it("the folder watcher indexes and announces each saved article once, even when a page is saved again", async () => {
    const site = await newsSite();
    const { dir, storage, poller } = setup(site, ["/rss.xml", "/atom.xml"]);
    site.routes.set("/kinh-te/duong-tran-de.html", { body: articlePage(ROAD) });
    const knowledge = KnowledgeIndex.build([]);
    const newArticles = new NewArticles({ knowledge, storage, logger });
    storage.subscriptions.add({ chatId: 42, chatType: "private", title: null, subscribedBy: 42 });
    const watcher = new KnowledgeWatcher({ dir, knowledge, newArticles, logger, settleMs: 50 });
    watcher.start();
    cleanups.push(() => watcher.stop());

    const settle = async () => {
      await new Promise((r) => setTimeout(r, 250));
      await watcher.idle();
    };
    await poller.checkAll();
    await settle();
    expect(knowledge.articleHeads).toHaveLength(5);
    expect(storage.announcements.count()).toBe(5);
    expect(storage.outbox.counts().pending).toBe(5);
    expect(knowledge.search("bao nhiêu mô hình").hits[0]?.article.pageUrl).toBe(`${site.url}/chinh-tri/dan-van-kheo.html`);

    // Another poller that never saw these feeds (a new database): the same pages, the same files, no new alert.
    const fresh = new FeedPoller({ allowPrivateAddresses: true, feedUrls: [`${site.url}/rss.xml`], intervalMs: 60_000, storage: repositories(openDatabase(":memory:")), knowledgeDir: dir, logger, timeoutMs: 5_000 });
    const [report] = await fresh.checkAll();
    expect(report).toMatchObject({ ok: true, newItems: 3, saved: 0, failed: 0 });
    await settle();
    expect(articleFiles(dir)).toHaveLength(5);
    expect(storage.outbox.counts().pending).toBe(5);
  });

  it("start() polls at once and on schedule; stop() cancels a request that hangs and leaves its item unseen", async () => {
    const site = await newsSite();
    const dir = mkdtempSync(path.join(tmpdir(), "hoibao-feeds-"));
    const storage = repositories(openDatabase(":memory:"));
    const rssUrl = `${site.url}/rss.xml`;
    const poller = new FeedPoller({ allowPrivateAddresses: true, feedUrls: [rssUrl], intervalMs: 60_000, storage, knowledgeDir: dir, logger, timeoutMs: 20_000 });
    cleanups.push(() => poller.stop());
    poller.start();
    const deadline = Date.now() + 10_000;
    while ((site.hits.get("/kinh-te/duong-tran-de.html") ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(articleFiles(dir)).toHaveLength(2); // the two pages before the one that hangs

    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(2_000); // not the 20 s timeout
    expect(storage.feeds.hasSeen(rssUrl, "bst-1002")).toBe(true);
    expect(storage.feeds.hasSeen(rssUrl, "bst-1003")).toBe(false);
    expect(storage.feeds.state(rssUrl).failures).toBe(0);
  });
});
