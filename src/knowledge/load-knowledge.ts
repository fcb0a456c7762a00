/** Reads every article file of the knowledge folder; a bad file is reported, the others still load. */
import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import path from "node:path";
import type { Article } from "./article.js";
import { ArticleError, parseArticle } from "./parse-article.js";

/** Article files are plain UTF-8 text with this extension. */
export const ARTICLE_EXTENSION = ".txt";
/** An article file is a few kilobytes; past this it is not one (or something is wrong). */
export const MAX_ARTICLE_BYTES = 2 * 1024 * 1024;
/** Files read at once: far below the process's descriptor limit, however large the folder. */
const READ_CONCURRENCY = 32;

export interface LoadedKnowledge {
  /** Sorted by file name, so ids and order are the same on every start. */
  readonly articles: Article[];
  readonly errors: ArticleError[];
}

/** The article files of the folder, sorted; names starting with "." (files being written) are not. */
export async function articleFileNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith(ARTICLE_EXTENSION) && !n.startsWith(".")).sort();
  } catch (error) {
    throw new Error(`knowledge: cannot read the folder ${dir} (${(error as Error).message}); set KNOWLEDGE_DIR to the articles folder`);
  }
}

export async function loadKnowledgeDir(dir: string): Promise<LoadedKnowledge> {
  const read = await readArticleFiles(dir, await articleFileNames(dir));
  const loaded = parseArticles(read.filter((r): r is ArticleFile => !(r instanceof ArticleError)));
  return { articles: loaded.articles, errors: [...read.filter((r): r is ArticleError => r instanceof ArticleError), ...loaded.errors] };
}

export interface ArticleFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * The bytes of the named files of the folder, in the same order, READ_CONCURRENCY at a time (a
 * folder of 100,000 files must not open 100,000 descriptors); a file that cannot be read is its
 * ArticleError.
 */
export async function readArticleFiles(dir: string, names: readonly string[]): Promise<(ArticleFile | ArticleError)[]> {
  const read: (ArticleFile | ArticleError)[] = new Array(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const at = next++;
      const name = names[at]!;
      read[at] = await readArticleFile(path.join(dir, name), name).then(
        (bytes) => ({ name, bytes }),
        (error: unknown) => {
          if (error instanceof ArticleError) return error;
          throw error;
        },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  return read;
}

/**
 * An article file's bytes, read safely: only a regular file (a FIFO, a device, a directory named
 * "x.txt" or a dangling link is refused without blocking), at most MAX_ARTICLE_BYTES. Every refusal
 * is an ArticleError naming the file, so the caller reports it and goes on.
 */
export async function readArticleFile(file: string, name: string): Promise<Uint8Array> {
  let handle;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ArticleError(name, 1, code === "ENOENT" ? "cannot be read (missing, or a link to nothing)" : `cannot be read (${code ?? (error as Error).message})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = info.isDirectory() ? "a folder" : info.isFIFO() ? "a pipe" : info.isCharacterDevice() || info.isBlockDevice() ? "a device" : info.isSocket() ? "a socket" : "not a file";
      throw new ArticleError(name, 1, `not a regular file (${kind}): skipped`);
    }
    if (info.size > MAX_ARTICLE_BYTES) throw new ArticleError(name, 1, `too large for an article (${info.size} bytes, at most ${MAX_ARTICLE_BYTES})`);
    // Read what is there, one byte past the cap at most: a file that grows meanwhile is refused too.
    const buffer = Buffer.alloc(Math.min(info.size, MAX_ARTICLE_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > MAX_ARTICLE_BYTES) throw new ArticleError(name, 1, `too large for an article (more than ${MAX_ARTICLE_BYTES} bytes)`);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Parses files in order; a later file with the id of an earlier one is refused. */
export function parseArticles(files: readonly ArticleFile[]): LoadedKnowledge {
  const articles: Article[] = [];
  const errors: ArticleError[] = [];
  const byId = new Map<string, Article>();
  for (const { name, bytes } of files) {
    try {
      const article = parseArticle(bytes, name);
      const twin = byId.get(article.id);
      if (twin) {
        throw new ArticleError(name, 1, `duplicate article id ${article.id}: same date and title as ${twin.file}`);
      }
      byId.set(article.id, article);
      articles.push(article);
    } catch (error) {
      if (!(error instanceof ArticleError)) throw error;
      errors.push(error);
    }
  }
  return { articles, errors };
}
