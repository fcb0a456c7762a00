/** The article model: what the parser produces and every other part reads. */

export interface ArticleSource {
  /** The source mark as printed, e.g. "baosoctrang.org.vn". */
  readonly name: string;
  /** The site's home page, e.g. "https://baosoctrang.org.vn". */
  readonly url: string;
}

/** One question of an interview and who asked and answered it. */
export interface InterviewSection {
  /** 1-based, in article order. */
  readonly index: number;
  readonly question: string;
  /** The label of the question paragraph, e.g. "Phóng viên". */
  readonly asker: string;
  /** The label of the first answer paragraph, e.g. "Đồng chí Dương Sà Kha". */
  readonly answerer: string;
  readonly passageIds: readonly string[];
}

/** The unit of search and of quoting: one paragraph of an answer (or of a plain article). */
export interface Passage {
  /** Stable and short: `<article id>-<n>`; safe in deep links and callback data. */
  readonly id: string;
  readonly articleId: string;
  /** 1-based position among the article's passages. */
  readonly index: number;
  /** The paragraph text without its speaker label. */
  readonly text: string;
  /** 1-based line in the article file, for messages about it. */
  readonly line: number;
  /** The interview section this paragraph answers; absent in plain news and leads. */
  readonly sectionIndex?: number;
}

export interface Article {
  /** Stable id from the date and title, so an edited file keeps its id (and its deep links). */
  readonly id: string;
  /** The file it was read from, relative to the knowledge folder. */
  readonly file: string;
  readonly title: string;
  /** The place prefix of the title line ("Sóc Trăng: …"), if any. */
  readonly place?: string;
  /** ISO date, yyyy-mm-dd. */
  readonly date: string;
  readonly source: ArticleSource;
  /** The article's own page, when the source mark gives a full URL. */
  readonly pageUrl?: string;
  readonly sections: readonly InterviewSection[];
  readonly passages: readonly Passage[];
  /** sha256 of the file's bytes: identity of the content (edits change it, the id stays). */
  readonly contentHash: string;
}

/** An article's title, date, source and sections, without its passages: what quoting a passage needs. */
export type ArticleMeta = Omit<Article, "passages">;

/** The link a reader should follow for the article: its page if known, else the site. */
export function articleUrl(article: ArticleMeta): string {
  return article.pageUrl ?? article.source.url;
}

/**
 * A link to the passage itself: the article page with a URL text fragment (`#:~:text=start,end`)
 * that browsers scroll to and highlight. Without the exact page URL, the site's home page.
 */
export function passageUrl(article: ArticleMeta, passage: Passage): string {
  if (!article.pageUrl) return article.source.url;
  const words = passage.text.split(/\s+/u).filter(Boolean);
  const range = words.length <= 12 ? [words.join(" ")] : [words.slice(0, 6).join(" "), words.slice(-6).join(" ")];
  return `${article.pageUrl.replace(/#.*$/u, "")}#:~:text=${range.map(encodeTextFragment).join(",")}`;
}

/** Text fragment syntax reserves "-", "," and "&": they must be percent-encoded inside a term. */
export function encodeTextFragment(text: string): string {
  return encodeURIComponent(text).replace(/-/g, "%2D");
}

export function sectionOf(article: ArticleMeta, passage: Passage): InterviewSection | undefined {
  return passage.sectionIndex === undefined ? undefined : article.sections[passage.sectionIndex - 1];
}
