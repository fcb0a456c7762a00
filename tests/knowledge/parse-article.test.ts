import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { articleUrl, passageUrl } from "../../src/knowledge/article.js";
import { ArticleError, MAX_PASSAGES, MAX_PASSAGE_CHARS, parseArticle } from "../../src/knowledge/parse-article.js";

const SEED = readFileSync(new URL("../../knowledge/2024-11-23-soc-trang-dan-van-kheo.txt", import.meta.url));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const NEWS = "Thứ Hai, 02/12/2024\nHà Nội: Tin ngắn\n\nĐoạn thứ nhất của bản tin.\n\nĐoạn thứ hai của bản tin.\n\n(baosoctrang.org.vn)\n";

function errorOf(text: string | Uint8Array): ArticleError {
  try {
    parseArticle(typeof text === "string" ? bytes(text) : text, "bad.txt");
  } catch (error) {
    if (error instanceof ArticleError) return error;
    throw error;
  }
  throw new Error("expected an ArticleError");
}

describe("parseArticle on the seed interview", () => {
  const article = parseArticle(SEED, "seed.txt");

  it("reads the metadata: date, place prefix, title, source", () => {
    expect(article.date).toBe("2024-11-23");
    expect(article.place).toBe("Sóc Trăng");
    expect(article.title).toBe("Phong trào thi đua “Dân vận khéo” đã tạo sự nhận thức sâu sắc trong các cấp ủy, chính quyền");
    expect(article.source).toEqual({ name: "baosoctrang.org.vn", url: "https://baosoctrang.org.vn" });
    expect(articleUrl(article)).toBe("https://baosoctrang.org.vn");
  });

  it("splits the three questions and their answers; the thank-you and page furniture are not content", () => {
    expect(article.sections.map((s) => s.passageIds.length)).toEqual([2, 2, 3]);
    expect(article.sections.every((s) => s.asker === "Phóng viên" && s.answerer === "Đồng chí Dương Sà Kha")).toBe(true);
    expect(article.sections[1]!.question).toMatch(/^Thưa đồng chí, quá trình thực hiện/);
    const texts = article.passages.map((p) => p.text);
    expect(texts).toHaveLength(7);
    expect(texts[0]).toMatch(/^Thời gian qua, đặc biệt qua 8 năm/); // speaker label stripped
    expect(texts.join(" ")).not.toMatch(/Xin cảm ơn|Gửi cho bạn bè|Các tin khác|baosoctrang/);
  });

  it("gives stable ids that survive an edit of the body and fit deep links", () => {
    const edited = parseArticle(bytes(SEED.toString().replace("31.945", "31.946")), "seed.txt");
    expect(edited.id).toBe(article.id);
    expect(edited.contentHash).not.toBe(article.contentHash);
    for (const p of article.passages) expect(p.id).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it("locates passages by line", () => {
    expect(article.passages[0]!.line).toBe(6);
  });
});

describe("parseArticle on other shapes", () => {
  it("a plain news article: its paragraphs are its passages", () => {
    const article = parseArticle(bytes(NEWS), "news.txt");
    expect(article.sections).toEqual([]);
    expect(article.passages.map((p) => p.text)).toEqual(["Đoạn thứ nhất của bản tin.", "Đoạn thứ hai của bản tin."]);
    expect(article.place).toBe("Hà Nội");
  });

  it("a full URL in the source mark is the page URL, and passage links carry a text fragment", () => {
    const article = parseArticle(bytes(NEWS.replace("(baosoctrang.org.vn)", "(https://www.baosoctrang.org.vn/xa-hoi/tin-ngan-1.html)")), "news.txt");
    expect(article.source).toEqual({ name: "baosoctrang.org.vn", url: "https://www.baosoctrang.org.vn" });
    expect(article.pageUrl).toBe("https://www.baosoctrang.org.vn/xa-hoi/tin-ngan-1.html");
    expect(passageUrl(article, article.passages[0]!)).toBe(
      "https://www.baosoctrang.org.vn/xa-hoi/tin-ngan-1.html#:~:text=%C4%90o%E1%BA%A1n%20th%E1%BB%A9%20nh%E1%BA%A5t%20c%E1%BB%A7a%20b%E1%BA%A3n%20tin.",
    );
  });

  it("text fragments percent-encode '-', ',' and '&'", async () => {
    const { encodeTextFragment } = await import("../../src/knowledge/article.js");
    expect(encodeTextFragment("kinh tế - xã hội, A&B")).toBe("kinh%20t%E1%BA%BF%20%2D%20x%C3%A3%20h%E1%BB%99i%2C%20A%26B");
  });

  it("CRLF line endings and a BOM are fine", () => {
    const article = parseArticle(bytes(`\uFEFF${NEWS.replace(/\n/g, "\r\n")}`), "crlf.txt");
    expect(article.passages).toHaveLength(2);
  });
});

describe("parseArticle refuses bad input with file and line", () => {
  it("empty file", () => {
    expect(errorOf("").message).toBe("bad.txt:1: the file is empty");
    expect(errorOf("  \n\n").reason).toMatch(/empty/);
  });

  it("binary file", () => {
    const error = errorOf(new Uint8Array([0x54, 0x68, 0x0a, 0x00, 0x01]));
    expect(error.reason).toMatch(/binary/);
    expect(error.line).toBe(2);
  });

  it("not UTF-8 (e.g. Windows-1258)", () => {
    const latin = new Uint8Array([...bytes("Thứ Hai, 02/12/2024\nTin\n\n"), 0xc4, 0xe3, 0x20, 0x6e, 0x0a]);
    const error = errorOf(latin);
    expect(error.reason).toMatch(/UTF-8/);
    expect(error.line).toBe(4);
  });

  it("missing date", () => {
    const error = errorOf(NEWS.replace("Thứ Hai, 02/12/2024\n", ""));
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/date line/);
  });

  it("impossible date", () => {
    expect(errorOf(NEWS.replace("02/12/2024", "31/02/2024")).reason).toMatch(/not a real date/);
  });

  it("missing title", () => {
    expect(errorOf("Thứ Hai, 02/12/2024\n").reason).toMatch(/no title/);
    expect(errorOf("Thứ Hai, 02/12/2024\nPhóng viên: Hỏi gì?\n").reason).toMatch(/title/);
  });

  it("no source mark", () => {
    expect(errorOf(NEWS.replace("(baosoctrang.org.vn)\n", "")).reason).toMatch(/source mark/);
  });

  it("no text", () => {
    expect(errorOf("Thứ Hai, 02/12/2024\nTin\n\n(baosoctrang.org.vn)\n").reason).toMatch(/no text/);
  });

  it("a question without an answer before the next question", () => {
    const text = "Thứ Hai, 02/12/2024\nTin\n\nPhóng viên: Một?\n\nPhóng viên: Hai?\n\nÔng Tư: Đáp.\n\n(baosoctrang.org.vn)\n";
    const error = errorOf(text);
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/no answer/);
  });

  it("an answer with no speaker", () => {
    const text = "Thứ Hai, 02/12/2024\nTin\n\nPhóng viên: Một?\n\nđáp không tên.\n\n(baosoctrang.org.vn)\n";
    expect(errorOf(text).reason).toMatch(/speaker/);
  });
});

describe("articles too big to be articles", () => {
  const head = "Thứ Hai, 02/12/2024\nSóc Trăng: Một bài rất dài\n\n";
  const tail = "\n\n(baosoctrang.org.vn)\n";
  it("are refused with the reason: too many paragraphs, or one far too long", () => {
    const many = Array.from({ length: MAX_PASSAGES + 1 }, (_, i) => `Đoạn ${i}.`).join("\n\n");
    expect(() => parseArticle(Buffer.from(head + many + tail), "many.txt")).toThrow(`many.txt:1: too many paragraphs for an article (${MAX_PASSAGES + 1}, at most ${MAX_PASSAGES})`);
    const long = "chữ ".repeat(MAX_PASSAGE_CHARS / 2);
    expect(() => parseArticle(Buffer.from(head + long + tail), "long.txt")).toThrow(/^long\.txt:4: a paragraph of \d+ characters is too long/);
  });
});
