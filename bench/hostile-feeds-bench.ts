/**
 * The bot under hostile feeds (issue 10's measurement): the real bot process polls, on 127.0.0.1,
 * a gzip-bomb page, an endless page, a 50,000-item feed, a feed that hangs and a healthy one,
 * while users ask questions through the Bot API emulator. Prints the answers' latency and the
 * bot's RSS over the run.
 *
 *   npm run bench:feeds -- [--seconds 30]
 */
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import type { User } from "grammy/types";
import { REPO_ROOT, build } from "../testkit/build.js";
import { TEST_TOKEN, botEnv, startBotProcess } from "../testkit/bot-process.js";
import { startEmulator } from "../testkit/emulator.js";
import { INTERVIEW, articlePage, rss, sendEndlessPage } from "../testkit/news-site.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "30" } } });
const seconds = Number(values.seconds);

function hostileSite(): Promise<{ server: Server; url: string }> {
  const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (path === "/healthy.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      return void res.end(rss("Tin tốt", [{ title: INTERVIEW.title, link: `${base}/good.html`, guid: "good" }]));
    }
    if (path === "/good.html") return void res.writeHead(200, { "content-type": "text/html" }).end(articlePage(INTERVIEW));
    if (path === "/hostile.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      const items = [{ title: "bom", link: `${base}/bomb.html`, guid: "bomb" }, { title: "vô tận", link: `${base}/endless.html`, guid: "endless" }];
      return void res.end(rss("Tin xấu", items));
    }
    if (path === "/huge.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      return void res.end(rss("Rất nhiều", Array.from({ length: 50_000 }, (_, i) => ({ title: `Tin ${i}`, link: i % 2 ? `${base}/none-${i}.html` : "", guid: `g${i}` }))));
    }
    if (path === "/hang.xml") return; // never answers
    if (path === "/bomb.html") return void res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip", "content-length": bomb.length }).end(bomb);
    if (path === "/endless.html") return sendEndlessPage(res, 512 * 1024 * 1024);
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  await build();
  const site = await hostileSite();
  const emulator = await startEmulator({ token: TEST_TOKEN, bot: { username: "hoibao_bench_bot" } });
  const feeds = ["/healthy.xml", "/hostile.xml", "/huge.xml", "/hang.xml"].map((f) => `${site.url}${f}`).join(",");
  // A copy of the articles: what the feeds bring is saved there, never into the project's knowledge/.
  const knowledgeDir = mkdtempSync(path.join(tmpdir(), "hoibao-bench-feeds-"));
  cpSync(path.join(REPO_ROOT, "knowledge"), knowledgeDir, { recursive: true });
  const bot = startBotProcess(botEnv(emulator.apiRoot, { KNOWLEDGE_DIR: knowledgeDir, FEED_URLS: feeds, FEED_INTERVAL: "5s", ALLOW_PRIVATE_ADDRESSES: "on", LOG_LEVEL: "warn" }));
  await bot.waitForLog((line) => line.msg === "polling started" || line.msg === "alerts ready", 30_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  let peakRss = 0;
  const pid = bot.child.pid!;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i += 1) {
    const user: User = { id: 900_000 + (i % 50), is_bot: false, first_name: "Đọc giả" };
    const started = performance.now();
    const after = emulator.seq;
    emulator.sendUserMessage({ from: user, text: i % 2 ? "khó khăn" : "bao nhiêu mô hình" });
    await emulator.waitForMessage(user.id, () => true, { after, timeoutMs: 10_000 });
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  clearInterval(sampler);
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  const saved = bot.logs().filter((l) => String(l.msg).includes("feed article saved")).length;
  const refused = bot.logs().filter((l) => String(l.msg).includes("feed check") || String(l.msg).includes("too large")).length;
  console.log(`hostile feeds, ${seconds} s: ${latencies.length} answers, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms; bot peak RSS ${peakRss.toFixed(0)} MB; feed articles saved ${saved}; warnings ${refused}`);
  await bot.stop("SIGTERM", 10_000);
  await emulator.close();
  site.server.closeAllConnections();
  site.server.close();
}

await main();
