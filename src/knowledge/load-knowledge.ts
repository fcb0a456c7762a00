/** Reads every article file of the knowledge folder; a bad file is reported, the others still load. */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Article } from "./article.js";
import { ArticleError, parseArticle } from "./parse-article.js";

/** Article files are plain UTF-8 text with this extension. */
export const ARTICLE_EXTENSION = ".txt";

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
  const names = await articleFileNames(dir);
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(dir, name)) })));
  return parseArticles(files);
}

/** Parses files in order; a later file with the id of an earlier one is refused. */
export function parseArticles(files: readonly { name: string; bytes: Uint8Array }[]): LoadedKnowledge {
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
