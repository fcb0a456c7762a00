import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { articleFileName, saveArticle } from "../../src/alerts/save-article.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { SEED_BYTES, newsArticle } from "../knowledge/helpers.js";

const folder = () => mkdtempSync(path.join(tmpdir(), "hoibao-save-"));

describe("saveArticle", () => {
  it("the same article saved again is the same file, found by reading the folder", async () => {
    const dir = folder();
    writeFileSync(path.join(dir, "ten-khac.txt"), SEED_BYTES);
    const saved = await saveArticle(dir, SEED_BYTES);
    expect(saved).toMatchObject({ status: "unchanged", file: path.join(dir, "ten-khac.txt") });
    expect(readdirSync(dir)).toEqual(["ten-khac.txt"]);
  });

  it("with the index's knowledge, the file it names is the one updated, and no other file is read", async () => {
    const dir = folder();
    // A copy the index does not know: reading the folder would find it first.
    writeFileSync(path.join(dir, "a-ban-sao.txt"), SEED_BYTES);
    writeFileSync(path.join(dir, "z-ban-chinh.txt"), SEED_BYTES);
    const asked: string[] = [];
    const known = { fileOf: (id: string) => (asked.push(id), "z-ban-chinh.txt") };
    const saved = await saveArticle(dir, SEED_BYTES, { known });
    expect(saved).toMatchObject({ status: "unchanged", file: path.join(dir, "z-ban-chinh.txt") });
    expect(asked).toEqual([parseArticle(SEED_BYTES, "x").id]);
  });

  it("with the index's knowledge, a new article takes a free name, never a file's that exists", async () => {
    const dir = folder();
    const text = newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa tăng mạnh."]);
    const wanted = articleFileName(parseArticle(Buffer.from(text), "x"));
    writeFileSync(path.join(dir, wanted), "not an article");
    const saved = await saveArticle(dir, text, { known: { fileOf: () => undefined } });
    expect(saved.status).toBe("created");
    expect(path.basename(saved.file)).toBe(wanted.replace(/\.txt$/u, "-2.txt"));
    expect(readFileSync(path.join(dir, wanted), "utf8")).toBe("not an article");
  });
});
