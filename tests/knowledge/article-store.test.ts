import { describe, expect, it } from "vitest";
import { ArticleStore, paddedFolded } from "../../src/knowledge/article-store.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { newsArticle, seedArticle } from "./helpers.js";

const news = parseArticle(new TextEncoder().encode(newsArticle("Tin 😀 lạ", ["Đoạn một có chữ Việt: khó khăn.", "中文 và 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, đoạn hai."])), "news.txt");
const seed = seedArticle();

describe("ArticleStore", () => {
  it("gives back every article and passage exactly as parsed, with its folded text", () => {
    const store = ArticleStore.fromArticles([seed, news]);
    expect(store.articleCount).toBe(2);
    expect(store.passageCount).toBe(seed.passages.length + news.passages.length);
    expect(store.article(0)).toEqual(seed);
    expect(store.article(1)).toEqual(news);
    const last = store.passageCount - 1;
    expect(store.articleOf(last)).toBe(1);
    expect(store.passage(last)).toEqual(news.passages.at(-1));
    expect(store.foldedText(last)).toBe(paddedFolded(news.passages.at(-1)!.text));
    expect(store.head(0)).toMatchObject({ id: seed.id, title: seed.title, passageCount: seed.passages.length });
    // A passage's context: its interview question and speaker, the article's title, folded and toned.
    const answer = seed.passages.findIndex((p) => p.sectionIndex === 2);
    const { folded, canonical } = store.passageContext(answer);
    expect(canonical).toContain(" khó khăn ");
    expect(folded).toContain(" kho khan ");
    expect(folded).toContain(` ${paddedFolded(seed.title).trim()} `);
  });

  it("concatenates stores, leaving out the articles not kept, without changing a byte", () => {
    const first = ArticleStore.fromArticles([seed, news]);
    const other = parseArticle(new TextEncoder().encode(newsArticle("Tin khác", ["Một đoạn khác."], "03/12/2024")), "other.txt");
    const second = ArticleStore.fromArticles([other]);
    const joined = ArticleStore.concat([
      { store: first, keep: (n) => n !== 0 },
      { store: second, keep: () => true },
    ]);
    expect([joined.article(0), joined.article(1)]).toEqual([news, other]);
    expect(joined.foldedText(joined.passageCount - 1)).toBe(paddedFolded("Một đoạn khác."));
  });

  it("an empty store is valid", () => {
    const empty = ArticleStore.fromArticles([]);
    expect(empty.passageCount).toBe(0);
    expect(ArticleStore.concat([{ store: empty, keep: () => true }]).articleCount).toBe(0);
  });
});
