import { describe, expect, it } from "vitest";
import { ExtractError, cleanTitle, extractArticle, isBoilerplate, isoDate } from "../../src/alerts/extract-article.js";
import { articleFileName } from "../../src/alerts/save-article.js";
import { formatArticle } from "../../src/knowledge/format-article.js";
import { parseArticle } from "../../src/knowledge/parse-article.js";
import { FESTIVAL, FURNITURE_TEXTS, INTERVIEW, NO_DATE, RICE, ROAD, articlePage, plain } from "../../testkit/news-site.js";

const URL_BASE = "https://www.baosoctrang.org.vn/chinh-tri/202411/bai-viet-123456.html";

describe("extractArticle", () => {
  it("keeps only the article's paragraphs, interview labels as written, and the page URL", () => {
    const extracted = extractArticle(articlePage(INTERVIEW), URL_BASE);
    expect(extracted.title).toBe(INTERVIEW.title); // " - Báo Sóc Trăng" stripped
    expect(extracted.date).toBe("2024-11-23");
    expect(extracted.paragraphs).toEqual(INTERVIEW.body.map(plain));
    expect(extracted.paragraphs[0]).toMatch(/^Phóng viên: Trong những năm qua/);
    expect(extracted.pageUrl).toBe(URL_BASE);
    const all = extracted.paragraphs.join("\n");
    for (const furniture of FURNITURE_TEXTS) expect(all).not.toContain(furniture);

    const file = formatArticle(extracted);
    expect(file.split("\n").slice(0, 3)).toEqual(["Thứ Bảy, 23/11/2024", INTERVIEW.title, ""]);
    expect(file.trimEnd().endsWith(`(${URL_BASE})`)).toBe(true);
    const article = parseArticle(Buffer.from(file), "x.txt");
    expect(article.place).toBe("Sóc Trăng");
    expect(article.pageUrl).toBe(URL_BASE);
    expect(article.sections.map((s) => [s.asker, s.answerer])).toEqual([
      ["Phóng viên", "Đồng chí Dương Sà Kha"],
      ["Phóng viên", "Đồng chí Dương Sà Kha"],
    ]);
    expect(article.passages.map((p) => p.text)).toHaveLength(3);
    expect(article.passages[1]!.text).toContain("31.945 mô hình");
  });

  it("keeps the lead printed above the body, and inline markup as plain text", () => {
    const extracted = extractArticle(articlePage(RICE), "https://baosoctrang.org.vn/kinh-te/lua.html");
    expect(extracted.date).toBe("2024-11-24"); // JSON-LD datePublished
    expect(extracted.paragraphs).toEqual([RICE.sapo!, ...RICE.body.map(plain)]);
    expect(extracted.paragraphs[2]).toContain("quy trình một phải năm giảm nên");
  });

  it("finds the date in <time datetime>, or printed next to the title rather than the site's 'today'", () => {
    expect(extractArticle(articlePage(FESTIVAL), URL_BASE)).toMatchObject({ date: "2024-11-15", title: FESTIVAL.title });
    expect(extractArticle(articlePage(ROAD), URL_BASE).date).toBe("2024-11-20");
  });

  it("takes the fallback date (the feed item's) when the page has none, and fails clearly without one", () => {
    const html = articlePage(NO_DATE);
    expect(extractArticle(html, URL_BASE, { date: new Date("2024-11-21T20:00:00Z") }).date).toBe("2024-11-22"); // 03:00 in Vietnam
    expect(() => extractArticle(html, URL_BASE)).toThrow(ExtractError);
    expect(() => extractArticle(html, URL_BASE)).toThrow(/no publication date/);
  });

  it("refuses a page with no article text", () => {
    const html = `<html><head><meta property="article:published_time" content="2024-11-23"><title>Trang chủ</title></head><body><nav><a href="/">Trang chủ</a></nav><footer>Bản quyền</footer></body></html>`;
    expect(() => extractArticle(html, URL_BASE)).toThrow(/no article text/);
  });
});

describe("article file helpers", () => {
  it("strips site names from titles but not dashes inside them", () => {
    expect(cleanTitle("Giá lúa tăng - Báo Sóc Trăng", "Báo Sóc Trăng", URL_BASE)).toBe("Giá lúa tăng");
    expect(cleanTitle("Phát triển kinh tế - xã hội | baosoctrang.org.vn", undefined, URL_BASE)).toBe("Phát triển kinh tế - xã hội");
    expect(cleanTitle("Phát triển kinh tế - xã hội", undefined, URL_BASE)).toBe("Phát triển kinh tế - xã hội");
    expect(cleanTitle("Tin mới - BaoSocTrang", undefined, URL_BASE)).toBe("Tin mới");
  });

  it("reads dates as pages write them, in Vietnam time", () => {
    expect(isoDate("2024-11-23T23:30:00Z")).toBe("2024-11-24");
    expect(isoDate("2024-11-23T07:30:00+07:00")).toBe("2024-11-23");
    expect(isoDate("2024-11-23")).toBe("2024-11-23");
    expect(isoDate("23/11/2024 07:30")).toBe("2024-11-23");
    expect(isoDate("31/02/2024")).toBeUndefined();
    expect(isoDate("Sat, 23 Nov 2024 01:00:00 GMT")).toBe("2024-11-23");
  });

  it("names files by date and ASCII slug of the title", () => {
    expect(articleFileName({ date: "2024-11-23", title: "Đồng chí Dương Sà Kha: “Dân vận khéo” đạt 31.945 mô hình" })).toBe(
      "2024-11-23-dong-chi-duong-sa-kha-dan-van-kheo-dat-31945-mo-hinh.txt",
    );
    const long = articleFileName({ date: "2024-11-23", place: "Sóc Trăng", title: INTERVIEW.title.replace("Sóc Trăng: ", "") });
    expect(long).toMatch(/^2024-11-23-soc-trang-phong-trao-thi-dua-[a-z0-9-]+\.txt$/);
    expect(long.length).toBeLessThanOrEqual("2024-11-23-".length + 60 + ".txt".length);
    expect(articleFileName({ date: "2024-11-23", title: "“…”" })).toBe("2024-11-23-bai-bao.txt");
  });

  it("recognises page furniture", () => {
    for (const text of ["Gửi cho bạn bè", "Các tin khác", "Gửi cho bạn bè | In bài viết", "Chia sẻ", "Từ khóa: dân vận", "Bài, ảnh: THANH HẰNG", "(TTXVN)", "(baosoctrang.org.vn)"]) {
      expect(isBoilerplate(text), text).toBe(true);
    }
    for (const text of ["Phóng viên: Xin cảm ơn đồng chí!", "In ấn tài liệu tuyên truyền được đẩy mạnh.", "Chia sẻ kinh nghiệm trồng lúa ST25 với bà con."]) {
      expect(isBoilerplate(text), text).toBe(false);
    }
  });
});
