import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadKnowledgeDir } from "../../src/knowledge/load-knowledge.js";
import { REPO_ROOT } from "../../testkit/build.js";
import { SEED_BYTES, SEED_FILE, newsArticle } from "./helpers.js";

describe("loadKnowledgeDir", () => {
  it("loads good articles and reports each bad one by file and line", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-"));
    writeFileSync(path.join(dir, SEED_FILE), SEED_BYTES);
    writeFileSync(path.join(dir, "b-news.txt"), newsArticle("Tin mới", ["Một đoạn tin."]));
    writeFileSync(path.join(dir, "c-empty.txt"), "");
    writeFileSync(path.join(dir, "d-binary.txt"), Buffer.from([0, 1, 2]));
    writeFileSync(path.join(dir, "e-duplicate.txt"), SEED_BYTES);
    writeFileSync(path.join(dir, "notes.md"), "not an article");
    const { articles, errors } = await loadKnowledgeDir(dir);
    expect(articles.map((a) => a.file)).toEqual([SEED_FILE, "b-news.txt"]);
    expect(errors.map((e) => e.message)).toEqual([
      "c-empty.txt:1: the file is empty",
      "d-binary.txt:1: binary data (NUL byte): not a text article",
      expect.stringMatching(/^e-duplicate\.txt:1: duplicate article id \w+: same date and title as 2024-11-23/),
    ]);
  });

  it("a missing folder is a clear error naming KNOWLEDGE_DIR", async () => {
    await expect(loadKnowledgeDir("/nonexistent/hoibao")).rejects.toThrow(/KNOWLEDGE_DIR/);
  });

  it("a folder of more article files than the process may open at once loads whole (cold and from the cache)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hoibao-kb-many-"));
    const cache = mkdtempSync(path.join(tmpdir(), "hoibao-kb-cache-"));
    const files = 3000;
    for (let i = 0; i < files; i += 1) writeFileSync(path.join(dir, `tin-${i}.txt`), newsArticle(`Tin số ${i}`, [`Đoạn tin số ${i} về lúa và tôm.`]));
    // The compiled loader, in a process allowed 160 descriptors: reading every file at once would fail with EMFILE.
    const script = `import { openKnowledgeBase } from "./dist/knowledge/knowledge-base.js";
      for (const round of [1, 2]) {
        const { index, errors, fromCache } = await openKnowledgeBase({ knowledgeDir: ${JSON.stringify(dir)}, cacheDir: ${JSON.stringify(cache)} });
        console.log(index.articleCount, errors.length, fromCache);
      }`;
    const output = execFileSync("bash", ["-c", `ulimit -n 160 && exec "${process.execPath}" --input-type=module -e '${script.replace(/'/g, "'\\''")}'`], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    expect(output.trim().split("\n")).toEqual([`${files} 0 false`, `${files} 0 true`]);
  });
});
