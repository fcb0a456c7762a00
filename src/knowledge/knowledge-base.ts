/**
 * Opens the knowledge folder as a search index, reusing the index built on an earlier start when
 * neither the articles nor the index layout changed (the cache key covers both).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { articleFileNames, loadKnowledgeDir } from "./load-knowledge.js";
import { ArticleError } from "./parse-article.js";
import { type StoreData, shared } from "./article-store.js";
import { INDEX_VERSION, KnowledgeIndex, type SavedIndex } from "./search-index.js";
import type { TermIndexData } from "./term-index.js";

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
const CACHED_CODE = ["article", "article-store", "parse-article", "load-knowledge", "vietnamese", "term-index", "segment-indexes", "search-index", "knowledge-base"];
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
 * The cache file: a JSON header (version, the articles' heads, the files that failed, the arrays'
 * layout) then the index's typed arrays as raw bytes, each 8-byte aligned. Each array is read into
 * its own memory, so nothing keeps the header's bytes alive, and nothing is parsed per passage.
 */
type ArrayType = "u8" | "u16" | "u32";
type AnyArray = Uint8Array | Uint16Array | Uint32Array;

interface CacheHeader {
  readonly version: number;
  readonly heads: StoreData["heads"];
  readonly errors: readonly { file: string; line: number; reason: string }[];
  /** Name → [byte offset after the header, element count, element type]. */
  readonly arrays: Record<string, [number, number, ArrayType]>;
}

/** The saved index's arrays by name (the heads go into the header). */
function arraysOf(saved: SavedIndex): Record<string, AnyArray> {
  const { heads: _heads, ...store } = saved.store;
  const termIndex = (prefix: string, data: TermIndexData) => Object.fromEntries(Object.entries(data).map(([name, array]) => [`${prefix}.${name}`, array as AnyArray]));
  return {
    ...Object.fromEntries(Object.entries(store).map(([name, array]) => [`store.${name}`, array as AnyArray])),
    ...termIndex("text", saved.text),
    ...termIndex("context", saved.context),
  };
}

function typeOf(array: AnyArray): ArrayType {
  return array instanceof Uint8Array ? "u8" : array instanceof Uint16Array ? "u16" : "u32";
}

const align = (n: number) => n + ((8 - (n % 8)) % 8);

function encodeCache(saved: SavedIndex, errors: readonly ArticleError[]): Buffer[] {
  const parts: Buffer[] = [];
  const layout: CacheHeader["arrays"] = {};
  let offset = 0;
  for (const [name, array] of Object.entries(arraysOf(saved))) {
    layout[name] = [offset, array.length, typeOf(array)];
    parts.push(Buffer.from(array.buffer, array.byteOffset, array.byteLength), Buffer.alloc(align(array.byteLength) - array.byteLength));
    offset += align(array.byteLength);
  }
  const header: CacheHeader = { version: INDEX_VERSION, heads: saved.store.heads, errors: errors.map((e) => ({ file: e.file, line: e.line, reason: e.reason })), arrays: layout };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(json.length, 0);
  return [head, json, Buffer.alloc(align(json.length) - json.length), ...parts];
}

async function decodeCache(file: string): Promise<{ saved: SavedIndex; errors: ArticleError[] } | undefined> {
  const handle = await open(file, "r");
  try {
    const readExactly = async (target: Uint8Array, position: number) => {
      const { bytesRead } = await handle.read(target, 0, target.length, position);
      if (bytesRead !== target.length) throw new Error("cache file: truncated");
    };
    const head = Buffer.alloc(8);
    await readExactly(head, 0);
    const json = Buffer.alloc(head.readUInt32LE(0));
    await readExactly(json, 8);
    const header = JSON.parse(json.toString("utf8")) as CacheHeader;
    if (header.version !== INDEX_VERSION) return undefined;
    const base = 8 + align(json.length);
    const arrays: Record<string, AnyArray> = {};
    for (const [name, [offset, count, type]] of Object.entries(header.arrays)) {
      // Shared memory: a merge worker reads the store's arrays while answers go on.
      const array = type === "u8" ? shared(Uint8Array, count) : type === "u16" ? shared(Uint16Array, count) : shared(Uint32Array, count);
      await readExactly(new Uint8Array(array.buffer), base + offset);
      arrays[name] = array;
    }
    const group = <T>(prefix: string): T => Object.fromEntries(Object.entries(arrays).filter(([name]) => name.startsWith(`${prefix}.`)).map(([name, array]) => [name.slice(prefix.length + 1), array])) as T;
    return {
      saved: {
        store: { ...group<Omit<StoreData, "heads">>("store"), heads: header.heads },
        text: group<TermIndexData>("text"),
        context: group<TermIndexData>("context"),
      },
      errors: header.errors.map((e) => new ArticleError(e.file, e.line, e.reason)),
    };
  } finally {
    await handle.close();
  }
}

export async function readCache(file: string): Promise<{ index: KnowledgeIndex; errors: ArticleError[] } | undefined> {
  try {
    const decoded = await decodeCache(file);
    return decoded && { index: KnowledgeIndex.restore(decoded.saved), errors: decoded.errors };
  } catch {
    return undefined; // missing or damaged: rebuild
  }
}

async function writeCache(dir: string, file: string, index: KnowledgeIndex, errors: readonly ArticleError[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Written aside then renamed, so a crash mid-write never leaves a half file under the real name.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, encodeCache(index.save(), errors));
  await rename(temporary, file);
  for (const name of await readdir(dir)) {
    if (name.startsWith(CACHE_PREFIX) && path.join(dir, name) !== file) await rm(path.join(dir, name), { force: true });
  }
}
