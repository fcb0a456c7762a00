import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { appendFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KnowledgeWatcher } from "../../src/alerts/knowledge-watcher.js";
import { NewArticles } from "../../src/alerts/new-articles.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { openDatabase } from "../../src/storage/database.js";
import { repositories } from "../../src/storage/repositories.js";
import { SEED_BYTES, SEED_FILE, newsArticle, seedArticle } from "../knowledge/helpers.js";

let watcher: KnowledgeWatcher | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
});

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "hoibao-watch-"));
  writeFileSync(path.join(dir, SEED_FILE), SEED_BYTES);
  const knowledge = KnowledgeIndex.build([seedArticle()]);
  const storage = repositories(openDatabase(":memory:"));
  const newArticles = new NewArticles({ knowledge, storage, logger: createLogger({ level: "silent", format: "json" }) });
  newArticles.reconcile(); // the seed was announced before anyone subscribed
  storage.subscriptions.add({ chatId: 1, chatType: "private", title: null, subscribedBy: 1 });
  watcher = new KnowledgeWatcher({ dir, knowledge, newArticles, logger: createLogger({ level: "silent", format: "json" }), settleMs: 60 });
  watcher.start();
  return { dir, knowledge, storage, watcher };
}

const RICE = newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa năm nay tăng mạnh ở các huyện."]);

describe("KnowledgeWatcher", () => {
  it("a pipe or a link to a device named *.txt is skipped; the watcher goes on and indexes the next file", async () => {
    const { dir, knowledge, watcher } = setup();
    execFileSync("mkfifo", [path.join(dir, "pipe.txt")]);
    symlinkSync("/dev/zero", path.join(dir, "zero.txt"));
    await new Promise((r) => setTimeout(r, 300));
    await watcher.idle();
    writeFileSync(path.join(dir, "2024-12-02-gia-lua.txt"), RICE);
    await new Promise((r) => setTimeout(r, 300));
    await watcher.idle();
    expect(knowledge.search("giá lúa vụ mùa").answered).toBe(true);
    expect(knowledge.articleHeads.map((a) => a.file).sort()).toEqual([SEED_FILE, "2024-12-02-gia-lua.txt"]);
  });

  it("a new article file is indexed and announced without a restart; answers work meanwhile", async () => {
    const { dir, knowledge, storage, watcher } = setup();
    expect(knowledge.search("giá lúa vụ mùa").answered).toBe(false);
    writeFileSync(path.join(dir, "2024-12-02-gia-lua.txt"), RICE);
    expect(knowledge.search("kho khan").answered).toBe(true);
    await watcher.idle();
    await new Promise((r) => setTimeout(r, 300));
    await watcher.idle();
    expect(knowledge.search("giá lúa vụ mùa").answered).toBe(true);
    expect(storage.outbox.counts().pending).toBe(1);
  });

  it("an edited article is re-indexed but not announced again; a removed file leaves the index", async () => {
    const { dir, knowledge, storage, watcher } = setup();
    writeFileSync(path.join(dir, SEED_FILE), SEED_BYTES.toString().replace("31.945", "40.000"));
    await new Promise((r) => setTimeout(r, 300));
    await watcher.idle();
    expect(knowledge.search("40.000").answered).toBe(true);
    expect(storage.outbox.counts().pending).toBe(0);
    rmSync(path.join(dir, SEED_FILE));
    await new Promise((r) => setTimeout(r, 300));
    await watcher.idle();
    expect(knowledge.articleHeads).toHaveLength(0);
  });

  it("a file still being written is read only when it stops changing", async () => {
    const { dir, knowledge, watcher } = setup();
    const file = path.join(dir, "2024-12-02-gia-lua.txt");
    const half = Math.floor(RICE.length / 2);
    await writeFile(file, RICE.slice(0, half));
    for (let i = 0; i < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 40));
      await appendFile(file, ""); // touch: still being written
    }
    await appendFile(file, RICE.slice(half));
    await new Promise((r) => setTimeout(r, 400));
    await watcher.idle();
    expect(knowledge.articleHeads.map((a) => a.title)).toContain("Giá lúa tăng");
  });

  it("a bad file is reported and skipped; the others keep working", async () => {
    const { dir, knowledge, watcher } = setup();
    writeFileSync(path.join(dir, ".tmp-upload"), RICE);
    renameSync(path.join(dir, ".tmp-upload"), path.join(dir, "good.txt"));
    writeFileSync(path.join(dir, "bad.txt"), "no date here\n");
    await new Promise((r) => setTimeout(r, 400));
    await watcher.idle();
    expect(knowledge.articleHeads.map((a) => a.file).sort()).toEqual([SEED_FILE, "good.txt"].sort());
  });
});
