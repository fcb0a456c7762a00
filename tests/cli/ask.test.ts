import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, builtCli } from "../../testkit/build.js";

const env = { ...process.env, CACHE_DIR: mkdtempSync(path.join(tmpdir(), "hoibao-ask-")), LOG_LEVEL: "info", BOT_TOKEN: "" };

function ask(args: string[], input?: string) {
  return spawnSync(process.execPath, [builtCli("ask"), ...args], { cwd: REPO_ROOT, env, input, encoding: "utf8", timeout: 30_000 });
}

describe("npm run ask", () => {
  it("--json reads questions from stdin and writes one JSON answer per line, in order, nothing else", () => {
    const unsure = "Mô hình dân vận khéo nào được Trung ương khen thưởng năm 2030?";
    const run = ask(["--json"], `kho khan\nhello\nWhat are the tasks ahead?\n${unsure}\n`);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.query, l.answered, l.tier])).toEqual([
      ["kho khan", true, "confident"],
      ["hello", false, "none"],
      ["What are the tasks ahead?", true, "confident"],
      [unsure, false, "related"],
    ]);
    // Not answered, yet the closest passages come along, for a caller to show as such.
    expect(lines[3].results.length).toBeGreaterThanOrEqual(1);
    expect(lines[3].results.length).toBeLessThanOrEqual(3);
    const first = lines[0].results[0];
    expect(Object.keys(first).sort()).toEqual(["article", "id", "question", "score", "sentence", "text", "url"]);
    expect(first.text).toContain("khó khăn, hạn chế");
    expect(first.text).toContain(first.sentence);
    expect(first.url).toBe("https://baosoctrang.org.vn");
    expect(lines[1].results).toEqual([]);
    expect(lines[2].results.length).toBeLessThanOrEqual(5);
    expect(run.stderr).toContain("knowledge base ready"); // logs go to stderr
  });

  it("prints a readable answer, or an honest 'not in the article' with the questions it can answer", () => {
    const answered = ask(["bao nhiêu mô hình?"]);
    expect(answered.stdout).toContain("31.945 mô hình");
    // The sentence holding the figure comes first, then the whole passage.
    expect(answered.stdout).toMatch(/» [^\n]*31\.945 mô hình/);
    expect(answered.stdout).toContain("Đồng chí Dương Sà Kha");
    expect(answered.stdout).toContain("https://baosoctrang.org.vn");
    const declined = ask(["thời tiết hôm nay"]);
    expect(declined.stdout).toContain("Bài báo không nói về điều này");
    expect(declined.stdout).toContain("khó khăn, hạn chế gì?");
  });
});
