import { readFileSync } from "node:fs";
import type { Article } from "../../src/knowledge/article.js";
import { formatArticle } from "../../src/knowledge/format-article.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";

export const SEED_FILE = "2024-11-23-soc-trang-dan-van-kheo.txt";
export const SEED_BYTES = readFileSync(new URL(`../../knowledge/${SEED_FILE}`, import.meta.url));
export const seedArticle = (): Article => parseArticle(SEED_BYTES, SEED_FILE);
export const seedIndex = (): KnowledgeIndex => KnowledgeIndex.build([seedArticle()]);

/** A second, plain news article in the published format. */
export function newsArticle(title: string, paragraphs: readonly string[], date = "2024-12-02"): string {
  return formatArticle({ date, place: "Sóc Trăng", title, paragraphs, site: "baosoctrang.org.vn" });
}
