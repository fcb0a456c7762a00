/**
 * Runs the real bot (`node dist/cli/start.js`, as `npm start` does) as a child process for end-to-end
 * tests: environment pointing at an emulator, stdout and stderr collected and parsed as pino JSON
 * lines, waits on log lines, SIGTERM with the exit awaited, and a kill of every process still
 * running (call {@link killAllBots} in afterEach/afterAll so no test leaves one behind).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, builtCli } from "./build.js";
import type { Emulator, RecordedCall } from "./emulator.js";

/** Valid-looking (BOT_TOKEN's format) and long enough for the logger's scrubToken to match it. */
export const TEST_TOKEN = "7012345678:AAHe2e-test_token_not_real_0123456789";


export interface LogLine {
  readonly level?: number;
  /** Epoch milliseconds. */
  readonly time?: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BotProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far (other lines are skipped). */
  logs(): LogLine[];
  /** Resolves with the first log line (past or future) that matches; rejects on timeout or exit. */
  waitForLog(match: string | RegExp | ((line: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  readonly running: boolean;
}

const live = new Set<BotProcess>();
const tempDirs = new Set<string>();

/** A fresh, empty directory (cache, database), removed by {@link killAllBots}. */
export function tempCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hoibao-e2e-"));
  tempDirs.add(dir);
  return dir;
}

/**
 * A fresh copy of the repository's knowledge folder (its article files) in a temporary directory
 * removed by {@link killAllBots}: a test can drop new articles into it without touching ./knowledge.
 */
export function tempKnowledgeDir(): string {
  const dir = tempCacheDir();
  const source = join(REPO_ROOT, "knowledge");
  for (const name of readdirSync(source)) {
    if (name.endsWith(".txt") && !name.startsWith(".")) copyFileSync(join(source, name), join(dir, name));
  }
  return dir;
}

/**
 * Writes an article file the way a careful editor does: to a dot-name first (the knowledge
 * watcher ignores those), then renamed into place, so the watcher never reads half a file.
 */
export function writeArticleFile(dir: string, name: string, content: string | Buffer): void {
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, join(dir, name));
}

/** The environment of a bot talking to an emulator at `apiRoot` (polling unless `extra` says). */
export function botEnv(apiRoot: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempCacheDir();
  return {
    BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    BOT_MODE: "polling",
    KNOWLEDGE_DIR: join(REPO_ROOT, "knowledge"),
    CACHE_DIR: dir,
    // Each process its own database (once start.ts opens one), never the developer's ./data.
    DATABASE_PATH: join(dir, "hoibao.db"),
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    ...extra,
  };
}

/** Starts the bot; only PATH and HOME are inherited, so a developer's .env or shell cannot interfere. */
export function startBotProcess(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, [builtCli("start")], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let partial = "";
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  let exit: Exit | undefined;

  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output += text;
    partial += text;
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    for (const line of complete) {
      if (!line.startsWith("{")) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      live.delete(handle);
      for (const listener of listeners) listener();
      resolve(exit);
    });
  });

  function waitForLog(match: string | RegExp | ((line: LogLine) => boolean), timeoutMs = 15_000): Promise<LogLine> {
    const test =
      typeof match === "function"
        ? match
        : typeof match === "string"
          ? (line: LogLine) => line.msg === match
          : (line: LogLine) => match.test(line.msg ?? "");
    return new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(test);
        if (found) {
          done();
          resolve(found);
        } else if (exit) {
          done();
          reject(new Error(`bot exited (${JSON.stringify(exit)}) before log ${String(match)}\n${tail(output)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no log ${String(match)} within ${timeoutMs} ms\n${tail(output)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  async function stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<Exit> {
    if (exit) return exit;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  const handle: BotProcess = {
    child,
    output: () => output,
    logs: () => [...lines],
    waitForLog,
    stop,
    exited,
    get running() {
      return exit === undefined;
    },
  };
  live.add(handle);
  return handle;
}

/** Kills every bot process still running (SIGKILL) and removes the temporary cache directories. */
export async function killAllBots(): Promise<void> {
  await Promise.all([...live].map((bot) => bot.stop("SIGKILL", 5_000)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** A TCP port free on 127.0.0.1 right now (for the webhook server the bot process opens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(text: string, lines = 30): string {
  return text.split("\n").slice(-lines).join("\n");
}

/**
 * The bot's API calls since `since` (an emulator seq) that failed without a test provoking it: an
 * injected fault, or what `expected` allows. Any other failure is a bug (bad HTML, a refused button…).
 */
export function unprovokedFailures(emu: Emulator, since: number, expected: (call: RecordedCall) => boolean = () => false): string[] {
  return emu.calls
    .filter((c) => c.seq > since && !c.ok && c.faulted !== true && !expected(c))
    .map((c) => `${c.method}: ${c.error?.description ?? "network"}`);
}
