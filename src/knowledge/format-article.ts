/**
 * Writes an article file in the format src/knowledge/parse-article.ts reads: the date line with its
 * weekday, the title line, the paragraphs a blank line apart, the source mark. What it writes reads
 * back as the same article: white space inside a paragraph becomes one space (a line break would
 * split it), and an answer paragraph that would read as something else unlabelled (a speaker
 * label, a question, the source mark, furniture) keeps its speaker's label.
 */
import type { Article } from "./article.js";
import { dateLine } from "./dates.js";
import { isQuestionParagraph, isSourceMark, speakerLabel } from "./parse-article.js";
import { isArticleFurniture } from "./page-furniture.js";

/** An article before it has a file: what the web-page extractor, the benches and the tests have. */
export interface ArticleDraft {
  /** ISO day of publication, yyyy-mm-dd. */
  readonly date: string;
  /** The title; a place prefix either in it ("Sóc Trăng: …") or in `place`. */
  readonly title: string;
  readonly place?: string;
  /** The paragraphs in order, interview labels as written ("Phóng viên: …?", "Ông Tư: …"). */
  readonly paragraphs: readonly string[];
  /** The article's own page, written as the source mark so that answers link to it. */
  readonly pageUrl?: string;
  /** Without a page, the site as the source mark, e.g. "baosoctrang.org.vn". */
  readonly site?: string;
}

/** The text of an article file. Throws when a paragraph would read as the source mark (it would end the article there). */
export function formatArticle(article: ArticleDraft | Article): string {
  // A parsed article's page URL was a source mark already; without one, the site's host (www. kept) gives the same source back.
  if ("passages" in article) return write(article, paragraphsOf(article), article.pageUrl ?? new URL(article.source.url).host);
  if (article.pageUrl) return write(article, article.paragraphs, pageUrlMark(article.pageUrl));
  if (article.site) return write(article, article.paragraphs, article.site);
  throw new Error("format-article: an article needs its page URL or its site for the source mark");
}

function write(article: { readonly date: string; readonly title: string; readonly place?: string }, paragraphs: readonly string[], mark: string): string {
  const lines = paragraphs.map(oneLine).filter(Boolean);
  lines.forEach((paragraph, i) => {
    if (isSourceMark(paragraph)) {
      throw new Error(`format-article: paragraph ${i + 1} "${paragraph}" would read as the source mark and end the article; leave it out`);
    }
  });
  const title = oneLine(article.place ? `${article.place}: ${article.title}` : article.title);
  return [dateLine(article.date), title, "", lines.join("\n\n"), "", `(${mark})`, ""].join("\n");
}

/** A parsed article's paragraphs: its questions and the first paragraph of each answer labelled again. */
function paragraphsOf(article: Article): string[] {
  const paragraphs: string[] = [];
  let section: number | undefined;
  for (const { text, sectionIndex } of article.passages) {
    if (sectionIndex === undefined) {
      paragraphs.push(text);
      continue;
    }
    const { asker, question, answerer } = article.sections[sectionIndex - 1]!;
    const first = sectionIndex !== section;
    if (first) paragraphs.push(`${asker}: ${question}`);
    section = sectionIndex;
    paragraphs.push(first || readsAsMoreThanText(text) ? `${answerer}: ${text}` : text);
  }
  return paragraphs;
}

/** An unlabelled paragraph of an answer the parser would not read as plain text of that answer. */
function readsAsMoreThanText(text: string): boolean {
  return speakerLabel(text) !== undefined || isQuestionParagraph(text) || isSourceMark(text) || isArticleFurniture(text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

/** A page URL as a source mark allows it: no spaces, no parentheses, no fragment. */
function pageUrlMark(url: string): string {
  let href = url.replace(/#.*$/u, "");
  try {
    href = new URL(href).href;
  } catch {
    // kept as given: the parser reports a bad mark with its line
  }
  return href.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/\s/g, "%20");
}
