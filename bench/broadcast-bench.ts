/**
 * Broadcast benchmark: one new-article alert to many chats by THE REAL BOT PROCESS
 * (`node dist/cli/start.js` as `npm start` runs it, long polling) against the Bot API emulator
 * (tests/e2e/emulator.ts) on 127.0.0.1, with the emulator enforcing Telegram's flood limits —
 * while users keep asking questions.
 *
 *   npx tsx bench/broadcast-bench.ts [--chats 10000] [--rate 25] [--users 20] [--user-interval 5000]
 *                                    [--global 30] [--group-per-minute 20] [--per-chat 0]
 *                                    [--group-share 0.25] [--baseline 3] [--json]
 *
 * Setup: `chats` subscribed chats (three private chats for every group, supergroup or channel by
 * default) are written straight into the bot's SQLite file and registered in the emulator, and the
 * articles already in the (copied) knowledge folder are recorded as announced, as a previous run
 * would have left them. The bot starts with ALERT_RATE=`rate`; the emulator answers 429
 * (retry_after) beyond `global` sendMessage per second overall, `group-per-minute` per group or
 * channel, and, if set, `per-chat` per second per chat. Those limits count every message the bot
 * sends, answers included, as Telegram does.
 *
 * Load: `users` private users ask questions continuously: each asks the next one as soon as the
 * answer to the previous one arrives, but not sooner than `user-interval` ms after the previous
 * question (default 5000 ms). Telegram's ~30 messages/s are shared by alerts and answers, and the
 * bot puts answers first: alerts run at ALERT_RATE less the answer rate, but at least a tenth of
 * ALERT_RATE (at 700 ms, 20 users ask 28/s and alerts slow to 2.5/s). They ask for `baseline`
 * seconds before the article, then throughout the broadcast.
 *
 * Measured:
 *   - alert rate: alerts the emulator accepted, per second, from the first to the last, against
 *     what ALERT_RATE leaves after the answers (goal ≥ 90 %);
 *   - lost (subscribed chats with no alert) and duplicates (alerts beyond one per chat), counted
 *     from the emulator's messages (goal 0 and 0), and the outbox rows the bot dropped;
 *   - answer latency, from the moment the emulator queues the user's message to the moment the
 *     bot's reply reaches it, before and during the broadcast (goal p99 < 100 ms during);
 *   - 429s the emulator answered, for alerts and for answers.
 *
 * 10,000 chats at 25/s take about 7 minutes; `--chats 2000` about 80 s.
 */
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import type { Chat, User } from "grammy/types";
import { MIN_ALERT_SHARE } from "../src/alerts/broadcaster.js";
import { identityOf } from "../src/alerts/new-articles.js";
import { formatArticle } from "../src/knowledge/format-article.js";
import { parseArticle } from "../src/knowledge/parse-article.js";
import { openDatabase } from "../src/storage/database.js";
import { repositories } from "../src/storage/repositories.js";
import { build } from "../testkit/build.js";
import { TEST_TOKEN, botEnv, killAllBots, startBotProcess, tempKnowledgeDir, writeArticleFile } from "../testkit/bot-process.js";
import { type Emulator, type SentMessage, startEmulator } from "../testkit/emulator.js";

export interface BroadcastBenchOptions {
  /** Subscribed chats (default 10,000). */
  readonly chats?: number;
  /** ALERT_RATE of the bot, alerts per second (default 25, the bot's default). */
  readonly rate?: number;
  /** Users asking questions meanwhile (default 20). */
  readonly users?: number;
  /** Least time between two questions of one user, ms (default 5000, see above). */
  readonly userIntervalMs?: number;
  /** Emulator flood limit: sendMessage per second overall (default 30; 0 = none). */
  readonly globalPerSecond?: number;
  /** Emulator flood limit: messages per minute to one group or channel (default 20; 0 = none). */
  readonly perGroupPerMinute?: number;
  /** Emulator flood limit: messages per second to one chat (default 0 = none). */
  readonly perChatPerSecond?: number;
  /** Share of the chats that are groups, supergroups or channels (default 0.25). */
  readonly groupShare?: number;
  /** Seconds of questions before the article, for the latency without a broadcast (default 3). */
  readonly baselineSeconds?: number;
  /** Progress lines (default: stderr). */
  readonly log?: (message: string) => void;
}

export interface LatencyFigures {
  readonly answers: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface BroadcastBenchResult {
  readonly settings: {
    readonly chats: number;
    readonly privateChats: number;
    readonly groupChats: number;
    readonly rate: number;
    readonly users: number;
    readonly userIntervalMs: number;
    readonly floodLimits: { readonly globalPerSecond?: number; readonly perGroupPerMinute?: number; readonly perChatPerSecond?: number };
    readonly node: string;
    readonly cpus: number;
    /** 1-minute load average at the start and at the end (other processes skew the figures). */
    readonly loadAverage: readonly [number, number];
  };
  /** Alerts the emulator accepted. */
  readonly delivered: number;
  /** Subscribed chats that received no alert. */
  readonly lost: number;
  /** Alerts beyond the first in a chat. */
  readonly duplicates: number;
  /** Outbox rows the bot gave up on (their chats are also counted in `lost`). */
  readonly dropped: number;
  /** From the first alert to the last, seconds. */
  readonly broadcastSeconds: number;
  /** Alerts per second over that span. */
  readonly achievedRate: number;
  /** Answers per second the users got during the broadcast. */
  readonly answerRate: number;
  /** What the bot should reach: ALERT_RATE less the answers (answers first), at least MIN_ALERT_SHARE of it. */
  readonly targetRate: number;
  /** achievedRate / targetRate. */
  readonly rateRatio: number;
  /** From the file written to the article indexed (folder watcher), ms. */
  readonly detectMs: number;
  /** sendMessage calls the emulator refused with 429. */
  readonly alerts429: number;
  readonly answers429: number;
  /** Answer latency in ms, before the article and during the broadcast. */
  readonly latency: { readonly baseline: LatencyFigures; readonly during: LatencyFigures };
  /** Replies that were the bot's "you are sending too fast" (expected 0). */
  readonly rateLimitedReplies: number;
  /** Replies that were the bot's "an error occurred" (the answer failed; expected 0). */
  readonly errorReplies: number;
  /** Questions that got no reply within 30 s. */
  readonly unanswered: number;
  readonly goals: typeof BROADCAST_BENCH_GOALS;
  readonly passed: { readonly rate: boolean; readonly lost: boolean; readonly duplicates: boolean; readonly latency: boolean };
}

export const BROADCAST_BENCH_GOALS = { rateRatio: 0.9, lost: 0, duplicates: 0, p99Ms: 100 } as const;

const BOT_USERNAME = "hoibao_bench_bot";
const ALERT_MARK = "Bài báo mới";
const RATE_LIMITED_MARK = "Bạn gửi hơi nhanh";
const ERROR_MARK = "Có lỗi khi trả lời";
const QUESTIONS = [
  "khó khăn",
  "nhiệm vụ trọng tâm",
  "phong trào Dân vận khéo đạt kết quả gì?",
  "có bao nhiêu mô hình điển hình",
  "khen thưởng bao nhiêu tập thể",
  "kho khan han che",
  "what are the difficulties?",
  "giá vàng hôm nay",
];

export async function runBroadcastBench(options: BroadcastBenchOptions = {}): Promise<BroadcastBenchResult> {
  build();
  const chatCount = options.chats ?? 10_000;
  const rate = options.rate ?? 25;
  const userCount = options.users ?? 20;
  const userIntervalMs = options.userIntervalMs ?? 5000;
  const groupShare = options.groupShare ?? 0.25;
  const baselineMs = (options.baselineSeconds ?? 3) * 1000;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const floodLimits = {
    ...(positive(options.globalPerSecond ?? 30) && { globalPerSecond: options.globalPerSecond ?? 30 }),
    ...(positive(options.perGroupPerMinute ?? 20) && { perGroupPerMinute: options.perGroupPerMinute ?? 20 }),
    ...(positive(options.perChatPerSecond ?? 0) && { perChatPerSecond: options.perChatPerSecond! }),
  };

  const loadAtStart = loadavg()[0] ?? 0;
  const emu = await startEmulator({ token: TEST_TOKEN, bot: { username: BOT_USERNAME }, floodLimits });
  try {
    const chats = makeChats(chatCount, groupShare);
    for (const chat of chats) emu.addChat(chat);
    const chatIds = new Set(chats.map((c) => c.id));
    const knowledgeDir = tempKnowledgeDir();
    const env = botEnv(emu.apiRoot, { KNOWLEDGE_DIR: knowledgeDir, ALERT_RATE: String(rate) });
    const dbFile = env.DATABASE_PATH!;
    prepareDatabase(dbFile, knowledgeDir, chats);
    log(`broadcast-bench: ${chatCount} chats, ALERT_RATE=${rate}, ${userCount} users, flood limits ${JSON.stringify(floodLimits)}`);

    const bot = startBotProcess(env);
    const ready = await bot.waitForLog("alerts ready", 60_000);
    if (ready.subscribers !== chatCount) throw new Error(`the bot sees ${String(ready.subscribers)} subscribers, not ${chatCount}`);
    await bot.waitForLog("polling started", 60_000);

    // Alerts, counted per chat as the emulator records them.
    const alerts = new Map<number, number>();
    let firstAlertAt: number | undefined;
    let lastAlertAt: number | undefined;
    let scanned = 0;
    const scan = () => {
      for (; scanned < emu.sent.length; scanned += 1) {
        const m = emu.sent[scanned]!;
        if (m.kind !== "message" || m.chatId === undefined || !chatIds.has(m.chatId) || !m.plain.includes(ALERT_MARK)) continue;
        alerts.set(m.chatId, (alerts.get(m.chatId) ?? 0) + 1);
        firstAlertAt ??= m.at;
        lastAlertAt = m.at;
      }
    };

    // Users.
    const samples: { sentAt: number; ms: number; rateLimited: boolean; error: boolean }[] = [];
    let unanswered = 0;
    let stopUsers = false;
    const users = Array.from({ length: userCount }, (_, i): User => ({ id: 9_000_000 + i, is_bot: false, first_name: `Người hỏi ${i}`, language_code: "vi" }));
    const userLoops = users.map(async (user, i) => {
      let n = i;
      await sleep((i * userIntervalMs) / userCount); // spread out, not all at once
      while (!stopUsers) {
        const started = performance.now();
        const sentAt = Date.now();
        const reply = await ask(emu, user, QUESTIONS[n++ % QUESTIONS.length]!);
        if (reply === undefined) unanswered += 1;
        else samples.push({ sentAt, ms: reply.ms, rateLimited: reply.message.plain.includes(RATE_LIMITED_MARK), error: reply.message.plain.includes(ERROR_MARK) });
        const rest = userIntervalMs - (performance.now() - started);
        if (rest > 0 && !stopUsers) await sleep(rest);
      }
    });

    await sleep(baselineMs);
    const article = benchArticle();
    const total = chatCount;
    const written = performance.now();
    writeArticleFile(knowledgeDir, article.file, article.text);
    const indexed = await bot.waitForLog((l) => l.msg === "article indexed" && l.file === article.file, 30_000);
    const detectMs = Math.round(performance.now() - written);
    if (indexed.alerts !== total) throw new Error(`the bot queued ${String(indexed.alerts)} alerts, not ${total}`);
    log(`  article indexed after ${detectMs} ms: ${total} alerts queued`);

    // Until the outbox is drained (every alert sent or dropped), with progress lines.
    // Alerts may slow to MIN_ALERT_SHARE of ALERT_RATE while users are answered.
    const deadline = Date.now() + (total / (rate * MIN_ALERT_SHARE)) * 1500 + 120_000;
    let lastReport = Date.now();
    for (;;) {
      scan();
      const counts = outboxCounts(dbFile, article.id);
      if (counts.pending === 0 && counts.sending === 0) break;
      if (Date.now() > deadline) throw new Error(`the outbox did not drain in time: ${JSON.stringify(counts)}`);
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        const span = firstAlertAt === undefined ? 0 : (Date.now() - firstAlertAt) / 1000;
        log(`  ${counts.sent}/${total} sent (${span > 0 ? (counts.sent / span).toFixed(1) : "0"}/s), ${counts.pending} pending, ${samples.length} answers`);
      }
      await sleep(250);
    }
    scan();
    const broadcastEnd = lastAlertAt ?? Date.now();
    stopUsers = true;
    await Promise.race([Promise.all(userLoops), sleep(35_000)]);
    const dropped = outboxCounts(dbFile, article.id).dropped;
    await bot.stop("SIGTERM", 15_000);

    let lost = 0;
    let duplicates = 0;
    for (const chat of chats) {
      const n = alerts.get(chat.id) ?? 0;
      if (n === 0) lost += 1;
      else duplicates += n - 1;
    }
    const delivered = [...alerts.values()].reduce((a, b) => a + b, 0);
    const broadcastSeconds = firstAlertAt === undefined || lastAlertAt === undefined ? 0 : (lastAlertAt - firstAlertAt) / 1000;
    const achievedRate = broadcastSeconds > 0 ? (delivered - 1) / broadcastSeconds : 0;
    const limited = (c: (typeof emu.calls)[number]) => c.method === "sendMessage" && c.error?.error_code === 429;
    const alerts429 = emu.calls.filter((c) => limited(c) && chatIds.has(Number(c.payload.chat_id))).length;
    const answers429 = emu.calls.filter((c) => limited(c) && !chatIds.has(Number(c.payload.chat_id))).length;
    const baseline = latency(samples.filter((s) => firstAlertAt === undefined || s.sentAt < firstAlertAt));
    const during = latency(samples.filter((s) => firstAlertAt !== undefined && s.sentAt >= firstAlertAt && s.sentAt <= broadcastEnd));
    const answerRate = broadcastSeconds > 0 ? during.answers / broadcastSeconds : 0;
    const targetRate = Math.min(rate, Math.max(rate * MIN_ALERT_SHARE, rate - answerRate));
    const rateRatio = achievedRate / targetRate;

    return {
      settings: {
        chats: chatCount,
        privateChats: chats.filter((c) => c.type === "private").length,
        groupChats: chats.filter((c) => c.type !== "private").length,
        rate,
        users: userCount,
        userIntervalMs,
        floodLimits,
        node: process.version,
        cpus: availableParallelism(),
        loadAverage: [round(loadAtStart, 2), round(loadavg()[0] ?? 0, 2)],
      },
      delivered,
      lost,
      duplicates,
      dropped,
      broadcastSeconds: round(broadcastSeconds, 1),
      achievedRate: round(achievedRate, 2),
      answerRate: round(answerRate, 2),
      targetRate: round(targetRate, 2),
      rateRatio: round(rateRatio, 3),
      detectMs,
      alerts429,
      answers429,
      latency: { baseline, during },
      rateLimitedReplies: samples.filter((s) => s.rateLimited).length,
      errorReplies: samples.filter((s) => s.error).length,
      unanswered,
      goals: BROADCAST_BENCH_GOALS,
      passed: {
        rate: rateRatio >= BROADCAST_BENCH_GOALS.rateRatio,
        lost: lost === BROADCAST_BENCH_GOALS.lost,
        duplicates: duplicates === BROADCAST_BENCH_GOALS.duplicates,
        latency: during.answers > 0 && during.p99 < BROADCAST_BENCH_GOALS.p99Ms,
      },
    };
  } finally {
    await killAllBots();
    await emu.close();
  }
}

/** One question: resolves with the bot's reply and the latency, or undefined after 30 s. */
async function ask(emu: Emulator, user: User, text: string): Promise<{ message: SentMessage; ms: number } | undefined> {
  let cursor = emu.sent.length;
  let arrived = 0;
  const started = performance.now();
  emu.sendUserMessage({ from: user, text });
  try {
    const message = await emu.waitFor(
      () => {
        for (; cursor < emu.sent.length; cursor += 1) {
          const m = emu.sent[cursor]!;
          if (m.chatId === user.id && m.kind === "message") {
            arrived = performance.now();
            return m;
          }
        }
        return undefined;
      },
      30_000,
      `the answer to user ${user.id}`,
    );
    return { message, ms: arrived - started };
  } catch {
    return undefined;
  }
}

/** `n` chats; `groupShare` of them groups, supergroups and channels (in turn), the rest private. */
function makeChats(n: number, groupShare: number): Chat[] {
  const every = groupShare > 0 ? Math.max(1, Math.round(1 / groupShare)) : Infinity;
  let groups = 0;
  return Array.from({ length: n }, (_, i): Chat => {
    if ((i + 1) % every !== 0) return { id: 100_000 + i, type: "private", first_name: `Bạn đọc ${i}` };
    const kind = groups++ % 3;
    if (kind === 0) return { id: -(100_000 + i), type: "group", title: `Nhóm ${i}` };
    if (kind === 1) return { id: -(1_000_000_000_000 + i), type: "supergroup", title: `Siêu nhóm ${i}` };
    return { id: -(1_000_000_000_000 + i), type: "channel", title: `Kênh ${i}` };
  });
}

/** The database a previous run would have left: the folder's articles announced, the chats subscribed. */
function prepareDatabase(file: string, knowledgeDir: string, chats: readonly Chat[]): void {
  const db = openDatabase(file);
  const storage = repositories(db);
  db.transaction(() => {
    for (const name of readdirSync(knowledgeDir).filter((n) => n.endsWith(".txt"))) {
      storage.announcements.announce(identityOf(parseArticle(readFileSync(path.join(knowledgeDir, name)), name)));
    }
    for (const chat of chats) {
      const title = chat.type === "private" ? chat.first_name : chat.title;
      storage.subscriptions.add({ chatId: chat.id, chatType: chat.type, title, subscribedBy: null });
    }
  })();
  db.close();
}

function outboxCounts(file: string, articleId: string): Record<"pending" | "sending" | "sent" | "dropped", number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM outbox WHERE article_id = ? GROUP BY status`).all(articleId) as { status: string; n: number }[];
    const counts = { pending: 0, sending: 0, sent: 0, dropped: 0 };
    for (const row of rows) counts[row.status as keyof typeof counts] = row.n;
    return counts;
  } finally {
    db.close();
  }
}

function benchArticle(): { file: string; text: string; id: string } {
  const stamp = Date.now();
  const title = `Khánh thành cầu Đại Ngãi, nối đôi bờ sông Hậu (bản ${stamp})`;
  const text = formatArticle({
    date: "2024-12-02",
    place: "Sóc Trăng",
    title,
    paragraphs: [
      "Sáng nay, tỉnh Sóc Trăng khánh thành cây cầu mới nối hai huyện ven sông Hậu, rút ngắn đường đi của hàng nghìn người dân.",
      "Công trình có tổng vốn đầu tư hơn 200 tỉ đồng, được xây dựng trong 18 tháng.",
    ],
    pageUrl: `https://baosoctrang.org.vn/xa-hoi/cau-dai-ngai-${stamp}.html`,
  });
  const file = `2024-12-02-bench-${stamp}.txt`;
  return { file, text, id: parseArticle(Buffer.from(text), file).id };
}

function latency(samples: readonly { ms: number }[]): LatencyFigures {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!, 1));
  const mean = sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { answers: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted.at(-1) ?? 0, 1), mean: round(mean, 1) };
}

function positive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Reports

const mark = (ok: boolean) => (ok ? "✅" : "❌");

function limitsText(r: BroadcastBenchResult): string {
  const l = r.settings.floodLimits;
  return [
    l.globalPerSecond ? `${l.globalPerSecond}/s overall` : "",
    l.perGroupPerMinute ? `${l.perGroupPerMinute}/min per group` : "",
    l.perChatPerSecond ? `${l.perChatPerSecond}/s per chat` : "",
  ].filter(Boolean).join(", ") || "none";
}

export function broadcastBenchTable(r: BroadcastBenchResult): string {
  const s = r.settings;
  const rows: [string, string][] = [
    ["chats (private + groups/channels)", `${s.chats} (${s.privateChats} + ${s.groupChats})`],
    ["ALERT_RATE", `${s.rate}/s`],
    ["emulator flood limits", limitsText(r)],
    ["users asking (min interval)", `${s.users} (${s.userIntervalMs} ms)`],
    ["machine", `${s.cpus} CPUs, load average ${s.loadAverage[0]} → ${s.loadAverage[1]}, Node ${s.node}`],
    ["article detected (watcher)", `${r.detectMs} ms`],
    ["broadcast (first → last alert)", `${r.broadcastSeconds} s`],
    ["answers during the broadcast", `${r.answerRate}/s`],
    ["achieved alert rate", `${r.achievedRate}/s = ${(r.rateRatio * 100).toFixed(1)} % of ${r.targetRate}/s (ALERT_RATE less answers) ${mark(r.passed.rate)}`],
    ["delivered", String(r.delivered)],
    ["lost", `${r.lost} ${mark(r.passed.lost)}`],
    ["duplicates", `${r.duplicates} ${mark(r.passed.duplicates)}`],
    ["dropped by the bot", String(r.dropped)],
    ["429 answered (alerts / answers)", `${r.alerts429} / ${r.answers429}`],
    ["answers before (n, p50/p90/p99/max ms)", figures(r.latency.baseline)],
    ["answers during (n, p50/p90/p99/max ms)", `${figures(r.latency.during)} ${mark(r.passed.latency)}`],
    ["rate-limited / error replies / unanswered", `${r.rateLimitedReplies} / ${r.errorReplies} / ${r.unanswered}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

function figures(l: LatencyFigures): string {
  return `${l.answers}, ${l.p50} / ${l.p90} / ${l.p99} / ${l.max}`;
}

export function broadcastBenchMarkdown(r: BroadcastBenchResult): string {
  const s = r.settings;
  return [
    `Broadcast of one alert to ${s.chats.toLocaleString("en")} chats (${s.privateChats} private, ${s.groupChats} groups/channels), ALERT_RATE=${s.rate}, emulator limits ${limitsText(r)}; ${s.users} users asking meanwhile (≥ ${s.userIntervalMs} ms apart). ${s.cpus} CPUs, load average ${s.loadAverage[0]}–${s.loadAverage[1]}, Node ${s.node}.`,
    "",
    "| measure | result | goal |",
    "|---|---|---|",
    `| alert rate | ${r.achievedRate}/s (${(r.rateRatio * 100).toFixed(1)} % of ${r.targetRate}/s: ALERT_RATE ${s.rate} less ${r.answerRate} answers/s) over ${r.broadcastSeconds} s | ≥ 90 % ${mark(r.passed.rate)} |`,
    `| lost | ${r.lost} of ${s.chats} | 0 ${mark(r.passed.lost)} |`,
    `| duplicates | ${r.duplicates} | 0 ${mark(r.passed.duplicates)} |`,
    `| 429 from the emulator | ${r.alerts429} on alerts, ${r.answers429} on answers | — |`,
    `| answer latency before the article | p50 ${r.latency.baseline.p50} ms, p99 ${r.latency.baseline.p99} ms (${r.latency.baseline.answers} answers) | — |`,
    `| answer latency during the broadcast | p50 ${r.latency.during.p50} ms, p99 ${r.latency.during.p99} ms, max ${r.latency.during.max} ms (${r.latency.during.answers} answers) | p99 < 100 ms ${mark(r.passed.latency)} |`,
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Command line

function parseArgs(args: readonly string[]): BroadcastBenchOptions & { json?: boolean } {
  const options: { -readonly [K in keyof BroadcastBenchOptions]: BroadcastBenchOptions[K] } & { json?: boolean } = {};
  const num = (flag: string, raw: string | undefined, min: number): number => {
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value < min) throw new Error(`${flag} needs a number ≥ ${min}`);
    return value;
  };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (flag) {
      case "--chats":
        options.chats = Math.round(num(flag, value(), 1));
        break;
      case "--rate":
        options.rate = num(flag, value(), 0.1);
        break;
      case "--users":
        options.users = Math.round(num(flag, value(), 0));
        break;
      case "--user-interval":
        options.userIntervalMs = num(flag, value(), 0);
        break;
      case "--global":
        options.globalPerSecond = num(flag, value(), 0);
        break;
      case "--group-per-minute":
        options.perGroupPerMinute = num(flag, value(), 0);
        break;
      case "--per-chat":
        options.perChatPerSecond = num(flag, value(), 0);
        break;
      case "--group-share":
        options.groupShare = num(flag, value(), 0);
        break;
      case "--baseline":
        options.baselineSeconds = num(flag, value(), 0);
        break;
      case "--json":
        options.json = true;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `broadcast-bench: ${(error as Error).message}\nusage: npx tsx bench/broadcast-bench.ts [--chats 10000] [--rate 25] [--users 20] [--user-interval 5000] [--global 30] [--group-per-minute 20] [--per-chat 0] [--group-share 0.25] [--baseline 3] [--json]\n`,
    );
    process.exit(2);
  }
  const result = await runBroadcastBench(options);
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(broadcastBenchTable(result));
  console.log(`\nMarkdown:\n\n${broadcastBenchMarkdown(result)}`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  await main();
}
