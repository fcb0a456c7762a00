import { describe, expect, it } from "vitest";
import { isBoilerplate } from "../../src/alerts/extract-article.js";
import { isArticleFurniture, isPageFurniture } from "../../src/knowledge/page-furniture.js";

describe("page furniture", () => {
  it("the lines copied with an article's text are dropped by the parser and by the extractor alike", () => {
    for (const line of ["Gửi cho bạn bè", "Các tin khác", "In bài viết", "Chia sẻ", "Bình luận", "Tin liên quan", "CHIA SẺ", "Chia se"]) {
      expect(isArticleFurniture(line), line).toBe(true);
      expect(isPageFurniture(line), line).toBe(true);
      expect(isBoilerplate(line), line).toBe(true);
    }
  });

  it("a web page's controls are furniture there only: a file's short paragraph may be content", () => {
    for (const line of ["Xem thêm", "Trả lời", "Thích", "Quảng cáo"]) {
      expect(isPageFurniture(line), line).toBe(true);
      expect(isArticleFurniture(line), line).toBe(false);
    }
  });

  it("a paragraph that only starts like furniture is text", () => {
    for (const line of ["Chia sẻ kinh nghiệm trồng lúa ST25 với bà con.", "Bình luận của chuyên gia về giá lúa"]) {
      expect(isArticleFurniture(line), line).toBe(false);
      expect(isPageFurniture(line), line).toBe(false);
    }
  });
});
