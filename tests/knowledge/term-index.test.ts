import { describe, expect, it } from "vitest";
import { IMPACT_LIST_MIN, IMPACT_PREFIX, TermIndex, hashTerms, termHash } from "../../src/knowledge/term-index.js";

/** A folded text's terms, spelled out: its syllables and its pairs of neighbouring syllables. */
function termsOf(folded: string): string[] {
  const words = folded.split(" ").filter(Boolean);
  return [...words, ...words.slice(1).map((word, i) => `${words[i]} ${word}`)];
}

/** BM25 of one document for some terms, computed directly from the texts. */
function bm25(texts: readonly string[], doc: number, terms: readonly string[]): number {
  const lengths = texts.map((t) => (termsOf(t).length + 1) >> 1);
  const average = lengths.reduce((a, b) => a + b, 0) / texts.length;
  let score = 0;
  for (const term of terms) {
    const df = texts.filter((t) => termsOf(t).includes(term)).length;
    const tf = termsOf(texts[doc]!).filter((t) => t === term).length;
    if (tf === 0) continue;
    const idf = Math.log(1 + (texts.length - df + 0.5) / (df + 0.5));
    const norm = 1 - 0.75 + (0.75 * lengths[doc]!) / average;
    score += (idf * tf * 2.2) / (tf + 1.2 * norm);
  }
  return score;
}

// A common syllable in far more documents than a long list's front; where it weighs most (said
// three times in a short passage) is at the end of the archive, where document order would never reach.
const COMMON = IMPACT_LIST_MIN * 2;
const texts = Array.from({ length: COMMON + 50 }, (_, i) => {
  if (i >= COMMON) return `chung chung chung muc ${i}`;
  if (i === 10) return `chung hiem dong mot cau dai hon binh thuong nhieu chu`;
  return `chung van ban so ${i} co them vai chu cho du dai`;
});
const index = TermIndex.build(texts);

describe("TermIndex", () => {
  it("hashes a text's syllables and pairs as the search hashes each term", () => {
    for (const text of [" kho khan  han che ", "a", "", "   ", " 31945 ha lua 中文 "]) {
      const out = new Uint32Array(text.length * 2 + 2);
      const { terms, words } = hashTerms(text, out);
      expect([...out.subarray(0, terms)].sort()).toEqual(termsOf(text).map(termHash).sort());
      expect(words).toBe(text.split(" ").filter(Boolean).length);
    }
  });

  it("a question of common syllables finds where they weigh most, not the first documents", () => {
    const found = index.search(["chung"], { limit: 5 });
    expect(found.map((f) => f.doc).every((doc) => doc >= COMMON)).toBe(true);
  });

  it("a common term beyond a long list's front still counts, exactly, for the candidates a rare term nominates", () => {
    const [top] = index.search(["hiem", "chung"], { limit: 1 });
    expect(top?.doc).toBe(10);
    expect(top?.score).toBeCloseTo(bm25(texts, 10, ["hiem", "chung"]), 9);
  });

  it("a common term left unread by the budget still counts exactly, found in its front or in its rest", () => {
    for (const [doc, rare] of [[10, "hiem"], [COMMON + 3, "muc"]] as const) {
      const hit = index.search([rare, "chung"], { limit: 100, seedPostings: 1 }).find((f) => f.doc === doc);
      expect(hit?.score).toBeCloseTo(bm25(texts, doc, [rare, "chung"]), 9);
    }
  });

  it("scores are BM25 for documents read in full and in part", () => {
    for (const doc of [COMMON + 3, 10]) {
      const terms = ["chung", doc === 10 ? "hiem" : "muc"];
      const hit = index.search(terms, { limit: 100 }).find((f) => f.doc === doc);
      expect(hit?.score).toBeCloseTo(bm25(texts, doc, terms), 9);
    }
  });

  it("reads only the front of a long list, whatever the archive's size", () => {
    expect(index.documentFrequency("chung")).toBe(texts.length);
    const nominated = index.search(["chung"], { limit: texts.length, shortlist: texts.length });
    expect(nominated).toHaveLength(IMPACT_PREFIX);
  });
});
