import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openKnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { MAX_ARTICLE_BYTES } from "../../src/knowledge/load-knowledge.js";
import { REPO_ROOT, builtCli } from "../../testkit/build.js";
import { SEED_BYTES, SEED_FILE } from "./helpers.js";

/** A knowledge folder with the first article and every kind of entry that is not an article file. */
function hostileFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hoibao-hostile-"));
  writeFileSync(path.join(dir, SEED_FILE), SEED_BYTES);
  execFileSync("mkfifo", [path.join(dir, "pipe.txt")]); // opening it to read would wait forever
  symlinkSync("/dev/zero", path.join(dir, "zero.txt")); // reads without end
  symlinkSync(path.join(dir, "nowhere"), path.join(dir, "gone.txt")); // a dangling link
  mkdirSync(path.join(dir, "folder.txt"));
  writeFileSync(path.join(dir, "huge.txt"), Buffer.alloc(MAX_ARTICLE_BYTES + 10, "a"));
  writeFileSync(Buffer.from(path.join(dir, "t\xff\xfe.txt"), "latin1"), SEED_BYTES); // a name that is not UTF-8
  return dir;
}

describe("a knowledge folder holding things that are not article files", () => {
  it("loads the articles and reports each other entry, without hanging or reading without end", async () => {
    const started = performance.now();
    const opened = await openKnowledgeBase({ knowledgeDir: hostileFolder(), cacheDir: mkdtempSync(path.join(tmpdir(), "hoibao-cache-")) });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(opened.index.articleHeads.map((a) => a.file)).toEqual([SEED_FILE]);
    const reasons = Object.fromEntries(opened.errors.map((e) => [e.file, e.reason]));
    expect(reasons["pipe.txt"]).toBe("not a regular file (a pipe): skipped");
    expect(reasons["zero.txt"]).toBe("not a regular file (a device): skipped");
    expect(reasons["gone.txt"]).toBe("cannot be read (missing, or a link to nothing)");
    expect(reasons["folder.txt"]).toBe("not a regular file (a folder): skipped");
    expect(reasons["huge.txt"]).toMatch(/^too large for an article/);
    // The file with a non-UTF-8 name: read under the name the system gives, or reported; never fatal.
    expect(opened.errors.length + opened.index.articleCount).toBeGreaterThanOrEqual(7);
  });

  it("npm start (local chat) starts over it, and ingest refuses a pipe at once", () => {
    const dir = hostileFolder();
    const env = { ...process.env, KNOWLEDGE_DIR: dir, CACHE_DIR: mkdtempSync(path.join(tmpdir(), "hoibao-cache-")), BOT_TOKEN: "", LOG_LEVEL: "warn", LOG_FORMAT: "json" };
    const chat = spawnSync(process.execPath, [builtCli("start")], { cwd: REPO_ROOT, env, input: "kho khan\n", encoding: "utf8", timeout: 20_000 });
    expect(chat.status).toBe(0);
    expect(chat.stdout).toContain("khó khăn");
    expect(chat.stderr).toContain("pipe.txt:1: not a regular file (a pipe)");
    const ingest = spawnSync(process.execPath, [builtCli("ingest"), path.join(dir, "pipe.txt")], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 10_000 });
    expect(ingest.status).toBe(1);
    expect(ingest.stderr).toContain("not a regular file (a pipe)");
  });
});
