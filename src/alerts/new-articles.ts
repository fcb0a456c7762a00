/**
 * Where every new article ends up, however it arrived (folder, ingest command, feed): indexed for
 * answers, and announced to subscribers exactly once. Identity is the article id (date + title,
 * so an edited article is not new), its page URL, or the hash of its bytes.
 */
import type { Article } from "../knowledge/article.js";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { ArticleIdentity, Storage } from "../storage/repositories.js";

export function identityOf(article: Article): ArticleIdentity {
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
    },
  ) {}

  /** Indexes the article (replacing an older version) and announces it if it is new. Returns the alerts queued. */
  accept(article: Article): number {
    this.options.knowledge.addArticle(article);
    return this.announce(article);
  }

  /** Announces the articles already indexed that were never announced (added while the bot was down). */
  reconcile(): number {
    let queued = 0;
    for (const article of this.options.knowledge.articles) queued += this.announce(article);
    return queued;
  }

  private announce(article: Article): number {
    const queued = this.options.storage.announcements.announce(identityOf(article));
    if (queued === undefined) return 0;
    this.options.logger.info({ article: article.id, file: article.file, title: article.title, alerts: queued }, "new article announced");
    if (queued > 0) this.options.onQueued?.();
    return queued;
  }
}
