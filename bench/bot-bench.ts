/**
 * The bot benchmark: answered questions per second, reply latency, CPU per answer and peak memory
 * of THE REAL BOT PROCESS (`node dist/cli/start.js`, as `npm start` runs it), driven through the Bot API
 * emulator (tests/e2e/emulator.ts) on 127.0.0.1 — no Telegram, no internet.
 *
 *   npx tsx bench/bot-bench.ts [--answers 5000] [--warmup 500] [--concurrency 50] [--chats 2000]
 *                              [--modes polling,webhook] [--cpu-prof DIR]
 *                              [--node-args "--max-semi-space-size=32"] [--knowledge DIR] [--json]
 *
 * Load: `concurrency` users ask at once; each asks its next question when the answer to the last
 * one arrives. The questions are a fixed, seeded mix of the eval sets' in-scope questions
 * (Vietnamese with and without tone marks, NFD, English) and out-of-scope ones, so both answers
 * (quoted passages) and "not in the article" replies are measured.
 *
 * The bot limits each user to 5 messages per 3 s. Sequential askers would hit that, so the
 * `concurrency` slots rotate over `chats` distinct private chats (a private chat's id is its
 * user's id): slot i asks from chats i, i + 50, i + 100, …, so with 2,000 chats each user writes
 * once every 40 answers of its slot — a rate limit reply would be counted and reported.
 *
 * Latency runs from the moment the emulator queues the user's update to the moment the bot's
 * sendMessage reaches the emulator. The bot's CPU time is utime + stime of the child from
 * /proc/<pid>/stat over the measured answers (after the warm-up); its peak RSS is VmHWM.
 *
 * Modes:
 *   polling           BOT_MODE=polling: the bot long-polls the emulator (grammY runner).
 *   webhook           BOT_MODE=webhook: the emulator delivers updates to the bot's webhook
 *                     server as Telegram does: up to max_connections (40) at once over
 *                     keep-alive connections, one update per chat at a time.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { User } from "grammy/types";
import { REPO_ROOT, build, builtCli } from "../testkit/build.js";
import { startEmulator, type RecordedCall, type SentMessage } from "../testkit/emulator.js";
import { readEvalFile } from "../src/knowledge/evaluate.js";
import { clip } from "../src/text.js";
import { mulberry32 } from "../testkit/random.js";

export type BotBenchMode = "polling" | "webhook";
export const BOT_BENCH_MODES: readonly BotBenchMode[] = ["polling", "webhook"];

export interface BotBenchOptions {
  /** Answers measured per mode, after the warm-up. */
  readonly answers?: number;
  readonly warmup?: number;
  /** Users asking at the same time. */
  readonly concurrency?: number;
  /** Distinct private chats the askers rotate over (see the rate limit note above). */
  readonly chats?: number;
  readonly modes?: readonly BotBenchMode[];
  /** Writes a V8 CPU profile of the bot process per mode into this folder. */
  readonly cpuProfDir?: string;
  /** Extra node options for the bot process, e.g. ["--max-semi-space-size=32"] (experiments). */
  readonly nodeArgs?: readonly string[];
  /** Folder with the articles (default ./knowledge), copied to a temporary folder for the run. */
  readonly knowledgeDir?: string;
  /** Seconds to wait for one answer before the mode fails. */
  readonly answerTimeoutSeconds?: number;
  readonly seed?: number;
  /** Progress lines (default: stderr). */
  readonly log?: (message: string) => void;
}

export interface BotBenchModeResult {
  readonly mode: BotBenchMode;
  /** Answers in the measured window. */
  readonly answers: number;
  /** Of those, replies quoting a passage (the rest say "not in the article"). */
  readonly quoted: number;
  readonly seconds: number;
  readonly answersPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Bot process CPU (user + system) per answer, in ms. */
  readonly botCpuMsPerAnswer: number;
  /** Bot process CPU over the window, as a share of one core (1 = one core busy). */
  readonly botCpuCores: number;
  /** The bench process's own CPU (emulator + driver) over the window, in cores. */
  readonly benchCpuCores: number;
  /** Peak resident memory of the bot process (VmHWM), MB. */
  readonly peakRssMb: number;
  /** Resident memory at the end of the window (VmRSS), MB. */
  readonly rssMb: number;
  /** Bot start to ready (its deleteWebhook before polling, or setWebhook, reached the emulator), ms. */
  readonly startupMs: number;
  /** Replies that were the rate limit's "you are sending too fast" (expected 0). */
  readonly rateLimited: number;
  /** Bot API calls the emulator refused (expected 0). */
  readonly refusedCalls: number;
  /** Lines the bot logged at warn or above during the whole run. */
  readonly warnings: readonly string[];
  readonly cpuProfile?: string;
}

export interface BotBenchResult {
  readonly runs: readonly BotBenchModeResult[];
  readonly settings: {
    readonly answers: number;
    readonly warmup: number;
    readonly concurrency: number;
    readonly chats: number;
    readonly questions: { readonly inScope: number; readonly outOfScope: number };
    readonly clockTicksPerSecond: number;
    readonly node: string;
    readonly cpus: string;
    readonly loadAverage: readonly number[];
    /** HEAD when the bench ran (the working tree may hold uncommitted changes). */
    readonly commit: string;
  };
  readonly goals: typeof BOT_BENCH_GOALS;
}

/** Per answered question, on the 2-core machines the bot runs on. */
export const BOT_BENCH_GOALS = { cpuMsPerAnswer: 2, answersPerSecond: 500, peakRssMb: 150 } as const;

const TOKEN = "7123456789:AAbenchBenchBenchBenchBenchBench_x-y";
const BOT_USERNAME = "hoibao_bench_bot";
const WEBHOOK_SECRET = "x";
const FIRST_USER_ID = 9_000_000;

// ---------------------------------------------------------------------------------------------
// Questions

export interface BenchQuestion {
  readonly text: string;
  readonly inScope: boolean;
  readonly english: boolean;
}

/** The eval sets' questions in a seeded order: all in-scope categories and the out-of-scope set. */
export function benchQuestions(seed = 1): BenchQuestion[] {
  const files = ["dev.jsonl", "questions.jsonl", "holdout.jsonl", "blind.jsonl"];
  const questions = files
    .flatMap((file) => readEvalFile(path.join(REPO_ROOT, "eval", file)))
    .map((question) => ({ text: question.q, inScope: question.cat !== "oos", english: question.cat === "en" }));
  return mulberry32(seed).shuffle(questions);
}


// ---------------------------------------------------------------------------------------------
// The bot process

function readCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) is in parentheses and may hold spaces: count from the closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

function readMemoryMb(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peak: kb("VmHWM") / 1024, current: kb("VmRSS") / 1024 };
}

function gitHead(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface BotProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly warnings: string[];
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function startBotProcess(env: Record<string, string>, nodeArgs: readonly string[]): BotProcess {
  const child = spawn(process.execPath, [...nodeArgs, builtCli("start")], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("could not start the bot process");
  const warnings: string[] = [];
  let buffered = "";
  const onOutput = (chunk: string): void => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      let level = 60;
      try {
        level = (JSON.parse(line) as { level?: number }).level ?? 60;
      } catch {
        // not a pino line (a stack trace, a node warning): keep it
      }
      if (level >= 40 && warnings.length < 200) warnings.push(clip(line, 401));
    }
  };
  child.stdout?.setEncoding("utf8").on("data", onOutput);
  child.stderr?.setEncoding("utf8").on("data", onOutput);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    pid: child.pid,
    warnings,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One mode

interface Pending {
  readonly started: number;
  resolve(message: SentMessage): void;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runMode(mode: BotBenchMode, settings: Required<Omit<BotBenchOptions, "cpuProfDir" | "log" | "modes">> & { cpuProfDir?: string }, questions: readonly BenchQuestion[], ticksPerSecond: number, log: (message: string) => void): Promise<BotBenchModeResult> {
  const work = mkdtempSync(path.join(tmpdir(), `hoibao-bot-bench-${mode}-`));
  const emulator = await startEmulator({ token: TOKEN, bot: { username: BOT_USERNAME, first_name: "Hỏi báo (bench)" } });
  let bot: BotProcess | undefined;
  const timers = new Set<NodeJS.Timeout>();
  try {
    const knowledgeDir = path.join(work, "knowledge");
    cpSync(path.resolve(REPO_ROOT, settings.knowledgeDir), knowledgeDir, { recursive: true });
    const port = mode === "polling" ? 0 : await freePort();
    const webhookUrl = `http://127.0.0.1:${port}/hook`;
    const env: Record<string, string> = {
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      KNOWLEDGE_DIR: knowledgeDir,
      CACHE_DIR: path.join(work, "cache"),
      DATABASE_PATH: path.join(work, "hoibao.db"),
      FEED_URLS: "",
      ADMIN_USER_IDS: "",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      BOT_MODE: mode === "polling" ? "polling" : "webhook",
      ...(mode !== "polling" && { WEBHOOK_URL: webhookUrl, WEBHOOK_SECRET, HOST: "127.0.0.1", PORT: String(port) }),
    };
    const profileName = `bot-${mode}.cpuprofile`;
    const nodeArgs = [
      ...settings.nodeArgs,
      ...(settings.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(settings.cpuProfDir)}`, `--cpu-prof-name=${profileName}`] : []),
    ];

    // Every successful sendMessage and every refused call, as the emulator records them.
    const pending = new Map<number, Pending>();
    let refusedCalls = 0;
    const refusedSamples: string[] = [];
    const sent = emulator.sent;
    const pushSent = sent.push.bind(sent);
    sent.push = (...items: SentMessage[]): number => {
      const now = performance.now();
      for (const item of items) {
        if (item.kind !== "message" || item.chatId === undefined) continue;
        const waiting = pending.get(item.chatId);
        if (waiting) {
          pending.delete(item.chatId);
          waiting.resolve({ ...item, at: now });
        }
      }
      return pushSent(...items);
    };
    const calls = emulator.calls;
    const pushCall = calls.push.bind(calls);
    calls.push = (...items: RecordedCall[]): number => {
      for (const call of items) {
        if (!call.ok && call.method !== "getUpdates") {
          refusedCalls += 1;
          if (refusedSamples.length < 5) refusedSamples.push(`${call.method}: ${call.error?.description ?? "network"}`);
        }
      }
      return pushCall(...items);
    };

    const spawnedAt = performance.now();
    bot = startBotProcess(env, nodeArgs);
    // Polling: the runner's first long poll is recorded only when it ends (30 s without updates),
    // so readiness is the deleteWebhook call that precedes it.
    const ready = mode === "polling" ? "deleteWebhook" : "setWebhook";
    let stopping = false;
    // Fails the run at once when the bot process dies (before it is ready, or while measured).
    const died = bot.exited.then((code) => {
      if (!stopping) throw new Error(`${mode}: the bot process exited (code ${code}):\n${bot?.warnings.join("\n")}`);
    });
    died.catch(() => undefined);
    await Promise.race([emulator.waitForCall(ready, (c) => c.ok, { timeoutMs: 90_000 }), died]);
    const startupMs = performance.now() - spawnedAt;
    log(`${mode}: bot ready in ${(startupMs / 1000).toFixed(1)} s (pid ${bot.pid})`);

    const total = settings.warmup + settings.answers;
    const chatsPerSlot = Math.max(1, Math.floor(settings.chats / settings.concurrency));
    let asked = 0;
    let answered = 0;
    let quoted = 0;
    let rateLimited = 0;
    const latencies: number[] = [];
    let window: { t: number; ticks: number; cpu: NodeJS.CpuUsage } | undefined;
    let end: { t: number; ticks: number; cpu: NodeJS.CpuUsage; memory: { peak: number; current: number } } | undefined;
    const pid = bot.pid;

    const ask = async (slot: number): Promise<void> => {
      for (let round = 0; asked < total; round += 1) {
        const index = asked;
        asked += 1;
        const question = questions[index % questions.length]!;
        const userId = FIRST_USER_ID + slot + settings.concurrency * (round % chatsPerSlot);
        const from: User = { id: userId, is_bot: false, first_name: "Bench", language_code: question.english ? "en" : "vi" };
        const started = performance.now();
        const reply = new Promise<SentMessage>((resolve, reject) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            pending.delete(userId);
            reject(new Error(`${mode}: no answer in ${settings.answerTimeoutSeconds} s to ${JSON.stringify(question.text)} (chat ${userId})`));
          }, settings.answerTimeoutSeconds * 1000);
          timers.add(timer);
          pending.set(userId, {
            started,
            resolve: (message) => {
              timers.delete(timer);
              clearTimeout(timer);
              resolve(message);
            },
          });
        });
        emulator.sendUserMessage({ from, text: question.text });
        const message = await reply;
        answered += 1;
        if (answered > settings.warmup && answered <= total) {
          latencies.push(message.at - started);
          if (message.entities.some((e) => e.type === "blockquote" || e.type === "expandable_blockquote")) quoted += 1;
          if (message.plain.startsWith("⏳")) rateLimited += 1;
        }
        if (answered === settings.warmup) window = { t: performance.now(), ticks: readCpuTicks(pid), cpu: process.cpuUsage() };
        if (answered === total) end = { t: performance.now(), ticks: readCpuTicks(pid), cpu: process.cpuUsage(), memory: readMemoryMb(pid) };
        // The records are not needed: keep the bench process's heap (and its GC) small.
        if (emulator.sent.length > 2000) {
          emulator.sent.splice(0);
          emulator.calls.splice(0);
          emulator.updates.splice(0);
        }
      }
    };
    if (settings.warmup === 0) window = { t: performance.now(), ticks: readCpuTicks(pid), cpu: process.cpuUsage() };
    await Promise.race([Promise.all(Array.from({ length: settings.concurrency }, (_, slot) => ask(slot))), died]);
    if (!window || !end) throw new Error(`${mode}: the measured window did not complete`);
    stopping = true;

    const seconds = (end.t - window.t) / 1000;
    const cpuMs = ((end.ticks - window.ticks) * 1000) / ticksPerSecond;
    const benchCpu = (end.cpu.user - window.cpu.user + end.cpu.system - window.cpu.system) / 1000;
    latencies.sort((a, b) => a - b);
    const mean = latencies.reduce((sum, v) => sum + v, 0) / Math.max(1, latencies.length);

    await bot.stop();
    const cpuProfile = settings.cpuProfDir ? path.join(path.resolve(settings.cpuProfDir), profileName) : undefined;
    if (refusedSamples.length > 0) log(`${mode}: refused calls, e.g. ${refusedSamples.join("; ")}`);
    return {
      mode,
      answers: latencies.length,
      quoted,
      seconds,
      answersPerSecond: latencies.length / seconds,
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN, mean },
      botCpuMsPerAnswer: cpuMs / latencies.length,
      botCpuCores: cpuMs / 1000 / seconds,
      benchCpuCores: benchCpu / 1000 / seconds,
      peakRssMb: end.memory.peak,
      rssMb: end.memory.current,
      startupMs,
      rateLimited,
      refusedCalls,
      warnings: [...bot.warnings],
      ...(cpuProfile ? { cpuProfile } : {}),
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await bot?.stop();
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The whole bench

export async function runBotBench(options: BotBenchOptions = {}): Promise<BotBenchResult> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[bot-bench] ${message}\n`));
  build();
  const settings = {
    answers: options.answers ?? 5000,
    warmup: options.warmup ?? 500,
    concurrency: options.concurrency ?? 50,
    chats: options.chats ?? 2000,
    knowledgeDir: options.knowledgeDir ?? "knowledge",
    answerTimeoutSeconds: options.answerTimeoutSeconds ?? 60,
    seed: options.seed ?? 1,
    nodeArgs: options.nodeArgs ?? [],
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
  };
  if (settings.chats < settings.concurrency) throw new Error("chats must be at least concurrency");
  const questions = benchQuestions(settings.seed);
  const ticks = clockTicksPerSecond();
  const runs: BotBenchModeResult[] = [];
  for (const mode of options.modes ?? BOT_BENCH_MODES) {
    log(`${mode}: ${settings.warmup} warm-up + ${settings.answers} measured answers, ${settings.concurrency} askers over ${settings.chats} chats`);
    const result = await runMode(mode, settings, questions, ticks, log);
    log(`${mode}: ${result.answersPerSecond.toFixed(0)} answers/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, ${result.botCpuMsPerAnswer.toFixed(2)} ms CPU/answer`);
    runs.push(result);
  }
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  return {
    runs,
    settings: {
      answers: settings.answers,
      warmup: settings.warmup,
      concurrency: settings.concurrency,
      chats: settings.chats,
      questions: { inScope: questions.filter((q) => q.inScope).length, outOfScope: questions.filter((q) => !q.inScope).length },
      clockTicksPerSecond: ticks,
      node: process.version,
      cpus: `${cpus().length} × ${cpuModel}`,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
      commit: gitHead(),
    },
    goals: BOT_BENCH_GOALS,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports

const ok = (pass: boolean): string => (pass ? "✓" : "✗");

function modeRow(run: BotBenchModeResult): string[] {
  const g = BOT_BENCH_GOALS;
  return [
    run.mode,
    String(run.answers),
    `${run.answersPerSecond.toFixed(0)}`,
    run.latencyMs.p50.toFixed(1),
    run.latencyMs.p99.toFixed(1),
    `${run.botCpuMsPerAnswer.toFixed(2)} ${ok(run.botCpuMsPerAnswer <= g.cpuMsPerAnswer)}`,
    run.botCpuCores.toFixed(2),
    `${run.peakRssMb.toFixed(0)} ${ok(run.peakRssMb <= g.peakRssMb)}`,
    `${(run.startupMs / 1000).toFixed(1)}`,
  ];
}

const HEADERS = ["mode", "answers", "answers/s", "p50 ms", "p99 ms", "bot CPU ms/answer", "bot cores", "peak RSS MB", "start s"];

export function botBenchTable(result: BotBenchResult): string {
  const rows = [HEADERS, ...result.runs.map(modeRow)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n");
}

export function botBenchMarkdown(result: BotBenchResult): string {
  const { settings: s, goals: g } = result;
  const lines = [
    `| ${HEADERS.join(" | ")} |`,
    `|${HEADERS.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...result.runs.map((run) => `| ${modeRow(run).join(" | ")} |`),
    "",
    `The real bot process (\`node dist/cli/start.js\`, as \`npm start\` runs it) against the Bot API emulator on 127.0.0.1: ` +
      `${s.concurrency} users ask at once, each its next question when the answer arrives, rotating over ${s.chats} private chats ` +
      `(so no user passes the 5 messages / 3 s limit); ${s.answers} answers measured after ${s.warmup} warm-up; questions: the eval sets' ` +
      `${s.questions.inScope} in-scope and ${s.questions.outOfScope} out-of-scope ones. Latency: from the update entering the emulator's ` +
      `queue to the bot's sendMessage reaching it. CPU: utime + stime of the bot process; RSS: its VmHWM. ` +
      `Goals: ≤ ${g.cpuMsPerAnswer} ms CPU per answer (≥ ${g.answersPerSecond} answers/s on 2 cores), peak RSS ≤ ${g.peakRssMb} MB. ` +
      `Webhook: the emulator delivers as Telegram does, up to 40 updates at once over keep-alive connections. ${s.cpus}, Node ${s.node}.`,
  ];
  return lines.join("\n");
}

export function botBenchDetails(result: BotBenchResult): string {
  const out: string[] = [];
  for (const run of result.runs) {
    out.push(
      `${run.mode}: ${run.answers} answers in ${run.seconds.toFixed(1)} s (${run.quoted} quoting a passage, ${run.answers - run.quoted} "not in the article"); ` +
        `latency mean ${run.latencyMs.mean.toFixed(1)} / p90 ${run.latencyMs.p90.toFixed(1)} / max ${run.latencyMs.max.toFixed(1)} ms; ` +
        `bench process ${run.benchCpuCores.toFixed(2)} cores; RSS at the end ${run.rssMb.toFixed(0)} MB; ` +
        `rate-limited replies ${run.rateLimited}; refused calls ${run.refusedCalls}; bot warnings ${run.warnings.length}` +
        (run.cpuProfile ? `; CPU profile ${run.cpuProfile}` : ""),
    );
    for (const warning of run.warnings.slice(0, 5)) out.push(`  ${warning}`);
  }
  out.push(`load average at the end: ${result.settings.loadAverage.join(" ")} (the machine's other work slows the figures down); commit ${result.settings.commit} (+ working tree)`);
  return out.join("\n");
}

/** The functions with the most self time in a V8 CPU profile, to see where the bot's time goes. */
export function summarizeCpuProfile(file: string, top = 25): string {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") return;
    total += dt;
    const where = url ? `${url.replace(/^.*\/(node_modules\/|src\/|tests\/)/, "$1")}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`)
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(args: readonly string[]): BotBenchOptions & { json: boolean } {
  const options: { -readonly [K in keyof BotBenchOptions]: BotBenchOptions[K] } & { json: boolean } = { json: false };
  const count = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!value || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number`);
    return n;
  };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (flag) {
      case "--answers":
        options.answers = count(flag, value());
        break;
      case "--warmup":
        options.warmup = count(flag, value());
        break;
      case "--concurrency":
        options.concurrency = count(flag, value());
        break;
      case "--chats":
        options.chats = count(flag, value());
        break;
      case "--modes": {
        const modes = (value() ?? "").split(",").filter(Boolean);
        for (const mode of modes) if (!BOT_BENCH_MODES.includes(mode as BotBenchMode)) throw new Error(`unknown mode ${mode}`);
        options.modes = modes as BotBenchMode[];
        break;
      }
      case "--cpu-prof":
        options.cpuProfDir = value() ?? "";
        break;
      case "--node-args":
        options.nodeArgs = (value() ?? "").split(" ").filter(Boolean);
        break;
      case "--knowledge":
        options.knowledgeDir = value() ?? "knowledge";
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
    process.stderr.write(`bot-bench: ${(error as Error).message}\nusage: npx tsx bench/bot-bench.ts [--answers 5000] [--warmup 500] [--concurrency 50] [--chats 2000] [--modes polling,webhook] [--cpu-prof DIR] [--node-args "--flag …"] [--knowledge DIR] [--json]\n`);
    process.exit(2);
  }
  const result = await runBotBench(options);
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(botBenchTable(result));
  console.log(`\n${botBenchDetails(result)}`);
  for (const run of result.runs) {
    if (!run.cpuProfile) continue;
    try {
      console.log(`\nWhere the bot's time goes (${run.mode}, self time):\n${summarizeCpuProfile(run.cpuProfile)}`);
    } catch (error) {
      console.log(`\n(no CPU profile for ${run.mode}: ${(error as Error).message})`);
    }
  }
  console.log(`\nMarkdown (for README):\n\n${botBenchMarkdown(result)}`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  await main();
}
