/**
 * A compact, immutable inverted index over folded syllables and syllable pairs, with BM25 top-k
 * retrieval. Built for a newspaper's decade (~1M passages) within a small heap: postings are
 * typed arrays (5 bytes each) in one block per term, terms are 32-bit hashes in an open-addressing
 * table, so no per-term or per-posting JavaScript objects exist.
 *
 * A long postings list (a common syllable: "của", "và") starts with its highest-impact postings
 * (the documents where the term weighs most, by BM25's term-frequency part), so a question made
 * only of common syllables reads a fixed number of postings, not a share of the whole archive.
 *
 * A hash collision only merges two terms' postings; every candidate is re-read by the concept
 * check (search-index.ts), so a collision can cost a little speed, never a wrong answer.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 32;

/** FNV-1a over UTF-16 units; never 0 (0 marks an empty slot). */
export function termHash(term: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < term.length; i += 1) {
    hash ^= term.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0 || 1;
}

/**
 * The hashes of a folded text's terms, its syllables and its pairs of neighbouring syllables
 * ("kho khan" → kho, khan, "kho khan"), written into `out` (at least twice the text's length),
 * without making the terms: a pair's hash continues from its first word's state over " " and the
 * second word. Returns how many terms and words the text has.
 */
export function hashTerms(folded: string, out: Uint32Array): { terms: number; words: number } {
  let terms = 0;
  let words = 0;
  let previous = 0; // FNV state after the previous word (its hash before finishing)
  let i = 0;
  while (i < folded.length) {
    if (folded.charCodeAt(i) === SPACE) {
      i += 1;
      continue;
    }
    const start = i;
    let word = FNV_OFFSET;
    while (i < folded.length && folded.charCodeAt(i) !== SPACE) {
      word = Math.imul(word ^ folded.charCodeAt(i), FNV_PRIME);
      i += 1;
    }
    out[terms++] = word >>> 0 || 1;
    if (words > 0) {
      let pair = Math.imul(previous ^ SPACE, FNV_PRIME);
      for (let k = start; k < i; k += 1) pair = Math.imul(pair ^ folded.charCodeAt(k), FNV_PRIME);
      out[terms++] = pair >>> 0 || 1;
    }
    previous = word;
    words += 1;
  }
  return { terms, words };
}

/** The arrays of an index: what a cache file stores. */
export interface TermIndexData {
  /** Open-addressing table (linear probing, at most 3/4 full): term number + 1 per slot, 0 = empty. */
  readonly slots: Uint32Array;
  /** The hash of each term, by term number. */
  readonly termHashes: Uint32Array;
  /** Postings of term t are positions offsets[t] … offsets[t + 1] - 1 of docs and tfs. */
  readonly offsets: Uint32Array;
  /**
   * Document numbers. Ascending within each term, except in lists longer than IMPACT_LIST_MIN:
   * there the IMPACT_PREFIX highest-impact postings come first (ascending among themselves),
   * then the others (ascending).
   */
  readonly docs: Uint32Array;
  /** Term frequency in the document (capped at MAX_TF). */
  readonly tfs: Uint8Array;
  /** Length of each document in syllables. */
  readonly lengths: Uint16Array;
}

export interface SearchOptions {
  readonly limit: number;
  /** Postings read to nominate candidates (the rarest terms'). */
  readonly seedPostings?: number;
  /** Candidates scored with the commoner terms. */
  readonly shortlist?: number;
  /** Documents and document frequency over all segments, for IDF. */
  readonly idfDocuments?: number;
  readonly dfOf?: (term: string) => number;
  /** Multiplies every score (a field's weight). */
  readonly boost?: number;
}

/**
 * Term frequency is kept up to this (one byte a posting): past a few dozen, BM25 gives a term no
 * more weight anyway.
 */
const MAX_TF = 255;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** Lists longer than this are impact-ordered in front and only their front is read to nominate candidates. */
export const IMPACT_LIST_MIN = 4096;
/** The front of a long list: its highest-impact postings. */
export const IMPACT_PREFIX = 1024;

export class TermIndex {
  readonly documentCount: number;
  private readonly averageLength: number;
  private readonly mask: number;
  /** Scores per document during one search, reset after it (searches are synchronous). */
  private accumulator: Float64Array | undefined;

  private constructor(readonly data: TermIndexData) {
    this.documentCount = data.lengths.length;
    this.averageLength = averageOf(data.lengths);
    this.mask = data.slots.length - 1;
  }

  static fromData(data: TermIndexData): TermIndex {
    return new TermIndex(data);
  }

  /** Indexes documents given as folded texts; document numbers are their positions. */
  static build(foldedTexts: readonly string[]): TermIndex {
    // Pass 1: (hash, doc, tf) triples, in document order; terms are hashed straight from the
    // text, never cut out as strings (at 1M passages those strings kept the collector busy).
    let hashes = new Uint32Array(1 << 16);
    let docs = new Uint32Array(1 << 16);
    let tfs = new Uint8Array(1 << 16);
    let size = 0;
    const lengths = new Uint16Array(foldedTexts.length);
    let scratch = new Uint32Array(1 << 10);
    foldedTexts.forEach((text, doc) => {
      if (text.length * 2 > scratch.length) scratch = new Uint32Array(text.length * 2);
      const { terms, words } = hashTerms(text, scratch);
      lengths[doc] = Math.min(65_535, words);
      const sorted = scratch.subarray(0, terms).sort();
      if (size + terms > hashes.length) {
        const capacity = Math.max(hashes.length * 2, size + terms);
        hashes = grow(hashes, capacity);
        docs = grow(docs, capacity);
        tfs = grow(tfs, capacity);
      }
      for (let i = 0; i < terms; ) {
        let j = i + 1;
        while (j < terms && sorted[j] === sorted[i]) j += 1;
        hashes[size] = sorted[i]!;
        docs[size] = doc;
        tfs[size] = Math.min(MAX_TF, j - i);
        size += 1;
        i = j;
      }
    });

    // Pass 2: number the distinct terms in a hash table (kept at most half full), count postings.
    const table = new HashTable();
    const termOf = new Uint32Array(size);
    let counts = new Uint32Array(1 << 12);
    for (let i = 0; i < size; i += 1) {
      const term = table.intern(hashes[i]!);
      if (term >= counts.length) counts = grow(counts, counts.length * 2);
      termOf[i] = term;
      counts[term]! += 1;
    }
    const termCount = table.size;

    // Pass 3: lay postings out term by term (a counting sort keeps document order within a term).
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t += 1) offsets[t + 1] = offsets[t]! + counts[t]!;
    const cursor = offsets.slice(0, termCount);
    const postingDocs = new Uint32Array(size);
    const postingTfs = new Uint8Array(size);
    for (let i = 0; i < size; i += 1) {
      const at = cursor[termOf[i]!]!++;
      postingDocs[at] = docs[i]!;
      postingTfs[at] = tfs[i]!;
    }
    // Pass 4: the highest-impact postings of each long list to its front.
    const averageLength = averageOf(lengths);
    for (let t = 0; t < termCount; t += 1) {
      if (offsets[t + 1]! - offsets[t]! > IMPACT_LIST_MIN) impactOrder(postingDocs, postingTfs, offsets[t]!, offsets[t + 1]!, lengths, averageLength);
    }
    const termHashes = table.termHashes();
    return new TermIndex({ slots: lookupSlots(termHashes), termHashes, offsets, docs: postingDocs, tfs: postingTfs, lengths });
  }

  /** The postings range of a term, or undefined when no document has it. */
  private range(term: string): [number, number] | undefined {
    const hash = termHash(term);
    let slot = hash & this.mask;
    const { slots, termHashes, offsets } = this.data;
    for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
      const t = entry - 1;
      if (termHashes[t] === hash) return [offsets[t]!, offsets[t + 1]!];
      slot = (slot + 1) & this.mask;
    }
    return undefined;
  }

  /** How many documents contain the term. */
  documentFrequency(term: string): number {
    const range = this.range(term);
    return range ? range[1] - range[0] : 0;
  }

  /**
   * The best documents for a set of terms (OR), by BM25, at most `limit`, best first.
   *
   * Pruned for speed: terms are taken rarest first and the rarest ones, up to `seedPostings`
   * postings in all, nominate the candidates (of a long list, only its high-impact front); the
   * commoner terms ("có", "của" …) and the unread rest of long lists only add to the scores of the
   * best `shortlist` candidates (found by binary search), never nominate new ones. A passage that
   * shares nothing but common syllables with a question would not answer it.
   */
  search(terms: readonly string[], options: SearchOptions): { doc: number; score: number }[] {
    const n = options.idfDocuments ?? this.documentCount;
    const boost = options.boost ?? 1;
    const found = terms
      .map((term) => ({ term, range: this.range(term) }))
      .filter((t): t is { term: string; range: [number, number] } => t.range !== undefined)
      .map((t) => {
        const df = t.range[1] - t.range[0];
        const globalDf = Math.max(df, options.dfOf?.(t.term) ?? df);
        return { range: t.range, df, idf: boost * Math.log(1 + (n - globalDf + 0.5) / (globalDf + 0.5)) };
      })
      .sort((a, b) => a.df - b.df);
    const scores = (this.accumulator ??= new Float64Array(this.documentCount));
    const touched: number[] = [];
    const { docs, tfs } = this.data;
    // Postings not read while seeding, each [from, to, idf] ascending by document: scored for the shortlist only.
    const unread: [number, number, number][] = [];
    let seeded = 0;
    for (const { range, df, idf } of found) {
      const front = df > IMPACT_LIST_MIN ? IMPACT_PREFIX : df;
      if (touched.length > 0 && seeded + front > (options.seedPostings ?? 3000)) {
        // A long list is two ascending runs: its front, then the rest.
        if (df > IMPACT_LIST_MIN) unread.push([range[0], range[0] + IMPACT_PREFIX, idf], [range[0] + IMPACT_PREFIX, range[1], idf]);
        else unread.push([range[0], range[1], idf]);
        continue;
      }
      for (let i = range[0]; i < range[0] + front; i += 1) {
        const doc = docs[i]!;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += idf * this.tfWeight(tfs[i]!, doc);
      }
      if (front < df) unread.push([range[0] + front, range[1], idf]);
      seeded += front;
    }
    const shortlist = best(touched, scores, options.shortlist ?? 200);
    // The shortlist in document order, looked up in each run by galloping from the last place found.
    const ascending = Uint32Array.from(shortlist).sort();
    for (const [from, to, idf] of unread) {
      let at = from;
      for (let i = 0; i < ascending.length && at < to; i += 1) {
        const doc = ascending[i]!;
        at = gallop(docs, at, to, doc);
        if (at < to && docs[at] === doc) scores[doc]! += idf * this.tfWeight(tfs[at]!, doc);
      }
    }
    const result = best(shortlist, scores, options.limit).map((doc) => ({ doc, score: scores[doc]! }));
    for (const doc of touched) scores[doc] = 0;
    return result;
  }

  private tfWeight(tf: number, doc: number): number {
    return tfWeight(tf, this.data.lengths[doc]!, this.averageLength);
  }
}

/** BM25's term-frequency part: how much a term weighs in one document. */
function tfWeight(tf: number, length: number, averageLength: number): number {
  const norm = 1 - BM25_B + (BM25_B * length) / averageLength;
  return (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * norm);
}

function averageOf(lengths: Uint16Array): number {
  let total = 0;
  for (const length of lengths) total += length;
  return lengths.length ? total / lengths.length : 1;
}

/**
 * Reorders one term's postings [from, to) (ascending by document) so that the IMPACT_PREFIX with
 * the highest weight come first, ascending among themselves, then the rest, ascending.
 */
function impactOrder(docs: Uint32Array, tfs: Uint8Array, from: number, to: number, lengths: Uint16Array, averageLength: number): void {
  const count = to - from;
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i += 1) weights[i] = tfWeight(tfs[from + i]!, lengths[docs[from + i]!]!, averageLength);
  const threshold = kthLargest(weights.slice(), IMPACT_PREFIX);
  // Above the threshold, then ties at it in document order, until the front is full.
  const inFront = new Uint8Array(count);
  let taken = 0;
  for (let i = 0; i < count; i += 1) {
    if (weights[i]! > threshold) {
      inFront[i] = 1;
      taken += 1;
    }
  }
  for (let i = 0; i < count && taken < IMPACT_PREFIX; i += 1) {
    if (weights[i] === threshold) {
      inFront[i] = 1;
      taken += 1;
    }
  }
  const listDocs = docs.slice(from, to);
  const listTfs = tfs.slice(from, to);
  let front = from;
  let back = from + IMPACT_PREFIX;
  for (let i = 0; i < count; i += 1) {
    const at = inFront[i] ? front++ : back++;
    docs[at] = listDocs[i]!;
    tfs[at] = listTfs[i]!;
  }
}

function grow<T extends Uint32Array | Uint8Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

/** The first position in [from, to) whose document is ≥ doc (to if none): exponential, then binary search. */
function gallop(docs: Uint32Array, from: number, to: number, doc: number): number {
  let step = 1;
  let lo = from;
  while (lo + step < to && docs[lo + step]! < doc) {
    lo += step;
    step *= 2;
  }
  if (docs[lo]! >= doc) return lo;
  let hi = Math.min(lo + step, to);
  lo += 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The `k` documents with the highest scores, best first (ties: lower document first). */
function best(docs: readonly number[], scores: Float64Array, k: number): number[] {
  const order = (a: number, b: number) => scores[b]! - scores[a]! || a - b;
  if (docs.length <= k) return [...docs].sort(order);
  // The k-th highest score by selection (linear), then only the docs at or above it are sorted.
  const values = new Float64Array(docs.length);
  for (let i = 0; i < docs.length; i += 1) values[i] = scores[docs[i]!]!;
  const threshold = kthLargest(values, k);
  const above: number[] = [];
  for (const doc of docs) if (scores[doc]! > threshold) above.push(doc);
  for (let i = 0; i < docs.length && above.length < k; i += 1) if (scores[docs[i]!] === threshold) above.push(docs[i]!);
  return above.sort(order).slice(0, k);
}

/** Hoare's quickselect: the k-th largest value (1-based); reorders `values`. */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i += 1;
      while (values[j]! < pivot) j -= 1;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}

/**
 * The lookup table kept with an index: term numbers by hash in a power-of-two table at most 3/4
 * full, 4 bytes a slot (the hashes live once, by term).
 */
function lookupSlots(termHashes: Uint32Array): Uint32Array {
  let size = 1 << 4;
  while (size * 3 < termHashes.length * 4) size *= 2;
  const slots = new Uint32Array(size);
  const mask = size - 1;
  termHashes.forEach((hash, t) => {
    let slot = hash & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = t + 1;
  });
  return slots;
}

/** Open addressing over 32-bit term hashes while building, doubled when half full. */
class HashTable {
  slotHashes = new Uint32Array(1 << 16);
  slotTerms = new Uint32Array(1 << 16);
  size = 0;

  /** The hash of each term, by term number. */
  termHashes(): Uint32Array {
    const hashes = new Uint32Array(this.size);
    for (let slot = 0; slot < this.slotHashes.length; slot += 1) if (this.slotHashes[slot] !== 0) hashes[this.slotTerms[slot]!] = this.slotHashes[slot]!;
    return hashes;
  }

  /** The term number of a hash, assigning the next one to a new hash. */
  intern(hash: number): number {
    if ((this.size + 1) * 2 > this.slotHashes.length) this.resize();
    const mask = this.slotHashes.length - 1;
    let slot = hash & mask;
    while (this.slotHashes[slot] !== 0) {
      if (this.slotHashes[slot] === hash) return this.slotTerms[slot]!;
      slot = (slot + 1) & mask;
    }
    this.slotHashes[slot] = hash;
    this.slotTerms[slot] = this.size;
    return this.size++;
  }

  private resize(): void {
    const { slotHashes, slotTerms } = this;
    this.slotHashes = new Uint32Array(slotHashes.length * 2);
    this.slotTerms = new Uint32Array(slotTerms.length * 2);
    const mask = this.slotHashes.length - 1;
    for (let i = 0; i < slotHashes.length; i += 1) {
      const hash = slotHashes[i]!;
      if (hash === 0) continue;
      let slot = hash & mask;
      while (this.slotHashes[slot] !== 0) slot = (slot + 1) & mask;
      this.slotHashes[slot] = hash;
      this.slotTerms[slot] = slotTerms[i]!;
    }
  }
}
