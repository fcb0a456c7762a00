/**
 * Parses an article file as the newspaper publishes it:
 *
 *   Thứ Bảy, 23/11/2024                      ← date line (weekday optional)
 *   Sóc Trăng: <title>                        ← title line, optional place prefix
 *                                             ← blank lines separate paragraphs
 *   <lead paragraphs>                         ← optional, before the first question
 *   Phóng viên: <question>                    ← a question of the interview
 *   Đồng chí Dương Sà Kha: <answer>           ← "<name>:" starts the answer …
 *   <answer continues>                        ← … unlabelled paragraphs continue it
 *   Phóng viên: Xin cảm ơn …                  ← a last question with no answer: closing, not content
 *   (baosoctrang.org.vn)                      ← source mark; "(https://…/page.html)" gives the page URL
 *   Gửi cho bạn bè / Các tin khác             ← page furniture after the source mark: ignored
 *
 * A plain news article has no "Phóng viên:" paragraph: its paragraphs are its passages.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import type { Article, InterviewSection, Passage } from "./article.js";
import { clip } from "../text.js";
import { isArticleFurniture } from "./page-furniture.js";
import { foldPhrase } from "./vietnamese.js";

/** A problem with one article file, located by file and line so an editor can fix it. */
export class ArticleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "ArticleError";
  }
}

interface Paragraph {
  readonly text: string;
  readonly line: number;
}

const DATE_LINE = /^(?:[^\d,]{1,20},\s*)?(\d{1,2})\/(\d{1,2})\/(\d{4})$/u;
const QUESTION_LABEL = /^(Phóng viên|PV|P\.V\.?)\s*:\s*(.*)$/iu;
const LABEL = /^([^:.!?;\d]{2,60}):\s*(.+)$/su;
const SOURCE_MARK = /^\((https?:\/\/[^\s()]+|[\p{L}\d-]+(?:\.[\p{L}\d-]+)+)\)$/iu;
/** A line quoted in an error message is cut to this length. */
const QUOTED_LINE = 60;

/** Parses one article file. Throws ArticleError naming the file and line on bad input. */
export function parseArticle(bytes: Uint8Array, file: string): Article {
  const text = decodeUtf8(bytes, file);
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  // The header is two lines (date, then title), with or without blank lines between them.
  const [dateLine, titleLine] = nonEmptyLines(lines, 2);
  if (!dateLine) throw new ArticleError(file, 1, "the file is empty");
  const date = parseDate(dateLine, file);
  if (!titleLine) throw new ArticleError(file, dateLine.line + 1, "no title line after the date");
  if (QUESTION_LABEL.test(titleLine.text) || SOURCE_MARK.test(titleLine.text)) {
    throw new ArticleError(file, titleLine.line, "expected the title line after the date");
  }
  const titleParagraph = titleLine;
  const body = toParagraphs(lines.slice(titleLine.line), titleLine.line);
  const { place, title } = splitPlace(titleParagraph.text);

  const sourceAt = body.findIndex((p) => SOURCE_MARK.test(p.text));
  if (sourceAt < 0) {
    throw new ArticleError(file, lines.length, 'no source mark such as "(baosoctrang.org.vn)" after the text');
  }
  const mark = SOURCE_MARK.exec(body[sourceAt]!.text)![1]!;
  const content = body.slice(0, sourceAt).filter((p) => !isArticleFurniture(p.text));

  const id = articleId(date, titleParagraph.text);
  const { sections, passages } = splitInterview(content, id, file);
  if (passages.length === 0) throw new ArticleError(file, titleParagraph.line + 1, "the article has no text paragraphs");

  const pageUrl = /^https?:\/\//i.test(mark) ? mark : undefined;
  const host = pageUrl ? new URL(pageUrl).host : mark.toLowerCase();
  return {
    id,
    file,
    title,
    ...(place ? { place } : {}),
    date,
    source: { name: host.replace(/^www\./, ""), url: `https://${host}` },
    ...(pageUrl ? { pageUrl } : {}),
    sections,
    passages,
    contentHash: createHash("sha256").update(bytes).digest("hex"),
  };
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ArticleError(file, lineAt(bytes, nul), "binary data (NUL byte): not a text article");
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // isUtf8 and toString are native: a fatal TextDecoder is several times slower on large folders.
  const text = buffer.toString("utf8");
  if (!isUtf8(buffer)) {
    const lenient = text;
    const bad = lenient.indexOf("\uFFFD");
    const line = lenient.slice(0, Math.max(bad, 0)).split("\n").length;
    throw new ArticleError(file, line, "not valid UTF-8 (save the file as UTF-8)");
  }
  if (text.trim() === "") throw new ArticleError(file, 1, "the file is empty");
  return text;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** Trims a line and turns runs of white space into one space (the regex only where needed: it is the slow part). */
function collapseSpaces(line: string): string {
  const trimmed = line.trim();
  return /\s\s|[^\S ]/.test(trimmed) ? trimmed.replace(/\s+/g, " ") : trimmed;
}

function nonEmptyLines(lines: readonly string[], count: number): Paragraph[] {
  const out: Paragraph[] = [];
  for (let i = 0; i < lines.length && out.length < count; i += 1) {
    const text = collapseSpaces(lines[i]!);
    if (text) out.push({ text, line: i + 1 });
  }
  return out;
}

/** Blank lines separate paragraphs; lines inside a paragraph are joined with a space. */
function toParagraphs(lines: readonly string[], firstLine: number): Paragraph[] {
  const out: Paragraph[] = [];
  let current: string[] = [];
  let start = 0;
  lines.forEach((raw, i) => {
    const line = collapseSpaces(raw);
    if (line) {
      if (current.length === 0) start = firstLine + i + 1;
      current.push(line);
    } else if (current.length > 0) {
      out.push({ text: current.join(" "), line: start });
      current = [];
    }
  });
  if (current.length > 0) out.push({ text: current.join(" "), line: start });
  return out;
}

function parseDate(paragraph: Paragraph, file: string): string {
  const match = DATE_LINE.exec(paragraph.text);
  if (!match) {
    throw new ArticleError(file, paragraph.line, `expected a date line such as "Thứ Bảy, 23/11/2024", found "${clip(paragraph.text, QUOTED_LINE)}"`);
  }
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new ArticleError(file, paragraph.line, `"${clip(paragraph.text, QUOTED_LINE)}" is not a real date`);
  }
  return date.toISOString().slice(0, 10);
}

/** "Sóc Trăng: Phong trào …" → place "Sóc Trăng". A prefix is a short run of capitalised words. */
function splitPlace(line: string): { place?: string; title: string } {
  const match = /^([^:]{2,40}):\s+(.+)$/u.exec(line);
  if (match) {
    const words = match[1]!.trim().split(/\s+/u);
    if (words.length <= 5 && words.every((w) => /^\p{Lu}/u.test(w))) return { place: match[1]!.trim(), title: match[2]! };
  }
  return { title: line };
}

// How a paragraph of the body reads: the writer (format-article.ts) asks, so that what it writes
// reads back as the same article.

/** Whether a paragraph asks an interview question ("Phóng viên: …"). */
export function isQuestionParagraph(text: string): boolean {
  return QUESTION_LABEL.test(text);
}

/** Whether a paragraph is the source mark that ends the article text ("(baosoctrang.org.vn)"). */
export function isSourceMark(text: string): boolean {
  return SOURCE_MARK.test(text);
}

/** A speaker label: a short name whose last word is capitalised ("Đồng chí Dương Sà Kha", "Ông Tư"). */
export function speakerLabel(text: string): { label: string; rest: string } | undefined {
  const match = LABEL.exec(text);
  if (!match) return undefined;
  const words = match[1]!.trim().split(/\s+/u);
  if (words.length > 8 || !/^\p{Lu}/u.test(words[0]!) || !/^\p{Lu}/u.test(words[words.length - 1]!)) return undefined;
  return { label: match[1]!.trim(), rest: match[2]!.trim() };
}

/**
 * An article has tens of paragraphs of a few hundred characters; past these it is not one (a page
 * of 250,000 lines, a 9 MB paragraph) and indexing it would hold every answer: it is refused.
 */
export const MAX_PASSAGES = 2_000;
export const MAX_PASSAGE_CHARS = 50_000;

function splitInterview(
  content: readonly Paragraph[],
  articleIdValue: string,
  file: string,
): { sections: InterviewSection[]; passages: Passage[] } {
  if (content.length > MAX_PASSAGES) throw new ArticleError(file, 1, `too many paragraphs for an article (${content.length}, at most ${MAX_PASSAGES})`);
  const long = content.find((p) => p.text.length > MAX_PASSAGE_CHARS);
  if (long) throw new ArticleError(file, long.line, `a paragraph of ${long.text.length} characters is too long for an article (at most ${MAX_PASSAGE_CHARS})`);
  const passages: Passage[] = [];
  const sections: { question: string; asker: string; answerer: string; line: number; passageIds: string[] }[] = [];
  let lastAnswerer: string | undefined;

  for (const paragraph of content) {
    const question = QUESTION_LABEL.exec(paragraph.text);
    if (question) {
      const open = sections[sections.length - 1];
      if (open && open.passageIds.length === 0) {
        throw new ArticleError(file, open.line, "this question has no answer before the next question");
      }
      if (!question[2]) throw new ArticleError(file, paragraph.line, "empty question after the label");
      sections.push({ question: question[2], asker: question[1]!, answerer: "", line: paragraph.line, passageIds: [] });
      continue;
    }
    const section = sections[sections.length - 1];
    let text = paragraph.text;
    if (section) {
      const label = speakerLabel(text);
      if (label) {
        lastAnswerer = label.label;
        text = label.rest;
      }
      if (!section.answerer) {
        if (!lastAnswerer) {
          throw new ArticleError(file, paragraph.line, 'an answer must start with its speaker, e.g. "Đồng chí Dương Sà Kha: …"');
        }
        section.answerer = lastAnswerer;
      }
    }
    const passage: Passage = {
      id: `${articleIdValue}-${passages.length + 1}`,
      articleId: articleIdValue,
      index: passages.length + 1,
      text,
      line: paragraph.line,
      ...(section ? { sectionIndex: sections.length } : {}),
    };
    passages.push(passage);
    section?.passageIds.push(passage.id);
  }

  // A last question nobody answers is the reporter's closing ("Xin cảm ơn …"), not content.
  if (sections.length > 0 && sections[sections.length - 1]!.passageIds.length === 0) sections.pop();
  return {
    sections: sections.map((s, i) => ({ index: i + 1, question: s.question, asker: s.asker, answerer: s.answerer, passageIds: s.passageIds })),
    passages,
  };
}

/** Stable across edits of the body: derived from the date and the folded title only. */
function articleId(date: string, titleLine: string): string {
  const key = `${date}|${foldPhrase(titleLine)}`;
  return createHash("sha256").update(key).digest("hex").slice(0, 10);
}
