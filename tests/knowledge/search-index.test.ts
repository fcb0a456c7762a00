import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../testkit/build.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../../src/knowledge/search-index.js";
import { newsArticle, seedArticle, seedIndex } from "./helpers.js";

const index = seedIndex();
const top = (q: string): string | undefined => index.search(q).hits[0]?.passage.text;

describe("KnowledgeIndex.search on the seed interview", () => {
  it("answers with the passage, its interview question, speaker and article", () => {
    const answer = index.search("Công tác dân vận còn những hạn chế nào?");
    expect(answer.answered).toBe(true);
    const best = answer.hits[0]!;
    expect(best.passage.text).toContain("công tác nắm bắt và dự báo tình hình nhân dân");
    expect(best.section?.question).toMatch(/khó khăn, hạn chế gì\?$/);
    expect(best.section?.answerer).toBe("Đồng chí Dương Sà Kha");
    expect(best.article.date).toBe("2024-11-23");
    expect(answer.hits.length).toBeLessThanOrEqual(5);
  });

  it("lone combining marks and invisible characters are no words: declined, or ignored around real ones", () => {
    // A lone mark once became an empty phrase, and looking for "" in a passage never ended.
    for (const noise of ["\u0301", "\u0301\u0303 \u0323", "\u200b\u00ad"]) expect(index.search(noise).answered).toBe(false);
    expect(top("khó khăn \u0301 \u200b")).toBe(top("khó khăn"));
  });

  it("NFC, NFD, without tone marks, and old/new tone placement find the same passage", () => {
    const expected = top("khó khăn");
    expect(expected).toContain("khó khăn, hạn chế");
    expect(top("khó khăn".normalize("NFD"))).toBe(expected);
    expect(top("kho khan")).toBe(expected);
    expect(top("đa dạng hoá các loại hình")).toBe(top("đa dạng hóa các loại hình"));
    expect(top("đa dạng hoá các loại hình")).toContain("đa dạng hóa");
  });

  it("exact tone marks rank higher than the same letters with other tones", () => {
    const article = parseArticle(
      new TextEncoder().encode(newsArticle("Hai bản tin", ["Người dân bàn về ma túy ở xã.", "Người dân bàn về mã tùy chọn ở xã."])),
      "tones.txt",
    );
    const two = KnowledgeIndex.build([article]);
    expect(two.search("ma túy").hits[0]?.passage.text).toContain("ma túy");
    expect(two.search("mã tùy").hits[0]?.passage.text).toContain("mã tùy");
  });

  it("syllable pairs are respected: 'thời tiết' is not 'thời gian'", () => {
    expect(index.search("thời tiết").answered).toBe(false);
    expect(index.search("thời gian tới").answered).toBe(true);
  });

  it("numbers match as written, with or without the thousand separator", () => {
    expect(top("31.945")).toContain("31.945 mô hình");
    expect(top("31945")).toContain("31.945 mô hình");
    expect(top("130 cá nhân")).toContain("130 cá nhân");
  });

  it("English questions find the Vietnamese passage", () => {
    expect(top("What difficulties remain?")).toContain("khó khăn, hạn chế");
    expect(top("What are the tasks ahead?")).toMatch(/nhiệm vụ|điển hình|quần chúng/);
    expect(top("How many individuals were awarded?")).toContain("130 cá nhân");
  });

  it("declines what the article does not answer instead of returning the least-bad passage", () => {
    for (const q of ["hello", "xin chào", "???", "😀😀😀", "", "asdkjh qwpoe", "Lịch thi đấu bóng đá", "What is the capital of France?", "Giá lúa hôm nay bao nhiêu?", "thời tiết ngày mai"]) {
      const answer = index.search(q);
      expect(answer.answered, q).toBe(false);
      expect(answer.hits, q).toEqual([]);
    }
  });

  it("a topic the article merely mentions is not answered: a count of something else, a date it lacks", () => {
    expect(index.search("Sóc Trăng có bao nhiêu dân?").answered).toBe(false);
    expect(index.search("Khi nào Sóc Trăng được thành lập?").answered).toBe(false);
    expect(index.search("Có bao nhiêu tập thể được tặng bằng khen?").answered).toBe(true);
  });

  it("survives hostile input without throwing", () => {
    for (const q of ["<b>khó khăn</b>", "a".repeat(10_000), "\u202e khó khăn", "/ask@bot khó khăn", "khó\u0000khăn"]) {
      expect(() => index.search(q)).not.toThrow();
    }
  });
});

describe("KnowledgeIndex updates", () => {
  it("when the merge worker cannot run, the merge is done at once rather than never", async () => {
    const encoder = new TextEncoder();
    const article = (i: number) =>
      parseArticle(encoder.encode(newsArticle(`Tin số ${i}`, Array.from({ length: 30 }, (_, j) => `Đoạn ${j} của tin ${i} về mã${i}x${j}.`))), `n${i}.txt`);
    const live = KnowledgeIndex.build([seedArticle()], { backgroundMergeFrom: 0, mergeOffThread: () => Promise.reject(new Error("no worker here")) });
    for (let i = 0; i < 70; i += 1) live.addArticle(article(i));
    await live.idle();
    // The 67th article passed 2,000 recent passages; the worker failed, so everything was merged here.
    expect(live.segmentSizes).toEqual({ base: 7 + 70 * 30, recent: 0 });
    expect(live.search("mã5x3").hits[0]?.passage.text).toContain("mã5x3");
  });

  it("a large merge runs in the worker: answers go on from the segments, and what changes meanwhile is kept", () => {
    // The compiled modules in a process of their own: the worker runs the built merge-worker.js.
    const script = `
      import { KnowledgeIndex } from "./dist/knowledge/search-index.js";
      import { parseArticle } from "./dist/knowledge/parse-article.js";
      const article = (i, date = "02/12/2024") => parseArticle(new TextEncoder().encode(
        "Thứ Hai, " + date + "\\nTin số " + i + "\\n\\n" + Array.from({ length: 30 }, (_, j) => "Đoạn " + j + " của tin " + i + " về mã" + i + "x" + j + ".").join("\\n\\n") + "\\n\\n(baosoctrang.org.vn)\\n"), "n" + i + ".txt");
      const index = KnowledgeIndex.build(Array.from({ length: 10 }, (_, i) => article(i)), { backgroundMergeFrom: 0 });
      for (let i = 10; i < 80; i += 1) index.addArticle(article(i));
      const during = [index.search("mã75x3").hits[0]?.passage.text, index.search("mã2x4").hits[0]?.passage.text, index.passageCount, index.segmentSizes];
      index.removeArticle(article(3).id);
      index.addArticle(article(5, "03/12/2024"));
      await index.idle();
      const after = [index.search("mã75x3").hits[0]?.passage.text, index.search("mã3x4").answered, index.search("mã5x1").hits.length, index.passageCount, index.articleCount, index.segmentSizes];
      console.log(JSON.stringify({ during, after }));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    const { during, after } = JSON.parse(output) as { during: unknown[]; after: unknown[] };
    // The merge started once the recent segment passed 2,000 passages (article 76); the base is unchanged meanwhile.
    expect(during).toEqual([expect.stringContaining("mã75x3"), expect.stringContaining("mã2x4"), 80 * 30, { base: 10 * 30, recent: 70 * 30 }]);
    // Article 3 removed while merging stays removed; article 5's second version (another date) is
    // kept beside the first; what came after the merge began (77-79, the new 5) is the recent segment.
    expect(after).toEqual([expect.stringContaining("mã75x3"), false, 2, 80 * 30, 80, { base: 77 * 30, recent: 4 * 30 }]);
  });

  it("adds and removes articles without a rebuild", () => {
    const live = KnowledgeIndex.build([seedArticle()]);
    expect(live.search("giá lúa vụ mùa").answered).toBe(false);
    const news = parseArticle(new TextEncoder().encode(newsArticle("Giá lúa tăng", ["Giá lúa vụ mùa năm nay tăng mạnh ở các huyện."])), "news.txt");
    live.addArticle(news);
    expect(live.search("giá lúa vụ mùa").hits[0]?.article.id).toBe(news.id);
    expect(live.passage(news.passages[0]!.id)?.article.title).toBe("Giá lúa tăng");
    live.removeArticle(news.id);
    expect(live.search("giá lúa vụ mùa").answered).toBe(false);
    expect(live.passage(news.passages[0]!.id)).toBeUndefined();
  });

  it("replacing an article with the same id keeps one copy", () => {
    const live = KnowledgeIndex.build([seedArticle()]);
    live.addArticle(seedArticle());
    expect(live.articleHeads).toHaveLength(1);
    expect(live.passageCount).toBe(7);
  });

  it("a saved index restores to the same answers", () => {
    const restored = KnowledgeIndex.restore(index.save());
    for (const q of ["kho khan", "bao nhiêu mô hình?", "What are the tasks ahead?", "hello"]) {
      expect(restored.search(q)).toEqual(index.search(q));
    }
  });

  it("articles added while running are searched with the base, and merge into it when many", () => {
    const live = KnowledgeIndex.build([seedArticle()]);
    const encoder = new TextEncoder();
    const articles = Array.from({ length: 120 }, (_, i) =>
      parseArticle(encoder.encode(newsArticle(`Tin số ${i}`, Array.from({ length: 20 }, (_, j) => `Đoạn ${j} của bản tin thứ ${i} về chủ đề mã${i}x${j}.`))), `n${i}.txt`),
    );
    for (const article of articles) live.addArticle(article);
    expect(live.passageCount).toBe(7 + 120 * 20);
    expect(live.search("mã7x3").hits[0]?.passage.text).toContain("mã7x3");
    expect(live.search("mã119x19").hits[0]?.passage.text).toContain("mã119x19");
    expect(live.search("kho khan").hits[0]?.passage.text).toContain("khó khăn");
    live.removeArticle(articles[7]!.id);
    expect(live.search("mã7x3").answered).toBe(false);
  });
});

describe("questions made of JavaScript's own names", () => {
  it("are ordinary words: no crash, nothing found (the lexicon uses maps, never plain objects)", () => {
    for (const question of ["constructors", "constructor", "__proto__ toString", "hasOwnProperty valueOf", "What is the constructor of prototype?"]) {
      const answer = index.search(question);
      expect(answer.tier, question).not.toBe("confident");
    }
  });
});
