/**
 * Articles held compactly, for an archive of a million passages: one small object per article
 * (its head: title, date, sections …) and, per passage, its text and its folded text in two UTF-8
 * byte blobs, its line and section in typed arrays. A passage, or a whole Article, is made when
 * asked for. Per passage this costs its bytes and 14 bytes, where an object per passage cost
 * hundreds, and a cache file restores it without parsing a string per passage.
 */
import type { Article, ArticleMeta, Passage } from "./article.js";
import { canonicalSyllables, foldSyllable, foldedSyllables } from "./vietnamese.js";

/** An article without its passages, and how many it has: what lists, counts and quotes need. */
export type ArticleHead = ArticleMeta & { readonly passageCount: number };

/**
 * The store's content as typed arrays, each over a SharedArrayBuffer: a merge worker reads them
 * while answers go on, without a copy.
 */
export interface StoreArrays {
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
  /**
   * The contexts (the words around a passage: its interview question and speaker, the article's
   * place and title), one per article and section: article n's are contextFirsts[n] … contextFirsts[n + 1] - 1.
   */
  readonly contextFirsts: Uint32Array;
  readonly contextSections: Uint16Array;
  /** Folded context texts, space-padded, laid out as the passages' texts. */
  readonly contextBytes: Uint8Array;
  readonly contextEnds: Uint32Array;
  /** The same with their tone marks (canonical syllables), for questions typed with them. */
  readonly contextCanonicalBytes: Uint8Array;
  readonly contextCanonicalEnds: Uint32Array;
}

/** What a cache file holds: the heads (JSON) and the arrays. */
export interface StoreData extends StoreArrays {
  readonly heads: readonly ArticleHead[];
}

/** The words of a passage's context: its interview question and speaker, the article's place and title. */
export function contextWords(head: ArticleMeta, section: number): string {
  const interview = section ? head.sections[section - 1] : undefined;
  return [interview?.question, interview?.answerer, head.place, head.title].filter(Boolean).join(" ");
}

/** " a b c ": padded so that phrase lookups find whole syllables at the ends too. */
export function padded(syllables: readonly string[]): string {
  return ` ${syllables.join(" ")} `;
}

/** A text's folded syllables, padded. */
export function paddedFolded(text: string): string {
  return padded(foldedSyllables(text));
}

/** String i of a blob: UTF-8 bytes, and the end offset of each string. */
export function stringAt(bytes: Buffer, ends: Uint32Array, i: number): string {
  return bytes.toString("utf8", end(ends, i - 1), ends[i]);
}

export class ArticleStore {
  private readonly text: Buffer;
  private readonly folded: Buffer;
  private readonly contextBytes: Buffer;
  private readonly contextCanonical: Buffer;

  private constructor(readonly data: StoreData) {
    this.contextBytes = asBuffer(data.contextBytes);
    this.contextCanonical = asBuffer(data.contextCanonicalBytes);
    this.text = asBuffer(data.textBytes);
    this.folded = asBuffer(data.foldedBytes);
  }

  static fromData(data: StoreData): ArticleStore {
    return new ArticleStore({ ...data, heads: compactHeads(data.heads, false) });
  }

  static fromArticles(articles: readonly Article[]): ArticleStore {
    const texts: string[] = [];
    const folded: string[] = [];
    const lines: number[] = [];
    const sections: number[] = [];
    const firsts = shared(Uint32Array, articles.length + 1);
    const contextFirsts = shared(Uint32Array, articles.length + 1);
    const contextSections: number[] = [];
    const contexts: string[] = [];
    const canonicalContexts: string[] = [];
    const cutHeads = articles.map((article, n): ArticleHead => {
      firsts[n] = texts.length;
      contextFirsts[n] = contexts.length;
      const seen = new Set<number>();
      for (const passage of article.passages) {
        const section = passage.sectionIndex ?? 0;
        texts.push(passage.text);
        folded.push(paddedFolded(passage.text));
        lines.push(passage.line);
        sections.push(section);
        if (seen.has(section)) continue;
        seen.add(section);
        contextSections.push(section);
        const words = canonicalSyllables(contextWords(article, section));
        canonicalContexts.push(padded(words));
        contexts.push(padded(words.map(foldSyllable)));
      }
      return headOf(article);
    });
    firsts[articles.length] = texts.length;
    contextFirsts[articles.length] = contexts.length;
    const [textBytes, textEnds] = blob(texts);
    const [foldedBytes, foldedEnds] = blob(folded);
    const [contextBytes, contextEnds] = blob(contexts);
    const [contextCanonicalBytes, contextCanonicalEnds] = blob(canonicalContexts);
    return new ArticleStore({
      heads: compactHeads(cutHeads),
      firsts,
      textBytes,
      textEnds,
      foldedBytes,
      foldedEnds,
      lines: sharedFrom(Uint32Array, lines),
      sections: sharedFrom(Uint16Array, sections),
      contextFirsts,
      contextSections: sharedFrom(Uint16Array, contextSections),
      contextBytes,
      contextEnds,
      contextCanonicalBytes,
      contextCanonicalEnds,
    });
  }

  /**
   * One store of the articles of several, in order, copying bytes (nothing is decoded or folded
   * again): what merging segments needs.
   */
  static concat(parts: readonly { store: ArticleStore; keep: (article: number) => boolean }[]): ArticleStore {
    const heads = parts.flatMap(({ store, keep }) => store.data.heads.filter((_, n) => keep(n)));
    const arrays = concatArrays(parts.map(({ store, keep }) => ({ arrays: store.data, keep: Uint8Array.from(store.data.heads, (_, n) => (keep(n) ? 1 : 0)) })));
    return new ArticleStore({ ...arrays, heads });
  }

  /** A store of these heads and arrays (a merge worker's result). */
  static fromParts(heads: readonly ArticleHead[], arrays: StoreArrays): ArticleStore {
    return new ArticleStore({ ...arrays, heads });
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
    return lastAtOrBelow(this.data.firsts, passage);
  }

  passageText(passage: number): string {
    return stringAt(this.text, this.data.textEnds, passage);
  }

  /** Folded syllables, space-padded (" a b c "). */
  foldedText(passage: number): string {
    return stringAt(this.folded, this.data.foldedEnds, passage);
  }

  section(passage: number): number {
    return this.data.sections[passage]!;
  }

  /** The article a context belongs to. */
  articleOfContext(context: number): number {
    return lastAtOrBelow(this.data.contextFirsts, context);
  }

  contextSection(context: number): number {
    return this.data.contextSections[context]!;
  }

  /** The context of a passage: folded and with its tone marks, space-padded. */
  passageContext(passage: number, article = this.articleOf(passage)): { folded: string; canonical: string } {
    const section = this.data.sections[passage]!;
    let context = this.data.contextFirsts[article]!;
    while (this.data.contextSections[context] !== section) context += 1;
    return { folded: stringAt(this.contextBytes, this.data.contextEnds, context), canonical: stringAt(this.contextCanonical, this.data.contextCanonicalEnds, context) };
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

/**
 * Heads that hold no more memory than they need: strings copied out of the file texts they were
 * cut from (a substring keeps its whole source alive), and the speakers, labels, places and
 * sources that recur across a decade of articles shared.
 */
function compactHeads(heads: readonly ArticleHead[], cutFromTexts = true): ArticleHead[] {
  const strings = new Map<string, string>();
  const sources = new Map<string, ArticleHead["source"]>();
  const shared = (text: string): string => {
    let known = strings.get(text);
    if (known === undefined) strings.set(text, (known = text));
    return known;
  };
  // Heads read from a cache file's JSON are fresh strings already; parsed from files, they are cut.
  const copies = cutFromTexts ? (JSON.parse(JSON.stringify(heads)) as ArticleHead[]) : heads;
  return copies.map((head) => {
    const sourceKey = `${head.source.name}\n${head.source.url}`;
    let source = sources.get(sourceKey);
    if (!source) sources.set(sourceKey, (source = { name: shared(head.source.name), url: shared(head.source.url) }));
    return {
      ...head,
      ...(head.place === undefined ? {} : { place: shared(head.place) }),
      source,
      sections: head.sections.map((section) => ({ ...section, asker: shared(section.asker), answerer: shared(section.answerer) })),
    };
  });
}

export function headOf(article: Article): ArticleHead {
  const { passages, ...head } = article;
  return { ...head, passageCount: passages.length };
}

/**
 * The arrays of several stores' kept articles, in order: byte ranges copied, offsets shifted.
 * Pure arrays in, arrays out: it runs in the merge worker too.
 */
export function concatArrays(parts: readonly { arrays: StoreArrays; keep: Uint8Array }[]): StoreArrays {
  const ranges: { arrays: StoreArrays; article: number }[] = [];
  for (const { arrays, keep } of parts) for (let n = 0; n < keep.length; n += 1) if (keep[n]) ranges.push({ arrays, article: n });
  const count = (firsts: (a: StoreArrays) => Uint32Array) => ranges.reduce((sum, { arrays, article }) => sum + firsts(arrays)[article + 1]! - firsts(arrays)[article]!, 0);
  const passages = count((a) => a.firsts);
  const contexts = count((a) => a.contextFirsts);
  const firsts = shared(Uint32Array, ranges.length + 1);
  const contextFirsts = shared(Uint32Array, ranges.length + 1);
  const lines = shared(Uint32Array, passages);
  const sections = shared(Uint16Array, passages);
  const contextSections = shared(Uint16Array, contexts);
  let p = 0;
  let c = 0;
  ranges.forEach(({ arrays, article }, n) => {
    firsts[n] = p;
    contextFirsts[n] = c;
    const [from, to] = [arrays.firsts[article]!, arrays.firsts[article + 1]!];
    lines.set(arrays.lines.subarray(from, to), p);
    sections.set(arrays.sections.subarray(from, to), p);
    p += to - from;
    const [cFrom, cTo] = [arrays.contextFirsts[article]!, arrays.contextFirsts[article + 1]!];
    contextSections.set(arrays.contextSections.subarray(cFrom, cTo), c);
    c += cTo - cFrom;
  });
  firsts[ranges.length] = p;
  contextFirsts[ranges.length] = c;
  const joined = (bytesOf: (a: StoreArrays) => Uint8Array, endsOf: (a: StoreArrays) => Uint32Array, firstsOf: (a: StoreArrays) => Uint32Array, total: number): [Uint8Array, Uint32Array] => {
    const spans = ranges.map(({ arrays, article }) => {
      const from = firstsOf(arrays)[article]!;
      const to = firstsOf(arrays)[article + 1]!;
      return { arrays, from, to, start: end(endsOf(arrays), from - 1), stop: end(endsOf(arrays), to - 1) };
    });
    const bytes = shared(Uint8Array, spans.reduce((sum, s) => sum + s.stop - s.start, 0));
    const ends = shared(Uint32Array, total);
    let byte = 0;
    let at = 0;
    for (const { arrays, from, to, start, stop } of spans) {
      bytes.set(bytesOf(arrays).subarray(start, stop), byte);
      const source = endsOf(arrays);
      for (let q = from; q < to; q += 1) ends[at++] = byte + source[q]! - start;
      byte += stop - start;
    }
    return [bytes, ends];
  };
  const [textBytes, textEnds] = joined((a) => a.textBytes, (a) => a.textEnds, (a) => a.firsts, passages);
  const [foldedBytes, foldedEnds] = joined((a) => a.foldedBytes, (a) => a.foldedEnds, (a) => a.firsts, passages);
  const [contextBytes, contextEnds] = joined((a) => a.contextBytes, (a) => a.contextEnds, (a) => a.contextFirsts, contexts);
  const [contextCanonicalBytes, contextCanonicalEnds] = joined((a) => a.contextCanonicalBytes, (a) => a.contextCanonicalEnds, (a) => a.contextFirsts, contexts);
  return { firsts, textBytes, textEnds, foldedBytes, foldedEnds, lines, sections, contextFirsts, contextSections, contextBytes, contextEnds, contextCanonicalBytes, contextCanonicalEnds };
}

/** The bytes as a Buffer, without a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The end of item i's bytes (0 before the first). */
function end(ends: Uint32Array, i: number): number {
  return i < 0 ? 0 : ends[i]!;
}

/** The last n with firsts[n] ≤ value (firsts ascending, firsts[0] = 0). */
function lastAtOrBelow(firsts: Uint32Array, value: number): number {
  let lo = 0;
  let hi = firsts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (firsts[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

type ArrayOf<T> = new (buffer: SharedArrayBuffer) => T;

/** A typed array over a SharedArrayBuffer. */
export function shared<T extends Uint8Array | Uint16Array | Uint32Array>(type: ArrayOf<T> & { BYTES_PER_ELEMENT: number }, length: number): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT));
}

function sharedFrom<T extends Uint16Array | Uint32Array>(type: ArrayOf<T> & { BYTES_PER_ELEMENT: number }, values: readonly number[]): T {
  const array = shared(type, values.length);
  array.set(values);
  return array;
}

/** Strings as one UTF-8 blob and the end offset of each. */
function blob(strings: readonly string[]): [Uint8Array, Uint32Array] {
  const ends = shared(Uint32Array, strings.length);
  let size = 0;
  strings.forEach((s, i) => {
    size += Buffer.byteLength(s, "utf8");
    ends[i] = size;
  });
  const bytes = shared(Uint8Array, size);
  const writer = Buffer.from(bytes.buffer);
  let at = 0;
  for (const s of strings) at += writer.write(s, at, "utf8");
  return [bytes, ends];
}
