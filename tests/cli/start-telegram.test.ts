import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, builtCli } from "../../testkit/build.js";
import { startEmulator } from "../../testkit/emulator.js";

const TOKEN = "123456:ABC-def_ghiJKLmnopQRStuvWXyz0123456";

/** A fake Bot API on 127.0.0.1 that refuses every token, as Telegram does a revoked one. */
let refusing: Server;
let refusingRoot: string;
beforeAll(async () => {
  refusing = createServer((_request, response) => {
    response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error_code: 401, description: "Unauthorized" }));
  });
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  refusingRoot = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

/** Runs npm start's program until it exits or `until` matches its stderr (then stops it), within 20 s. */
function start(apiRoot: string, until?: RegExp, extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      DATABASE_PATH: ":memory:",
      CACHE_DIR: mkdtempSync(path.join(tmpdir(), "hoibao-cache-")),
      ...extraEnv,
    };
    const child = spawn(process.execPath, [builtCli("start")], { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let stopping = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      // Once: a second SIGTERM would mean "exit now".
      if (!stopping && until?.test(stderr)) {
        stopping = true;
        child.kill("SIGTERM");
      }
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe("npm start meets Telegram", () => {
  it("a token Telegram rejects ends the start at once: exit 1, one clear line, no stack, no token", async () => {
    const run = await start(refusingRoot);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("BOT_TOKEN was rejected by Telegram (401 Unauthorized)");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain("ABC-def_ghiJKLmnopQRStuvWXyz0123456");
  });

  it("Telegram unreachable: every attempt is logged with its reason and the next delay, no silence; SIGTERM ends it, exit 0", async () => {
    // A port nothing listens on: each attempt fails at once, and the bot says so and waits.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await start(`http://127.0.0.1:${port}`, /Telegram is not reachable yet[\s\S]*Telegram is not reachable yet/);
    const warnings = run.stderr.split("\n").filter((l) => l.includes("Telegram is not reachable yet")).map((l) => JSON.parse(l) as { attempt: number; retryInMs: number });
    expect(warnings.slice(0, 2).map((w) => [w.attempt, w.retryInMs])).toEqual([
      [1, 1000],
      [2, 2000],
    ]);
    expect(run.stderr).not.toContain("ABC-def_ghiJKLmnopQRStuvWXyz0123456");
    expect(run.status).toBe(0);
  }, 30_000);

  it("SIGTERM while polling: exit 0, polling stopped, then the database closed, 'stopped' logged last", async () => {
    const emu = await startEmulator({ token: TOKEN });
    const database = path.join(mkdtempSync(path.join(tmpdir(), "hoibao-db-")), "hoibao.db");
    try {
      const run = await start(emu.apiRoot, /"polling started"/, { DATABASE_PATH: database });
      expect(run.status).toBe(0);
      const messages = logLines(run.stderr).map((line) => line.msg);
      const order = ["polling started", "stopping: finishing the updates in flight (send the signal again to exit now)", "polling stopped", "database closed", "stopped"];
      expect(messages.filter((msg) => order.includes(msg ?? ""))).toEqual(order);
      expect(messages.at(-1)).toBe("stopped");
    } finally {
      await emu.close();
    }
  }, 30_000);

  it("another instance polling (409): exit 1, one fatal line that says what to do, no stack, no token", async () => {
    const emu = await startEmulator({ token: TOKEN });
    emu.injectFault({ method: "getUpdates", error: { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" } });
    try {
      const run = await start(emu.apiRoot);
      expect(run.status).toBe(1);
      const fatal = logLines(run.stderr).filter((line) => line.level === 60);
      expect(fatal.map((line) => line.msg)).toEqual([expect.stringContaining("another process is receiving this bot's updates (409 Conflict)")]);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain("ABC-def_ghiJKLmnopQRStuvWXyz0123456");
    } finally {
      await emu.close();
    }
  }, 30_000);
});

function logLines(stderr: string): { level?: number; msg?: string }[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level?: number; msg?: string });
}
