import { describe, expect, it } from "vitest";
import { escapeHtml, visibleLength, MESSAGE_LIMIT } from "../../src/bot/html.js";
import { highlight, renderFullAnswer, renderQuote } from "../../src/bot/render.js";
import { formatArticle } from "../../src/knowledge/format-article.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { formatText } from "../../src/telegram-sim/validate.js";

const t = (key: string, vars: Record<string, string | number> = {}) => `${key}:${Object.values(vars).join(",")}`;
const long = (n: number) => Array.from({ length: n }, (_, i) => `từ${i} <b>&`).join(" ");
const article = parseArticle(
  new TextEncoder().encode(
    formatArticle({
      date: "2024-12-02",
      title: 'Tin <dài> & "lạ"',
      paragraphs: [`Phóng viên: ${long(300)}?`, `Ông Tư: ${long(3000)}`, `${long(2000)} 😀😀😀`],
      pageUrl: "https://example.org/a-b,c&d.html",
    }),
  ),
  "long.txt",
);

describe("html", () => {
  it("escapes the three HTML characters and quotes", () => {
    expect(escapeHtml(`<a href="x">&</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  });
});

describe("renderQuote", () => {
  it("fits Telegram's limit and stays valid HTML whatever the passage length", () => {
    for (const passage of article.passages) {
      const section = article.sections[0];
      const html = renderQuote({ article, passage, ...(section ? { section } : {}) }, t, { words: new Set(["tu1", "b"]) });
      expect(visibleLength(html)).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expect(() => formatText(html, "HTML", undefined, "strict")).not.toThrow();
      expect(html).toContain("<blockquote expandable>");
      expect(html).toContain("…</blockquote>");
    }
  });

  it("a full answer of many long paragraphs still fits", () => {
    const html = renderFullAnswer(article, article.sections[0]!, t);
    expect(() => formatText(html, "HTML", undefined, "strict")).not.toThrow();
  });

  it("signs an interview answer with its speaker, and plain news with no speaker: the site is not one", () => {
    const news = parseArticle(new TextEncoder().encode(formatArticle({ date: "2024-12-02", title: "Giá lúa tăng", paragraphs: ["Giá lúa vụ mùa tăng mạnh."], site: "baosoctrang.org.vn" })), "news.txt");
    const plain = renderQuote({ article: news, passage: news.passages[0]! }, t);
    expect(plain).not.toContain("— <b>");
    expect(plain).toContain("Giá lúa tăng</a>");
    expect(plain).toContain(`source-line:02/12/2024,${news.source.name}`);
    const answer = article.passages.find((p) => p.sectionIndex === 1)!;
    expect(renderQuote({ article, passage: answer, section: article.sections[0]! }, t)).toContain("— <b>Ông Tư</b>");
  });

  it("links to the passage itself with an encoded text fragment", () => {
    const html = renderQuote({ article, passage: article.passages[0]! }, t);
    expect(html).toContain('href="https://example.org/a-b,c&amp;d.html#:~:text=t%E1%BB%AB0%20%3Cb%3E%26');
  });
});

describe("highlight", () => {
  it("bolds the asked words (folded), joining neighbours, escaping the rest", () => {
    expect(highlight("Khó khăn, <hạn> chế & dân", new Set(["kho", "khan", "han", "che"]))).toBe(
      "<b>Khó khăn</b>, &lt;<b>hạn</b>&gt; <b>chế</b> &amp; dân",
    );
  });
});
