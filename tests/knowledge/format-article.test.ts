import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/knowledge/article.js";
import { formatArticle } from "../../src/knowledge/format-article.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";

const parse = (text: string, file = "written.txt"): Article => parseArticle(new TextEncoder().encode(text), file);

/** What an article says, without where it was read from (file, lines, bytes). */
function content(article: Article) {
  const { file: _file, contentHash: _hash, passages, ...rest } = article;
  return { ...rest, passages: passages.map(({ line: _line, ...passage }) => passage) };
}

/** Written, then parsed again: the same article. */
function expectRoundTrip(article: Article): void {
  const again = parse(formatArticle(article));
  expect(content(again)).toEqual(content(article));
}

const INTERVIEW = parse(
  [
    "Thứ Bảy, 23/11/2024",
    "Sóc Trăng: Phong trào “Dân vận khéo” ở cơ sở",
    "Lời dẫn: phóng viên trò chuyện với lãnh đạo tỉnh.",
    "Phóng viên: Xin đồng chí cho biết kết quả của phong trào?",
    "Đồng chí Dương Sà Kha: Phong trào đạt 31.945 mô hình.",
    "Các mô hình trải rộng khắp tỉnh.",
    "PV: Thời gian tới tỉnh sẽ làm gì?",
    "Ông Tư: Tiếp tục nhân rộng các mô hình hay.",
    "Phóng viên: Xin cảm ơn đồng chí!",
    "(https://www.baosoctrang.org.vn/chinh-tri/dan-van-kheo.html)",
  ].join("\n\n"),
);

describe("formatArticle → parseArticle", () => {
  it("an interview: lead, questions, speakers, answers of several paragraphs, page URL", () => {
    expect(INTERVIEW.sections.map((s) => [s.asker, s.answerer, s.passageIds.length])).toEqual([
      ["Phóng viên", "Đồng chí Dương Sà Kha", 2],
      ["PV", "Ông Tư", 1],
    ]);
    expectRoundTrip(INTERVIEW);
  });

  it("plain news with the site as the source mark, www. kept", () => {
    const news = parse("Thứ Hai, 02/12/2024\nHà Nội: Tin ngắn\n\nĐoạn thứ nhất.\n\nĐoạn thứ hai.\n\n(www.baosoctrang.org.vn)\n");
    expect(news.source).toEqual({ name: "baosoctrang.org.vn", url: "https://www.baosoctrang.org.vn" });
    expectRoundTrip(news);
  });

  it("hostile text: paragraphs that look like a date line, a title, a speaker, a question, the source mark or furniture", () => {
    const hostile = parse(
      [
        "Chủ Nhật, 24/11/2024",
        'Tin <b>"lạ"</b> & 😀: Phóng viên hỏi',
        "Thứ Hai, 25/11/2024",
        "Hà Nội: Một dòng giống dòng tiêu đề.",
        "Phóng viên: Câu hỏi có dấu ngoặc (baosoctrang.org.vn)?",
        "Ông Tư: Câu trả lời đầu.",
        "Bà Ba: Đoạn này có người nói khác, nhãn bị bỏ.",
        "Ông Tư: Hà Nội: đoạn tiếp theo giống một nhãn.",
        "Ông Tư: Phóng viên: đoạn tiếp theo giống một câu hỏi.",
        "Ông Tư: (baosoctrang.org.vn)",
        "Ông Tư: Chia sẻ",
        "Ông Tư: Thứ Bảy, 23/11/2024",
        "(https://example.vn/tin?a=1&b=2)",
      ].join("\n\n"),
    );
    const texts = hostile.passages.map((p) => p.text);
    expect(texts).toEqual([
      "Thứ Hai, 25/11/2024",
      "Hà Nội: Một dòng giống dòng tiêu đề.",
      "Câu trả lời đầu.",
      "Đoạn này có người nói khác, nhãn bị bỏ.",
      "Hà Nội: đoạn tiếp theo giống một nhãn.",
      "Phóng viên: đoạn tiếp theo giống một câu hỏi.",
      "(baosoctrang.org.vn)",
      "Chia sẻ",
      "Thứ Bảy, 23/11/2024",
    ]);
    expectRoundTrip(hostile);
  });

  it("a draft: white space inside a paragraph or title cannot split it, the page URL is made a valid mark", () => {
    const text = formatArticle({
      date: "2024-11-23",
      title: "Tiêu đề\nxuống dòng",
      paragraphs: ["Đoạn một\n\n(baosoctrang.org.vn)\n\nvẫn là đoạn một.", "  ", "Đoạn\thai."],
      pageUrl: "https://example.vn/bài (1).html#phần-2",
    });
    expect(text).toBe(
      "Thứ Bảy, 23/11/2024\nTiêu đề xuống dòng\n\nĐoạn một (baosoctrang.org.vn) vẫn là đoạn một.\n\nĐoạn hai.\n\n(https://example.vn/b%C3%A0i%20%281%29.html)\n",
    );
    const article = parse(text);
    expect(article.passages.map((p) => p.text)).toEqual(["Đoạn một (baosoctrang.org.vn) vẫn là đoạn một.", "Đoạn hai."]);
    expect(article.pageUrl).toBe("https://example.vn/b%C3%A0i%20%281%29.html");
  });

  it("refuses a draft paragraph that would read as the source mark, and a draft without a source", () => {
    expect(() => formatArticle({ date: "2024-11-23", title: "T", paragraphs: ["Đoạn.", "(baosoctrang.org.vn)", "Đoạn."], site: "x.vn" })).toThrow(
      /paragraph 2 "\(baosoctrang\.org\.vn\)" would read as the source mark/,
    );
    expect(() => formatArticle({ date: "2024-11-23", title: "T", paragraphs: ["Đoạn."] })).toThrow(/page URL or its site/);
  });

  it("the shipped article and the evaluation corpora: parsed, written, parsed give the same passages", () => {
    const folders = ["../../knowledge/", "../../eval/corpus/dev/articles/", "../../eval/corpus/shared/articles/", "../../eval/corpus/holdout/articles/"];
    let count = 0;
    for (const folder of folders.map((f) => new URL(f, import.meta.url))) {
      for (const name of readdirSync(folder).filter((f) => f.endsWith(".txt"))) {
        const article = parseArticle(readFileSync(new URL(name, folder)), name);
        const again = parse(formatArticle(article), name);
        expect(again.passages.map((p) => p.text), name).toEqual(article.passages.map((p) => p.text));
        expect(content(again), name).toEqual(content(article));
        count += 1;
      }
    }
    expect(count).toBeGreaterThan(1);
  });
});
