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

const CACHE_PREFIX = "index-";

export async function openKnowledgeBase(options: OpenKnowledgeOptions): Promise<OpenedKnowledge> {
  const { articles, errors } = await loadKnowledgeDir(options.knowledgeDir);
  if (!options.cacheDir) return { index: KnowledgeIndex.build(articles), errors, fromCache: false };

  const file = cacheFile(options.cacheDir, articles);
  const cached = await readCache(file, articles);
  if (cached) return { index: cached, errors, fromCache: true };

  const index = KnowledgeIndex.build(articles);
  await writeCache(options.cacheDir, file, index).catch(() => undefined); // a read-only disk only costs speed
  return { index, errors, fromCache: false };
}

/** The cache file for these articles in the cache folder. */
export function cacheFile(cacheDir: string, articles: readonly Article[]): string {
  return path.join(cacheDir, `${CACHE_PREFIX}${cacheKey(articles)}.bin`);
}

/** Changes when any article's bytes, the set of articles, or the index layout change. */
export function cacheKey(articles: readonly Article[]): string {
  const hash = createHash("sha256").update(`v${INDEX_VERSION}\n`);
  for (const article of articles) hash.update(`${article.file}\0${article.contentHash}\n`);
  return hash.digest("hex").slice(0, 24);
}

/**
 * The cache file: a JSON header (version, ids, folded texts, the arrays' layout) then the index's
 * typed arrays as raw bytes, each 8-byte aligned, read back as views without parsing.
 */
const ARRAYS = ["slotHashes", "slotTerms", "offsets", "docs", "tfs", "lengths"] as const;
type ArrayName = (typeof ARRAYS)[number];

interface CacheHeader {
  readonly version: number;
  readonly passageIds: readonly string[];
  readonly contextKeys: readonly string[];
  readonly folded: readonly string[];
  readonly contexts: SavedIndex["contexts"];
  /** Byte offset and element count of each array, text index then context index. */
  readonly layout: Record<"text" | "context", Record<ArrayName, [number, number]>>;
}

function encodeCache(saved: SavedIndex): Buffer {
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
  const header: CacheHeader = { version: INDEX_VERSION, passageIds: saved.passageIds, contextKeys: saved.contextKeys, folded: saved.folded, contexts: saved.contexts, layout };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(json.length, 0);
  const jsonPadding = Buffer.alloc((8 - (json.length % 8)) % 8);
  return Buffer.concat([head, json, jsonPadding, ...parts]);
}

function decodeCache(file: Buffer): SavedIndex | undefined {
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
  return { passageIds: header.passageIds, contextKeys: header.contextKeys, folded: header.folded, contexts: header.contexts, text: arrays("text"), context: arrays("context") };
}

export async function readCache(file: string, articles: readonly Article[]): Promise<KnowledgeIndex | undefined> {
  try {
    const saved = decodeCache(await readFile(file));
    return saved && KnowledgeIndex.restore(saved, articles);
  } catch {
    return undefined; // missing or damaged: rebuild
  }
}

async function writeCache(dir: string, file: string, index: KnowledgeIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Written aside then renamed, so a crash mid-write never leaves a half file under the real name.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, encodeCache(index.save()));
  await rename(temporary, file);
  for (const name of await readdir(dir)) {
    if (name.startsWith(CACHE_PREFIX) && path.join(dir, name) !== file) await rm(path.join(dir, name), { force: true });
  }
}
