import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type CliName, REPO_ROOT, builtCli } from "../../testkit/build.js";

const env = { ...process.env, LOG_LEVEL: "silent", BOT_TOKEN: "" };
const run = (cli: CliName, args: string[]) => spawnSync(process.execPath, [builtCli(cli), ...args], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 30_000 });

describe("every command's manners", () => {
  it.each<CliName>(["ask", "eval", "ingest", "chat", "start"])("%s --help prints its usage and exits 0, doing nothing else", (cli) => {
    const help = run(cli, ["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm (run \w+|start)/);
    expect(help.stderr).toBe("");
  });

  it.each<CliName>(["ask", "eval", "ingest", "start"])("%s refuses an unknown option with its usage, exit 2, no stack", (cli) => {
    const wrong = run(cli, ["--bogus"]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--bogus'");
    expect(wrong.stderr).toContain("usage:");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });

  it("ask -- --help was a question once; now it is the help, and a question still works after --", () => {
    expect(run("ask", ["--help"]).stdout).toContain("usage: npm run ask");
    expect(run("ask", ["--", "bao nhiêu mô hình"]).stdout).toContain("31.945 mô hình");
  });

  it("eval of a missing file names it, exit 1, no stack", () => {
    const missing = run("eval", ["no-such-questions.jsonl"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("eval: no-such-questions.jsonl: no such file\n");
  });
});
