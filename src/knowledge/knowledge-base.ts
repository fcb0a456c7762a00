/**
 * Opens the knowledge folder as a search index, reusing the index built on an earlier start when
 * neither the articles nor the index layout changed (the cache key covers both).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Article } from "./article.js";
import { loadKnowledgeDir } from "./load-knowledge.js";
import type { ArticleError } from "./parse-article.js";
import { INDEX_VERSION, KnowledgeIndex } from "./search-index.js";

export interface OpenedKnowledge {
  readonly index: KnowledgeIndex;
  /** Files that could not be read; the others are in the index. */
  readonly errors: readonly ArticleError[];
  readonly fromCache: boolean;
}

export interface OpenKnowledgeOptions {
  readonly knowledgeDir: string;
  /** No cache when absent. */
  readonly cacheDir?: string;
}

const CACHE_PREFIX = "index-";

export async function openKnowledgeBase(options: OpenKnowledgeOptions): Promise<OpenedKnowledge> {
  const { articles, errors } = await loadKnowledgeDir(options.knowledgeDir);
  if (!options.cacheDir) return { index: KnowledgeIndex.build(articles), errors, fromCache: false };

  const file = path.join(options.cacheDir, `${CACHE_PREFIX}${cacheKey(articles)}.json`);
  const cached = await readCache(file, articles);
  if (cached) return { index: cached, errors, fromCache: true };

  const index = KnowledgeIndex.build(articles);
  await writeCache(options.cacheDir, file, index).catch(() => undefined); // a read-only disk only costs speed
  return { index, errors, fromCache: false };
}

/** Changes when any article's bytes, the set of articles, or the index layout change. */
export function cacheKey(articles: readonly Article[]): string {
  const hash = createHash("sha256").update(`v${INDEX_VERSION}\n`);
  for (const article of articles) hash.update(`${article.file}\0${article.contentHash}\n`);
  return hash.digest("hex").slice(0, 24);
}

interface CacheFile {
  readonly version: number;
  readonly index: string;
  readonly folded: Record<string, string>;
}

async function readCache(file: string, articles: readonly Article[]): Promise<KnowledgeIndex | undefined> {
  try {
    const data = JSON.parse(await readFile(file, "utf8")) as CacheFile;
    if (data.version !== INDEX_VERSION) return undefined;
    return KnowledgeIndex.fromJSON(data.index, articles, data.folded);
  } catch {
    return undefined; // missing or damaged: rebuild
  }
}

async function writeCache(dir: string, file: string, index: KnowledgeIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  const data: CacheFile = { version: INDEX_VERSION, ...index.toJSON() };
  // Written aside then renamed, so a crash mid-write never leaves a half file under the real name.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(data));
  await rename(temporary, file);
  for (const name of await readdir(dir)) {
    if (name.startsWith(CACHE_PREFIX) && path.join(dir, name) !== file) await rm(path.join(dir, name), { force: true });
  }
}
