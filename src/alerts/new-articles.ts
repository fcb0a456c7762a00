/**
 * Where every new article ends up, however it arrived (folder, ingest command, feed): indexed for
 * answers, and announced to subscribers exactly once. Identity is the article id (date + title,
 * so an edited article is not new), its page URL, or the hash of its bytes.
 */
import type { Article } from "../knowledge/article.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { ArticleIdentity, Storage } from "../storage/repositories.js";

export function identityOf(article: Omit<Article, "passages">): ArticleIdentity {
  return { articleId: article.id, url: article.pageUrl ?? null, contentHash: article.contentHash, title: article.title };
}

export class NewArticles {
  constructor(
    private readonly options: {
      readonly knowledge: KnowledgeIndex;
      readonly storage: Storage;
      readonly logger: Logger;
      /** Called when alerts were queued (the broadcaster's wake). */
      readonly onQueued?: () => void;
      /** First wait before an announcement that failed (a locked database, a full disk) is tried again; doubled up to 5 min. */
      readonly retryDelayMs?: number;
    },
  ) {}

  /** Announcements waiting to be tried again, by article id. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  /**
   * Indexes the article (replacing an older version) and announces it if it is new. Returns the
   * alerts queued. When the database cannot take the announcement now, the article is answered
   * already and its announcement is tried again later, not at the next restart.
   */
  accept(article: Article): number {
    this.options.knowledge.addArticle(article);
    try {
      return this.announce(article);
    } catch (error) {
      this.retryLater(article, this.options.retryDelayMs ?? 5_000, error);
      return 0;
    }
  }

  /** Cancels the retries waiting (shutdown). */
  stop(): void {
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private retryLater(article: Article, delayMs: number, error: unknown): void {
    clearTimeout(this.retries.get(article.id));
    this.options.logger.warn({ article: article.id, retryInMs: delayMs, err: (error as Error).message }, "announcement failed; trying again later");
    const timer = setTimeout(() => {
      this.retries.delete(article.id);
      // Only if the article is still there (not removed or replaced meanwhile).
      if (this.options.knowledge.articleHead(article.id)?.contentHash !== article.contentHash) return;
      try {
        this.announce(article);
      } catch (again) {
        this.retryLater(article, Math.min(delayMs * 2, 300_000), again);
      }
    }, delayMs);
    timer.unref?.();
    this.retries.set(article.id, timer);
  }

  /** Announces the articles already indexed that were never announced (added while the bot was down). */
  reconcile(): number {
    let queued = 0;
    for (const article of this.options.knowledge.articleHeads) queued += this.announce(article);
    return queued;
  }

  private announce(article: Omit<Article, "passages">): number {
    const queued = this.options.storage.announcements.announce(identityOf(article));
    if (queued === undefined) return 0;
    this.options.logger.info({ article: article.id, file: article.file, title: article.title, alerts: queued }, "new article announced");
    if (queued > 0) this.options.onQueued?.();
    return queued;
  }
}
