/**
 * Articles held compactly, for an archive of a million passages: one small object per article
 * (its head: title, date, sections …) and, per passage, its text and its folded text in two UTF-8
 * byte blobs, its line and section in typed arrays. A passage, or a whole Article, is made when
 * asked for. Per passage this costs its bytes and 14 bytes, where an object per passage cost
 * hundreds, and a cache file restores it without parsing a string per passage.
 */
import type { Article, Passage } from "./article.js";
import { foldedSyllables } from "./vietnamese.js";

/** An article without its passages: what lists, counts and alerts need. */
export type ArticleHead = Omit<Article, "passages"> & { readonly passageCount: number };

/** The store's content as arrays: what a cache file holds. */
export interface StoreData {
  readonly heads: readonly ArticleHead[];
  /** Passage p of the store belongs to the article n with firsts[n] ≤ p < firsts[n + 1]. */
  readonly firsts: Uint32Array;
  /** Passage p's text is bytes textEnds[p - 1] (0 for the first) … textEnds[p] of textBytes. */
  readonly textBytes: Uint8Array;
  readonly textEnds: Uint32Array;
  /** Folded syllables, space-padded (" a b c "), laid out as the texts. */
  readonly foldedBytes: Uint8Array;
  readonly foldedEnds: Uint32Array;
  readonly lines: Uint32Array;
  /** The interview section a passage answers (1-based), 0 for none. */
  readonly sections: Uint16Array;
}

/** " a b c ": padded so that phrase lookups find whole syllables at the ends too. */
export function paddedFolded(text: string): string {
  return ` ${foldedSyllables(text).join(" ")} `;
}

export class ArticleStore {
  private readonly text: Buffer;
  private readonly folded: Buffer;

  private constructor(readonly data: StoreData) {
    this.text = Buffer.from(data.textBytes.buffer, data.textBytes.byteOffset, data.textBytes.byteLength);
    this.folded = Buffer.from(data.foldedBytes.buffer, data.foldedBytes.byteOffset, data.foldedBytes.byteLength);
  }

  static fromData(data: StoreData): ArticleStore {
    return new ArticleStore(data);
  }

  static fromArticles(articles: readonly Article[]): ArticleStore {
    const texts: string[] = [];
    const folded: string[] = [];
    const lines: number[] = [];
    const sections: number[] = [];
    const firsts = new Uint32Array(articles.length + 1);
    const heads = articles.map((article, n): ArticleHead => {
      firsts[n] = texts.length;
      for (const passage of article.passages) {
        texts.push(passage.text);
        folded.push(paddedFolded(passage.text));
        lines.push(passage.line);
        sections.push(passage.sectionIndex ?? 0);
      }
      return headOf(article);
    });
    firsts[articles.length] = texts.length;
    const [textBytes, textEnds] = blob(texts);
    const [foldedBytes, foldedEnds] = blob(folded);
    return new ArticleStore({ heads, firsts, textBytes, textEnds, foldedBytes, foldedEnds, lines: Uint32Array.from(lines), sections: Uint16Array.from(sections) });
  }

  /**
   * One store of the articles of several, in order, copying bytes (nothing is decoded or folded
   * again): what merging segments needs.
   */
  static concat(parts: readonly { store: ArticleStore; keep: (article: number) => boolean }[]): ArticleStore {
    const heads: ArticleHead[] = [];
    const ranges: { store: ArticleStore; from: number; to: number }[] = [];
    for (const { store, keep } of parts) {
      store.data.heads.forEach((head, n) => {
        if (!keep(n)) return;
        heads.push(head);
        ranges.push({ store, from: store.data.firsts[n]!, to: store.data.firsts[n + 1]! });
      });
    }
    const passages = ranges.reduce((sum, r) => sum + r.to - r.from, 0);
    const firsts = new Uint32Array(heads.length + 1);
    const lines = new Uint32Array(passages);
    const sections = new Uint16Array(passages);
    let at = 0;
    ranges.forEach((range, n) => {
      firsts[n] = at;
      lines.set(range.store.data.lines.subarray(range.from, range.to), at);
      sections.set(range.store.data.sections.subarray(range.from, range.to), at);
      at += range.to - range.from;
    });
    firsts[heads.length] = at;
    const joined = (bytesOf: (d: StoreData) => Uint8Array, endsOf: (d: StoreData) => Uint32Array): [Uint8Array, Uint32Array] => {
      const size = ranges.reduce((sum, r) => sum + end(endsOf(r.store.data), r.to - 1) - end(endsOf(r.store.data), r.from - 1), 0);
      const bytes = new Uint8Array(size);
      const ends = new Uint32Array(passages);
      let byte = 0;
      let p = 0;
      for (const { store, from, to } of ranges) {
        const source = endsOf(store.data);
        const start = end(source, from - 1);
        bytes.set(bytesOf(store.data).subarray(start, end(source, to - 1)), byte);
        for (let q = from; q < to; q += 1) ends[p++] = byte + source[q]! - start;
        byte += end(source, to - 1) - start;
      }
      return [bytes, ends];
    };
    const [textBytes, textEnds] = joined((d) => d.textBytes, (d) => d.textEnds);
    const [foldedBytes, foldedEnds] = joined((d) => d.foldedBytes, (d) => d.foldedEnds);
    return new ArticleStore({ heads, firsts, textBytes, textEnds, foldedBytes, foldedEnds, lines, sections });
  }

  get articleCount(): number {
    return this.data.heads.length;
  }

  get passageCount(): number {
    return this.data.lines.length;
  }

  head(article: number): ArticleHead {
    return this.data.heads[article]!;
  }

  /** The passage numbers of an article: first … end - 1. */
  passageRange(article: number): [number, number] {
    return [this.data.firsts[article]!, this.data.firsts[article + 1]!];
  }

  /** The article a passage belongs to (binary search over the articles' first passages). */
  articleOf(passage: number): number {
    const { firsts } = this.data;
    let lo = 0;
    let hi = firsts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (firsts[mid]! <= passage) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  passageText(passage: number): string {
    return this.text.toString("utf8", end(this.data.textEnds, passage - 1), this.data.textEnds[passage]);
  }

  /** Folded syllables, space-padded (" a b c "). */
  foldedText(passage: number): string {
    return this.folded.toString("utf8", end(this.data.foldedEnds, passage - 1), this.data.foldedEnds[passage]);
  }

  section(passage: number): number {
    return this.data.sections[passage]!;
  }

  passage(passage: number, article = this.articleOf(passage)): Passage {
    const head = this.data.heads[article]!;
    const index = passage - this.data.firsts[article]! + 1;
    const section = this.data.sections[passage]!;
    return {
      id: `${head.id}-${index}`,
      articleId: head.id,
      index,
      text: this.passageText(passage),
      line: this.data.lines[passage]!,
      ...(section ? { sectionIndex: section } : {}),
    };
  }

  article(article: number): Article {
    const { passageCount, ...head } = this.data.heads[article]!;
    const first = this.data.firsts[article]!;
    return { ...head, passages: Array.from({ length: passageCount }, (_, i) => this.passage(first + i, article)) };
  }
}

export function headOf(article: Article): ArticleHead {
  const { passages, ...head } = article;
  return { ...head, passageCount: passages.length };
}

/** The end of passage p's bytes (0 before the first). */
function end(ends: Uint32Array, p: number): number {
  return p < 0 ? 0 : ends[p]!;
}

/** Strings as one UTF-8 blob and the end offset of each. */
function blob(strings: readonly string[]): [Uint8Array, Uint32Array] {
  const ends = new Uint32Array(strings.length);
  let size = 0;
  strings.forEach((s, i) => {
    size += Buffer.byteLength(s, "utf8");
    ends[i] = size;
  });
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const s of strings) at += bytes.write(s, at, "utf8");
  return [new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ends];
}
