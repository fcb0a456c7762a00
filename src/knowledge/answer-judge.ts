/**
 * The judgement of an answer: which of a question's concepts a candidate passage holds, how well
 * it ranks, whether it holds the kind of answer asked for, and — over the best candidates — how
 * sure the knowledge base is (three tiers: confident, related, declined). Retrieval is elsewhere
 * (search-index.ts); this file holds no index, only the reading of one passage at a time.
 */
import { ANSWER_KINDS, type AnswerKinds } from "./answer-kinds.js";
import type { AnalyzedQuery, Concept, Expectation } from "./query.js";
import { foldedSyllables } from "./vietnamese.js";

/**
 * How answers are judged. Each default was chosen with `npm run eval` over the development sets
 * (docs/answer-quality.md); the figures it prints per tier are what moved them.
 */
export interface JudgeOptions {
  /**
   * Share of the question's concepts (weighted by smoothed inverse document frequency) that the
   * best passage and its context (interview question, speaker, title) must hold for a confident
   * answer. Default 0.7.
   */
  readonly confidentCoverage: number;
  /**
   * For a question asking a kind of answer (a figure, a date, a person, a place …): the share a
   * sentence holding that answer must hold, with the sentence before it and the context, for a
   * confident answer. The figure and what it measures belong together. Default 0.85.
   */
  readonly confidentSentenceCoverage: number;
  /**
   * Below this share a passage is not even shown as related; a related passage must also hold
   * the question's most telling concept. Default 0.4.
   */
  readonly relatedCoverage: number;
  /**
   * The question's most telling concept (its highest weight) may be missing from a related
   * passage only when its weight is at most this share of all the weights. Default 0.5.
   */
  readonly rarestMayMiss: number;
  /**
   * A confident answer holds every number the question names ("năm 2030", "Quốc lộ 60"): a
   * figure is the most specific word there is, and one the passage lacks is another fact. Default true.
   */
  readonly numbersHeld: boolean;
  /** Related passages shown when unsure. Default 3. */
  readonly relatedLimit: number;
  /** Credit for a syllable typed with tone marks that the passage has with other ones ("đấu"/"đầu"). Default 0.4. */
  readonly wrongToneCredit: number;
}

/**
 * Chosen with `npm run eval` on the development sets: among the settings that keep confident
 * wrong answers and confident answers to out-of-scope questions low, the one answering the most
 * questions confidently and right (docs/answer-quality.md).
 */
export const DEFAULT_JUDGE_OPTIONS: JudgeOptions = {
  confidentCoverage: 0.7,
  confidentSentenceCoverage: 0.85,
  relatedCoverage: 0.4,
  rarestMayMiss: 0.5,
  numbersHeld: true,
  relatedLimit: 3,
  wrongToneCredit: 0.4,
};

/** What the tier is decided from: the best passage's judgement and how it stands. */
export interface Standing {
  readonly best: Judgement;
  /** The share its answering sentence holds (0 when it lacks the kind of answer asked for). */
  readonly sentenceCoverage: number;
  readonly asksKind: boolean;
}

/** Everything the judge needs of a passage: its words folded and toned, and its context's. */
export interface JudgedPassage {
  readonly passage: { readonly text: string };
  /** Folded syllables, space-padded (" a b c "). */
  readonly folded: string;
  readonly context: { readonly folded: string; readonly canonical: string };
}

/** Per concept of a question: sharp weights rank passages, smoothed ones decide answerability. */
export interface ConceptWeights {
  readonly rank: readonly number[];
  readonly answer: readonly number[];
  /** Concepts no passage of the archive has (and that count: not a chance pair of syllables). */
  readonly unknown: readonly boolean[];
}

export interface Judgement {
  readonly score: number;
  /** Share of the question's concepts found in the passage and its context, 0–1. */
  readonly coverage: number;
  /** Whether the passage holds the kind of answer asked for (true when none is asked). */
  readonly kindHeld: boolean;
  /** Whether the question's most telling concept is found (or may be missed). */
  readonly rarestHeld: boolean;
  /** The question's concepts (indexes) the passage and its context lack. */
  readonly missing: readonly number[];
  /** How many of the missing concepts no passage of the archive has: words it never uses. */
  readonly unknownMissing: number;
  /** Whether a number of the question is missing. */
  readonly numberMissing: boolean;
}

/** A question made ready to check many candidates: phrases joined once. */
export interface PreparedQuery {
  readonly concepts: readonly { readonly optional: boolean; readonly number: boolean; readonly phrases: readonly PreparedPhrase[] }[];
  readonly expects?: Expectation;
}

interface PreparedPhrase {
  /** "kho khan" */
  readonly folded: string;
  /** "khó khăn", when typed with tones. */
  readonly exact: string | null;
}

export function prepare(analysis: AnalyzedQuery): PreparedQuery {
  const concepts = analysis.concepts.map((c: Concept) => ({
    optional: c.optional,
    number: c.phrases.length === 1 && c.phrases[0]!.folded.length === 1 && /^\d+$/.test(c.phrases[0]!.folded[0]!),
    phrases: c.phrases.map((p) => ({ folded: p.folded.join(" "), exact: p.exact ? p.exact.join(" ") : null })),
  }));
  return analysis.expects ? { concepts, expects: analysis.expects } : { concepts };
}

export type Tier = "confident" | "related" | "none";

export class AnswerJudge {
  readonly options: JudgeOptions;

  constructor(
    options: Partial<JudgeOptions> = {},
    private readonly kinds: AnswerKinds = ANSWER_KINDS,
  ) {
    this.options = { ...DEFAULT_JUDGE_OPTIONS, ...options };
  }

  /**
   * Re-reads one candidate: which concepts it has, and a score that favours complete, exact
   * matches. `canonicalText` gives the passage with its tone marks, built only when needed.
   */
  judge(entry: JudgedPassage, fullTextScore: number, query: PreparedQuery, weights: ConceptWeights, canonicalText: () => string): Judgement | undefined {
    const rank = { wanted: 0, found: 0 };
    const answer = { wanted: 0, found: 0 };
    let rarest = -1;
    let rarestWeight = 0;
    let rarestFound = true;
    const missing: number[] = [];
    query.concepts.forEach((concept, i) => {
      const credit = this.conceptCredit(entry, concept.phrases, canonicalText);
      if (concept.optional && credit === 0) return;
      if (credit === 0) missing.push(i);
      rank.wanted += weights.rank[i]!;
      rank.found += credit * weights.rank[i]!;
      answer.wanted += weights.answer[i]!;
      answer.found += credit * weights.answer[i]!;
      if (!concept.optional && weights.answer[i]! > rarestWeight) {
        rarest = i;
        rarestWeight = weights.answer[i]!;
        rarestFound = credit > 0;
      }
    });
    if (answer.wanted === 0) return undefined;
    const coverage = answer.found / answer.wanted;
    const kindHeld = !query.expects || this.kinds.satisfies(entry.passage.text, entry.folded, query.expects);
    // How much of the question the passage and its context hold decides the order, by both
    // weights: the smoothed one keeps the article's topic words in the count, the sharp one lets a
    // rare word decide among passages of one article. The full-text score (term frequency, length)
    // orders passages that hold it alike; a passage without the kind of answer asked for goes
    // below those with it.
    const sharp = rank.wanted ? rank.found / rank.wanted : 0;
    const score = coverage * sharp * Math.sqrt(fullTextScore) * (kindHeld ? 1 : 0.5);
    const rarestHeld = rarest < 0 || rarestFound || rarestWeight <= this.options.rarestMayMiss * answer.wanted;
    const unknownMissing = missing.filter((i) => weights.unknown[i] && weights.answer[i]! > 0).length;
    const numberMissing = missing.some((i) => query.concepts[i]!.number);
    return { score, coverage, kindHeld, rarestHeld, missing, unknownMissing, numberMissing };
  }

  /** How sure the knowledge base is of its best passage. */
  tier(standing: Standing | undefined): Tier {
    if (!standing) return "none";
    const { best } = standing;
    const o = this.options;
    if (
      best.coverage >= o.confidentCoverage &&
      best.kindHeld &&
      !(o.numbersHeld && best.numberMissing) &&
      (!standing.asksKind || standing.sentenceCoverage >= o.confidentSentenceCoverage)
    ) {
      return "confident";
    }
    if (best.coverage >= o.relatedCoverage && best.rarestHeld) return "related";
    return "none";
  }

  /** 1 when a phrase of the concept is there (in the text or the context) as typed, less when only without its tone marks. */
  private conceptCredit(entry: JudgedPassage, phrases: readonly PreparedPhrase[], canonicalText: () => string): number {
    let credit = 0;
    for (const phrase of phrases) {
      if (containsPhrase(entry.folded, phrase.folded)) credit = Math.max(credit, this.toneCredit(phrase, canonicalText));
      if (credit < 1 && containsPhrase(entry.context.folded, phrase.folded)) credit = Math.max(credit, this.toneCredit(phrase, () => entry.context.canonical));
      if (credit === 1) break;
    }
    return credit;
  }

  /** The canonical text is read only when the user typed tone marks. */
  private toneCredit(phrase: PreparedPhrase, canonical: () => string): number {
    if (!phrase.exact) return 1;
    return containsPhrase(canonical(), phrase.exact) ? 1 : this.options.wrongToneCredit;
  }

  /**
   * The sentence (or two) of a passage that answers: the one holding most of the question's
   * concepts (by weight), and for a figure, date or person question one holding such an answer;
   * with the share of the question it holds (with the passage's context), which is what a
   * figure question is judged by: the figure and the thing it measures in one sentence.
   */
  answeringSentence(entry: JudgedPassage, query: PreparedQuery, weights: ConceptWeights): { sentence: string; coverage: number } {
    const sentences = splitSentences(entry.passage.text);
    if (sentences.length <= 1) {
      const kind = !query.expects || this.kinds.satisfies(entry.passage.text, entry.folded, query.expects);
      return { sentence: entry.passage.text, coverage: kind ? this.share(query, weights, [entry.folded, entry.context.folded]) : 0 };
    }
    const folded = sentences.map((sentence) => ` ${foldedSyllables(sentence).join(" ")} `);
    let best = { at: 0, score: -1 };
    let coverage = 0;
    for (let i = 0; i < sentences.length; i += 1) {
      let found = 0;
      query.concepts.forEach((concept, c) => {
        if (concept.phrases.some((p) => containsPhrase(folded[i]!, p.folded))) found += weights.rank[c]! + 0.05;
      });
      const kind = query.expects && this.kinds.satisfies(sentences[i]!, folded[i]!, query.expects) ? 1 : 0;
      // The kind of answer asked for outweighs a word more; an earlier sentence wins a tie.
      const score = found * (1 + kind) + kind;
      if (score > best.score) best = { at: i, score };
      // What it holds with the sentence before it (which often names what the figure measures) and the context.
      if (!query.expects || kind) coverage = Math.max(coverage, this.share(query, weights, [folded[i]!, folded[i - 1] ?? "", entry.context.folded]));
    }
    const first = sentences[best.at]!;
    // A very short sentence ("Cụ thể:") reads better with the one after it.
    const sentence = first.length < 60 && best.at + 1 < sentences.length ? `${first} ${sentences[best.at + 1]}` : first;
    return { sentence, coverage };
  }

  /** The question's share (smoothed weights) held by any of the folded texts. */
  private share(query: PreparedQuery, weights: ConceptWeights, texts: readonly string[]): number {
    let wanted = 0;
    let found = 0;
    query.concepts.forEach((concept, c) => {
      const held = concept.phrases.some((p) => texts.some((t) => containsPhrase(t, p.folded)));
      if (concept.optional && !held) return;
      wanted += weights.answer[c]!;
      if (held) found += weights.answer[c]!;
    });
    return wanted ? found / wanted : 0;
  }
}

/** Splits a paragraph into sentences: after ".", "!", "?", "…" or ":" followed by a capital or digit. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…;])\s+(?=["“(\p{Lu}\d])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Whether a space-padded text holds the phrase as whole syllables. Three times faster than
 * includes(" phrase "): a search for a leading space stops at every word.
 */
export function containsPhrase(paddedText: string, phrase: string): boolean {
  if (!phrase) return false; // indexOf("") finds it everywhere, forever
  for (let at = paddedText.indexOf(phrase); at >= 0; at = paddedText.indexOf(phrase, at + 1)) {
    if (paddedText.charCodeAt(at - 1) === SPACE && paddedText.charCodeAt(at + phrase.length) === SPACE) return true;
  }
  return false;
}

const SPACE = 0x20;
