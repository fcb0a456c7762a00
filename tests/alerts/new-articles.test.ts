import { describe, expect, it } from "vitest";
import { NewArticles } from "../../src/alerts/new-articles.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { createLogger } from "../../src/logger.js";
import { openDatabase } from "../../src/storage/database.js";
import { repositories } from "../../src/storage/repositories.js";
import { newsArticle, seedArticle } from "../knowledge/helpers.js";

describe("NewArticles", () => {
  it("an announcement the database refuses (locked, disk full) is tried again, not left for the next restart", async () => {
    const knowledge = KnowledgeIndex.build([seedArticle()]);
    const storage = repositories(openDatabase(":memory:"));
    storage.subscriptions.add({ chatId: 1, chatType: "private", title: null, subscribedBy: 1 });
    // The database fails twice, as a locked or full one does, then works again.
    let failures = 2;
    const announce = storage.announcements.announce.bind(storage.announcements);
    storage.announcements.announce = (identity) => {
      if (failures-- > 0) throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      return announce(identity);
    };
    const news = new NewArticles({ knowledge, storage, logger: createLogger({ level: "silent", format: "json" }), retryDelayMs: 20 });
    const article = parseArticle(Buffer.from(newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa năm nay tăng mạnh."])), "lua.txt");
    expect(news.accept(article)).toBe(0); // indexed, not yet announced
    expect(knowledge.search("giá lúa vụ mùa").answered).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(storage.outbox.counts().pending).toBe(1); // announced once the database took it
    news.stop();
  });
});
