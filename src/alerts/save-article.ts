/**
 * Writes an article file into the knowledge folder, where the running bot's watcher indexes and
 * announces it. The text is validated first (nothing is written when it is not a valid article),
 * and written atomically: to a dot-file beside it (the watcher ignores names starting with "."),
 * then renamed, so the watcher never reads half a file.
 *
 * The same article saved again is an update of its file, not a second file: an existing file with
 * the same article id (date + title) or the same page URL is written over, whatever its name (a
 * second file with the same id would be refused by the watcher as a duplicate).
 */
import { randomBytes } from "node:crypto";
import { lstat, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Article } from "../knowledge/article.js";
import { articleFileNames, readArticleFile, readArticleFiles } from "../knowledge/load-knowledge.js";
import { ArticleError, parseArticle } from "../knowledge/parse-article.js";
import { canonicalSyllables, foldSyllable } from "../knowledge/vietnamese.js";

export interface SavedArticle {
  /** Path of the article file written (or found unchanged). */
  readonly file: string;
  /** The article as the bot will read it (its `file` is the name inside the folder). */
  readonly article: Article;
  /** created: a new file; updated: an existing file of the article rewritten; unchanged: same bytes already there. */
  readonly status: "created" | "updated" | "unchanged";
}

export interface SaveOptions {
  /** Names the text in error messages ("file:line: reason"), e.g. the input file or page URL. */
  readonly source?: string;
  /**
   * Where the folder's articles are, when the caller knows (the bot's index): then the folder is
   * not read whole, which at 100,000 files takes seconds of parsing. Without it every file is read.
   */
  readonly known?: KnownArticles;
}

/** The folder's articles as an index knows them. */
export interface KnownArticles {
  /** The file (a name inside the folder) holding the article with this id, or else this page. */
  fileOf(id: string, pageUrl: string | undefined): string | undefined;
}

/**
 * Validates and saves one article. Throws ArticleError (with file and line) when the text is not a
 * valid article; nothing is written then.
 */
export async function saveArticle(dir: string, text: string | Uint8Array, options: SaveOptions = {}): Promise<SavedArticle> {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const draft = parseArticle(bytes, options.source ?? "article"); // throws ArticleError: nothing written
  const { same, taken } = options.known ? await knownFile(dir, draft, options.known) : await scannedFile(dir, draft);
  let name: string;
  if (same) name = same.name;
  else {
    const wanted = articleFileName(draft);
    name = wanted;
    for (let n = 2; await taken(name); n += 1) name = wanted.replace(/\.txt$/u, `-${n}.txt`);
  }

  const file = path.join(dir, name);
  const article = parseArticle(bytes, name);
  if (same?.bytes && Buffer.compare(Buffer.from(same.bytes), Buffer.from(bytes)) === 0) return { file, article, status: "unchanged" };

  const temp = path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: "wx" });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { file, article, status: same ? "updated" : "created" };
}

interface FolderLookup {
  /** The file of the same article (same id, or same page), with its bytes when they could be read. */
  readonly same: ExistingFile | undefined;
  readonly taken: (name: string) => Promise<boolean>;
}

/** The same article's file by the index; a name is taken when a file has it. */
async function knownFile(dir: string, draft: Article, known: KnownArticles): Promise<FolderLookup> {
  const name = known.fileOf(draft.id, draft.pageUrl);
  const bytes = name === undefined ? undefined : await readArticleFile(path.join(dir, name), name).catch(() => undefined);
  const taken = (candidate: string) => lstat(path.join(dir, candidate)).then(() => true, () => false);
  return { same: name === undefined ? undefined : { name, ...(bytes ? { bytes } : {}) }, taken };
}

/** The same article's file by reading every file of the folder. */
async function scannedFile(dir: string, draft: Article): Promise<FolderLookup> {
  const existing = await existingArticles(dir);
  const same = existing.find((e) => e.article?.id === draft.id) ?? (draft.pageUrl ? existing.find((e) => e.article?.pageUrl === draft.pageUrl) : undefined);
  const names = new Set(existing.map((e) => e.name));
  return { same, taken: async (name) => names.has(name) };
}

interface ExistingFile {
  readonly name: string;
  readonly bytes?: Uint8Array;
  readonly article?: Article;
}

/** The article files of the folder, parsed when they can be (a bad file still takes its name). */
async function existingArticles(dir: string): Promise<ExistingFile[]> {
  const read = await readArticleFiles(dir, await articleFileNames(dir));
  return read.map((file): ExistingFile => {
    if (file instanceof ArticleError) return { name: file.file };
    try {
      return { ...file, article: parseArticle(file.bytes, file.name) };
    } catch (error) {
      if (error instanceof ArticleError) return file;
      throw error;
    }
  });
}

const MAX_SLUG = 60;

/** `${date}-${slug of the title}.txt`: ASCII, Vietnamese marks folded, "đ" → "d". */
export function articleFileName(article: { readonly date: string; readonly title: string; readonly place?: string }): string {
  const words = canonicalSyllables(article.place ? `${article.place} ${article.title}` : article.title)
    .map((w) => foldSyllable(w).replace(/[^a-z0-9]/g, ""))
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG) {
      if (!slug) slug = word.slice(0, MAX_SLUG);
      break;
    }
    slug = next;
  }
  return `${article.date}-${slug || "bai-bao"}.txt`;
}
