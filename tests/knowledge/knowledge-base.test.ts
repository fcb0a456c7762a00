import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODE_FINGERPRINT, cacheFileFor, openKnowledgeBase } from "../../src/knowledge/knowledge-base.js";
import { SEED_BYTES, SEED_FILE, newsArticle } from "./helpers.js";

describe("openKnowledgeBase index cache", () => {
  it("reuses the cached index until an article changes, then rebuilds and drops the old cache", async () => {
    const knowledgeDir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-"));
    const cacheDir = mkdtempSync(path.join(tmpdir(), "hoibao-cache-"));
    writeFileSync(path.join(knowledgeDir, SEED_FILE), SEED_BYTES);

    const first = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(first.fromCache).toBe(false);
    const second = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(second.fromCache).toBe(true);
    expect(second.index.search("kho khan")).toEqual(first.index.search("kho khan"));
    const id = first.index.articleHeads[0]!.id;
    expect(second.index.article(id)).toEqual(first.index.article(id));

    writeFileSync(path.join(knowledgeDir, "news.txt"), newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa tăng mạnh."]));
    const third = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(third.fromCache).toBe(false);
    expect(third.index.search("giá lúa vụ mùa").answered).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith("index-"))).toHaveLength(1);
  });

  it("a warm start reports the same bad files as the cold one, and sees an edited file", async () => {
    const knowledgeDir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-"));
    const cacheDir = mkdtempSync(path.join(tmpdir(), "hoibao-cache-"));
    writeFileSync(path.join(knowledgeDir, SEED_FILE), SEED_BYTES);
    writeFileSync(path.join(knowledgeDir, "bad.txt"), "no date\n");
    const cold = await openKnowledgeBase({ knowledgeDir, cacheDir });
    const warm = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(warm.fromCache).toBe(true);
    expect(warm.errors.map((e) => e.message)).toEqual(cold.errors.map((e) => e.message));
    expect(warm.errors[0]?.message).toMatch(/^bad\.txt:1: expected a date line/);
    writeFileSync(path.join(knowledgeDir, SEED_FILE), SEED_BYTES.toString().replace("31.945", "77.777"));
    const edited = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(edited.fromCache).toBe(false);
    expect(edited.index.search("77.777").answered).toBe(true);
  });

  it("a change to the parsing or indexing code names another cache file (no stale articles from an old parser)", async () => {
    const knowledgeDir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-"));
    writeFileSync(path.join(knowledgeDir, SEED_FILE), SEED_BYTES);
    expect(CODE_FINGERPRINT).toMatch(/^[0-9a-f]{16}$/);
    const now = await cacheFileFor("/c", knowledgeDir);
    expect(await cacheFileFor("/c", knowledgeDir, CODE_FINGERPRINT)).toBe(now);
    expect(await cacheFileFor("/c", knowledgeDir, "0123456789abcdef")).not.toBe(now);
  });

  it("a damaged cache file is rebuilt, not trusted", async () => {
    const knowledgeDir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-"));
    const cacheDir = mkdtempSync(path.join(tmpdir(), "hoibao-cache-"));
    writeFileSync(path.join(knowledgeDir, SEED_FILE), SEED_BYTES);
    await openKnowledgeBase({ knowledgeDir, cacheDir });
    const [file] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, file!), "{broken");
    const reopened = await openKnowledgeBase({ knowledgeDir, cacheDir });
    expect(reopened.fromCache).toBe(false);
    expect(reopened.index.search("kho khan").answered).toBe(true);
  });
});
