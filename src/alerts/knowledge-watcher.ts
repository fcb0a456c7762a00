/**
 * Watches the knowledge folder: a new or changed article file is parsed and indexed while the bot
 * runs, a removed one leaves the index. A file is read only once its size and time stop changing
 * (not half-way through a copy); a bad file is reported and skipped, and answers go on meanwhile.
 */
import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { ARTICLE_EXTENSION, readArticleFile } from "../knowledge/load-knowledge.js";
import { ArticleError, parseArticle } from "../knowledge/parse-article.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { NewArticles } from "./new-articles.js";

export interface KnowledgeWatcherOptions {
  readonly dir: string;
  readonly knowledge: KnowledgeIndex;
  readonly newArticles: NewArticles;
  readonly logger: Logger;
  /** Quiet time after the last change before a file is read. */
  readonly settleMs?: number;
}

export class KnowledgeWatcher {
  private watcher: FSWatcher | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly settleMs: number;
  private pending = Promise.resolve();

  constructor(private readonly options: KnowledgeWatcherOptions) {
    this.settleMs = options.settleMs ?? 500;
  }

  start(): void {
    this.watcher = watch(this.options.dir, (_event, name) => {
      if (name && name.endsWith(ARTICLE_EXTENSION) && !name.startsWith(".")) this.schedule(name);
    });
    this.watcher.on("error", (error) => this.options.logger.error({ err: error.message }, "knowledge folder watch failed"));
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.pending;
  }

  /** Resolves once every change seen so far has been handled (tests). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, this.settleMs / 2));
    await this.pending;
  }

  private schedule(name: string, previous?: { size: number; mtimeMs: number }): void {
    clearTimeout(this.timers.get(name));
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        // One file at a time: index updates stay in order.
        this.pending = this.pending.then(() => this.check(name, previous)).catch((error: unknown) => {
          this.options.logger.error({ file: name, err: String(error) }, "article update failed");
        });
      }, this.settleMs),
    );
  }

  private async check(name: string, previous?: { size: number; mtimeMs: number }): Promise<void> {
    const file = path.join(this.options.dir, name);
    const now = await stat(file).catch(() => undefined);
    if (!now) return this.removed(name);
    const current = { size: now.size, mtimeMs: now.mtimeMs };
    if (!previous || previous.size !== current.size || previous.mtimeMs !== current.mtimeMs) {
      return this.schedule(name, current); // still being written: look again when it is quiet
    }
    const { knowledge, newArticles, logger } = this.options;
    try {
      const article = parseArticle(await readArticleFile(file, name), name);
      const twin = knowledge.articleHead(article.id);
      if (twin && twin.file !== name) throw new ArticleError(name, 1, `duplicate article id ${article.id}: same date and title as ${twin.file}`);
      const previous = knowledge.articleInFile(name);
      if (previous && previous.id !== article.id) knowledge.removeArticle(previous.id); // the file's title or date changed
      const queued = newArticles.accept(article);
      logger.info({ file: name, article: article.id, passages: article.passages.length, alerts: queued }, "article indexed");
    } catch (error) {
      if (!(error instanceof ArticleError)) throw error;
      logger.warn({ file: error.file, line: error.line }, `article skipped: ${error.message}`);
    }
  }

  private removed(name: string): void {
    const article = this.options.knowledge.articleInFile(name);
    if (!article) return;
    this.options.knowledge.removeArticle(article.id);
    this.options.logger.info({ file: name, article: article.id }, "article removed from the index");
  }
}
