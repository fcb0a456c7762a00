/**
 * Page furniture: the lines newspaper sites print around an article's text ("Chia sẻ", "Bình
 * luận", "Các tin khác" …) that are not the article. One list for both readers of articles:
 * - the article parser drops only the lines that come along when a page's text is copied into a
 *   file (ARTICLE_FURNITURE): it reads what people write, where a short paragraph may be content;
 * - the web-page extractor drops those and the page's own controls and headings (PAGE_CONTROLS).
 */
import { foldPhrase } from "./vietnamese.js";

/** Printed with the article text, so copied with it. */
const ARTICLE_FURNITURE = ["gửi cho bạn bè", "các tin khác", "in bài viết", "chia sẻ", "bình luận", "tin liên quan"];

/** Buttons, menus and the headings of lists of other articles around the text of a web page. */
const PAGE_CONTROLS = [
  "gửi bạn bè", "tin khác", "in bài", "bản in", "in", "gửi bình luận", "ý kiến bạn đọc", "ý kiến", "bài viết liên quan",
  "tin cùng chuyên mục", "xem thêm", "đọc thêm", "đọc nhiều", "tin mới", "tin nổi bật", "quay lại", "trở về", "về đầu trang",
  "lên đầu trang", "đầu trang", "trang chủ", "theo dõi", "phản hồi", "trả lời", "thích", "share", "print", "email", "e-mail",
  "tweet", "facebook", "zalo", "twitter", "like", "copy link", "sao chép liên kết", "lưu", "lưu bài viết", "gửi bài", "top",
  "quảng cáo", "advertisement", "tags", "từ khóa", "từ khoá",
];

const IN_ARTICLES = new Set(ARTICLE_FURNITURE.map(foldPhrase));
const ON_PAGES = new Set([...ARTICLE_FURNITURE, ...PAGE_CONTROLS].map(foldPhrase));

/** Furniture lines are a few words: a longer paragraph is not worth folding to compare. */
const LONGEST_ARTICLE_FURNITURE = 40;

/** Whether a paragraph of an article file is page furniture copied with the text. */
export function isArticleFurniture(paragraph: string): boolean {
  return paragraph.length <= LONGEST_ARTICLE_FURNITURE && IN_ARTICLES.has(foldPhrase(paragraph));
}

/** Whether a piece of a web page's text (a line, or one item of "Chia sẻ | In bài") is page furniture. */
export function isPageFurniture(piece: string): boolean {
  return ON_PAGES.has(foldPhrase(piece));
}
