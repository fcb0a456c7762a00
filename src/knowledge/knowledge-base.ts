/**
 * Opens the knowledge folder as a search index, reusing the index built on an earlier start when
 * neither the articles nor the index layout changed (the cache key covers both).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Article } from "./article.js";
import { articleFileNames, loadKnowledgeDir } from "./load-knowledge.js";
import { ArticleError } from "./parse-article.js";
import { INDEX_VERSION, KnowledgeIndex, type SavedIndex } from "./search-index.js";

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

/**
 * Cache files are named by the code that wrote them too: dist/ (npm start) and src/ under tsx
 * (benchmarks) fingerprint differently, and each keeps its own file instead of deleting the other's.
 */
const CODE_FLAVOUR = path.extname(new URL(import.meta.url).pathname).slice(1) || "js";
const CACHE_PREFIX = `index-${CODE_FLAVOUR}-`;

/**
 * The code whose output a cache file holds: parsing (articles), normalization and indexing. A
 * change to any of them (a parser fix, a new tokenization) gives new cache files, so a warm start
 * never serves articles as an older parser read them. Read once, beside this module (src/ or dist/).
 */
const CACHED_CODE = ["article", "parse-article", "load-knowledge", "vietnamese", "term-index", "search-index", "knowledge-base"];
export const CODE_FINGERPRINT: string = (() => {
  const extension = path.extname(new URL(import.meta.url).pathname) || ".js";
  const hash = createHash("sha256");
  try {
    for (const name of CACHED_CODE) hash.update(readFileSync(new URL(`./${name}${extension}`, import.meta.url)));
  } catch {
    // Bundled into one file: the modules are not beside this one. The index version still guards the layout.
    return "bundled";
  }
  return hash.digest("hex").slice(0, 16);
})();

export async function openKnowledgeBase(options: OpenKnowledgeOptions): Promise<OpenedKnowledge> {
  if (!options.cacheDir) {
    const { articles, errors } = await loadKnowledgeDir(options.knowledgeDir);
    return { index: KnowledgeIndex.build(articles), errors, fromCache: false };
  }
  const file = await cacheFileFor(options.cacheDir, options.knowledgeDir);
  const cached = await readCache(file);
  if (cached) return { ...cached, fromCache: true };

  const { articles, errors } = await loadKnowledgeDir(options.knowledgeDir);
  const index = KnowledgeIndex.build(articles);
  await writeCache(options.cacheDir, file, index, errors).catch(() => undefined); // a read-only disk only costs speed
  return { index, errors, fromCache: false };
}

/**
 * The cache file for the folder as it is now: named after each article file's name, size and
 * modification time (so a restart need not read and parse thousands of files to know nothing
 * changed), after the index version and after the code that parses and indexes ({@link CODE_FINGERPRINT}).
 */
export async function cacheFileFor(cacheDir: string, knowledgeDir: string, codeFingerprint: string = CODE_FINGERPRINT): Promise<string> {
  const names = await articleFileNames(knowledgeDir);
  const hash = createHash("sha256").update(`v${INDEX_VERSION}\n${codeFingerprint}\n`);
  // A name that cannot be stat'ed (a dangling link) is part of the key as such: it is reported, not fatal.
  const stats = await Promise.all(names.map((name) => stat(path.join(knowledgeDir, name)).catch(() => undefined)));
  names.forEach((name, i) => hash.update(`${name}\0${stats[i]?.size ?? "-"}\0${stats[i]?.mtimeMs ?? "-"}\n`));
  return path.join(cacheDir, `${CACHE_PREFIX}${hash.digest("hex").slice(0, 24)}.bin`);
}

/**
 * The cache file: a JSON header (version, ids, folded texts, the arrays' layout) then the index's
 * typed arrays as raw bytes, each 8-byte aligned, read back as views without parsing.
 */
const ARRAYS = ["slotHashes", "slotTerms", "offsets", "docs", "tfs", "lengths"] as const;
type ArrayName = (typeof ARRAYS)[number];

interface CacheHeader {
  readonly version: number;
  /** The parsed articles and the files that failed, so a warm start parses nothing. */
  readonly articles: readonly Article[];
  readonly errors: readonly { file: string; line: number; reason: string }[];
  /** Passage ids, context keys and folded passage texts, each list joined by "\n" (split is faster than parsing arrays). */
  readonly passageIds: string;
  readonly contextKeys: string;
  readonly folded: string;
  readonly contexts: SavedIndex["contexts"];
  /** Byte offset and element count of each array, text index then context index. */
  readonly layout: Record<"text" | "context", Record<ArrayName, [number, number]>>;
}

function encodeCache(saved: SavedIndex, articles: readonly Article[], errors: readonly ArticleError[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const layout = { text: {}, context: {} } as CacheHeader["layout"];
  for (const which of ["text", "context"] as const) {
    for (const name of ARRAYS) {
      const array = saved[which][name];
      const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
      layout[which][name] = [offset, array.length];
      const padding = (8 - (bytes.length % 8)) % 8;
      parts.push(bytes, Buffer.alloc(padding));
      offset += bytes.length + padding;
    }
  }
  const header: CacheHeader = {
    version: INDEX_VERSION,
    articles,
    errors: errors.map((e) => ({ file: e.file, line: e.line, reason: e.reason })),
    passageIds: saved.passageIds.join("\n"),
    contextKeys: saved.contextKeys.join("\n"),
    folded: saved.folded.join("\n"),
    contexts: saved.contexts,
    layout,
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(json.length, 0);
  const jsonPadding = Buffer.alloc((8 - (json.length % 8)) % 8);
  return Buffer.concat([head, json, jsonPadding, ...parts]);
}

function decodeCache(file: Buffer): { saved: SavedIndex; articles: readonly Article[]; errors: ArticleError[] } | undefined {
  const length = file.readUInt32LE(0);
  const header = JSON.parse(file.toString("utf8", 8, 8 + length)) as CacheHeader;
  if (header.version !== INDEX_VERSION) return undefined;
  const base = 8 + length + ((8 - (length % 8)) % 8);
  // Typed-array views need aligned offsets; a buffer from the pool may not start aligned.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const view = <T>(type: new (buffer: ArrayBufferLike, offset: number, length: number) => T, [offset, count]: [number, number]) =>
    new type(bytes.buffer, bytes.byteOffset + base + offset, count);
  const arrays = (which: "text" | "context") => ({
    slotHashes: view(Uint32Array, header.layout[which].slotHashes),
    slotTerms: view(Uint32Array, header.layout[which].slotTerms),
    offsets: view(Uint32Array, header.layout[which].offsets),
    docs: view(Uint32Array, header.layout[which].docs),
    tfs: view(Uint16Array, header.layout[which].tfs),
    lengths: view(Uint16Array, header.layout[which].lengths),
  });
  return {
    saved: {
      passageIds: splitList(header.passageIds),
      contextKeys: splitList(header.contextKeys),
      folded: splitList(header.folded),
      contexts: header.contexts,
      text: arrays("text"),
      context: arrays("context"),
    },
    articles: header.articles,
    errors: header.errors.map((e) => new ArticleError(e.file, e.line, e.reason)),
  };
}

function splitList(joined: string): string[] {
  return joined === "" ? [] : joined.split("\n");
}

export async function readCache(file: string): Promise<{ index: KnowledgeIndex; errors: ArticleError[] } | undefined> {
  try {
    const decoded = decodeCache(await readFile(file));
    return decoded && { index: KnowledgeIndex.restore(decoded.saved, decoded.articles), errors: decoded.errors };
  } catch {
    return undefined; // missing or damaged: rebuild
  }
}

async function writeCache(dir: string, file: string, index: KnowledgeIndex, errors: readonly ArticleError[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Written aside then renamed, so a crash mid-write never leaves a half file under the real name.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, encodeCache(index.save(), index.articles, errors));
  await rename(temporary, file);
  for (const name of await readdir(dir)) {
    if (name.startsWith(CACHE_PREFIX) && path.join(dir, name) !== file) await rm(path.join(dir, name), { force: true });
  }
}
