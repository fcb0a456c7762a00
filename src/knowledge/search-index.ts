/**
 * The searchable knowledge base: minisearch (BM25) finds candidate passages by folded syllables
 * and syllable pairs; a second pass checks which of the question's concepts each candidate really
 * contains (tone marks included) and decides whether the knowledge base answers the question.
 */
import MiniSearch, { type Options } from "minisearch";
import { type Article, type InterviewSection, type Passage, sectionOf } from "./article.js";
import { type AnalyzedQuery, type Concept, type Expectation, type Phrase, analyzeQuery } from "./query.js";
import { canonicalSyllables, foldSyllable } from "./vietnamese.js";

/**
 * The share of a question's concepts (syllables, syllable pairs, English words; weighted by smoothed
 * inverse document frequency) that the best passage and its context (interview question, speaker,
 * title) must hold for the question to count as answered.
 *
 * Chosen from data with `npm run eval -- eval/dev.jsonl eval/questions.jsonl eval/holdout.jsonl`:
 * correctly answered in-scope questions reach 0.62–1.0 (most above 0.8: they reuse the article's
 * words or a translation of them); out-of-scope ones (weather, prices, sport, greetings, other
 * topics sharing a word or two with the article, such as "population of Soc Trang") reach at most
 * 0.43. 0.6 sits in that gap; questions asking "how many" or "when" must also find a figure of
 * the thing counted or a date (see Expectation).
 */
export const ANSWER_THRESHOLD = 0.6;

/** Credit for a syllable typed with tone marks that the passage has with other ones ("đấu"/"đầu"). */
const WRONG_TONE_CREDIT = 0.4;
/** How many full-text candidates the concept check re-reads; deeper ones never win. */
const CANDIDATES = 40;
const DEFAULT_LIMIT = 5;
/**
 * A person's name: a form of address or a common family name followed by capitalised syllables
 * ("đồng chí Dương Sà Kha", "ông Tư", "Nguyễn Văn A").
 */
const PERSON_NAME =
  /(?:\b(?:[ôÔ]ng|[bB]à|[aA]nh|[cC]hị|[đĐ]ồng chí|[đĐ]\/c)\s+\p{Lu}\p{Ll}*|(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Lâm|Trương|Đinh|Mai|Thạch|Danh)(?:\s+\p{Lu}\p{Ll}*){1,3})/u;
/** Folded: a year, a day or month with its number, or a near-future phrase. */
const TIME_EXPRESSION = / (?:19|20)\d\d | (?:ngay|thang|nam) \d+ | \d+ \d+ (?:19|20)\d\d | thoi gian toi | sap toi /;

/** Bumped whenever tokenization or index layout changes: a cached index of another version is rebuilt. */
export const INDEX_VERSION = 1;

export interface SearchHit {
  readonly passage: Passage;
  readonly article: Article;
  readonly section?: InterviewSection;
  readonly score: number;
  /** Share of the question's concepts found in the passage and its context, 0–1. */
  readonly coverage: number;
}

export interface Answer {
  readonly query: string;
  readonly answered: boolean;
  /** Best first; empty when not answered. */
  readonly hits: readonly SearchHit[];
  readonly analysis: AnalyzedQuery;
}

/** What the index keeps per passage: folded and canonical syllables, space-padded for phrase lookups. */
interface Entry {
  readonly passage: Passage;
  readonly article: Article;
  readonly section?: InterviewSection;
  readonly folded: string;
  readonly context: Context;
  /** Filled on first need: only candidates of questions typed with tone marks use it. */
  canonical?: string;
}

/** The words around a passage: its interview question, speaker, the article title and place. */
interface Context {
  readonly folded: string;
  readonly canonical: string;
}

/** Per concept of a question: sharp weights rank passages, smoothed ones decide answerability. */
interface ConceptWeights {
  readonly rank: readonly number[];
  readonly answer: readonly number[];
}

interface IndexedDocument {
  readonly id: string;
  readonly text: string;
  readonly context: string;
}

/** Folded unigrams and bigrams of a space-separated folded text. */
function termsOf(text: string): string[] {
  const words = text.split(" ").filter(Boolean);
  const terms = [...words];
  for (let i = 0; i + 1 < words.length; i += 1) terms.push(`${words[i]} ${words[i + 1]}`);
  return terms;
}

const MINISEARCH_OPTIONS: Options<IndexedDocument> = {
  idField: "id",
  fields: ["text", "context"],
  storeFields: [],
  tokenize: termsOf,
  processTerm: (term) => term,
  searchOptions: {
    boost: { text: 1, context: 0.4 },
    combineWith: "OR",
    prefix: false,
    fuzzy: false,
    // The query arrives already analysed into terms, joined by \u0001.
    tokenize: (query) => query.split("\u0001"),
  },
};

/** " a b c ": padded so that includes(" b c ") finds whole syllables only. */
function padded(syllables: readonly string[]): string {
  return ` ${syllables.join(" ")} `;
}

export class KnowledgeIndex {
  private readonly search_: MiniSearch<IndexedDocument>;
  private readonly entries = new Map<string, Entry>();
  private readonly articleById = new Map<string, Article>();

  private constructor(search: MiniSearch<IndexedDocument>) {
    this.search_ = search;
  }

  static build(articles: readonly Article[]): KnowledgeIndex {
    const index = new KnowledgeIndex(new MiniSearch(MINISEARCH_OPTIONS));
    for (const article of articles) index.addArticle(article);
    return index;
  }

  /**
   * Restores an index saved with {@link toJSON}, given the same articles it was built from (the
   * cache checks that). Skips tokenizing every passage for the full-text index.
   */
  static fromJSON(json: string, articles: readonly Article[], folded: Readonly<Record<string, string>>): KnowledgeIndex {
    const index = new KnowledgeIndex(MiniSearch.loadJSON(json, MINISEARCH_OPTIONS));
    for (const article of articles) index.register(article, folded);
    return index;
  }

  toJSON(): { index: string; folded: Record<string, string> } {
    const folded: Record<string, string> = {};
    for (const [id, entry] of this.entries) folded[id] = entry.folded;
    return { index: JSON.stringify(this.search_), folded };
  }

  get articles(): Article[] {
    return [...this.articleById.values()];
  }

  get passageCount(): number {
    return this.entries.size;
  }

  article(id: string): Article | undefined {
    return this.articleById.get(id);
  }

  passage(id: string): SearchHit | undefined {
    const entry = this.entries.get(id);
    return entry && { passage: entry.passage, article: entry.article, ...(entry.section ? { section: entry.section } : {}), score: 0, coverage: 0 };
  }

  /** Adds an article, replacing an earlier version with the same id. */
  addArticle(article: Article): void {
    if (this.articleById.has(article.id)) this.removeArticle(article.id);
    const documents = this.register(article);
    this.search_.addAll(documents);
  }

  removeArticle(id: string): void {
    const article = this.articleById.get(id);
    if (!article) return;
    for (const passage of article.passages) {
      this.search_.discard(passage.id);
      this.entries.delete(passage.id);
    }
    this.articleById.delete(id);
  }

  /** Records the article's passages; returns the documents for the full-text index. */
  private register(article: Article, knownFolded?: Readonly<Record<string, string>>): IndexedDocument[] {
    this.articleById.set(article.id, article);
    const contexts = new Map<number | undefined, Context>();
    const documents: IndexedDocument[] = [];
    for (const passage of article.passages) {
      const section = sectionOf(article, passage);
      let context = contexts.get(passage.sectionIndex);
      if (!context) {
        const words = canonicalSyllables([section?.question, section?.answerer, article.place, article.title].filter(Boolean).join(" "));
        context = { canonical: padded(words), folded: padded(words.map(foldSyllable)) };
        contexts.set(passage.sectionIndex, context);
      }
      const folded = knownFolded?.[passage.id] ?? padded(canonicalSyllables(passage.text).map(foldSyllable));
      this.entries.set(passage.id, { passage, article, ...(section ? { section } : {}), folded, context });
      documents.push({ id: passage.id, text: folded, context: context.folded });
    }
    return documents;
  }

  /** Answers a question: the best passages that cover it, or none when the articles do not. */
  search(query: string, limit = DEFAULT_LIMIT, options: { threshold?: number } = {}): Answer {
    const threshold = options.threshold ?? ANSWER_THRESHOLD;
    const analysis = analyzeQuery(query);
    if (!analysis.concepts.some((c) => !c.optional)) return { query, answered: false, hits: [], analysis };

    const weights = this.weights(analysis.concepts);
    const results = this.search_.search(analysis.terms.join("\u0001"));
    const hits: SearchHit[] = [];
    for (const result of results.slice(0, CANDIDATES)) {
      const entry = this.entries.get(result.id as string);
      const hit = entry && this.judge(entry, result.score, analysis, weights);
      if (hit && hit.coverage >= threshold) hits.push(hit);
    }
    hits.sort((a, b) => b.score - a.score);
    return { query, answered: hits.length > 0, hits: hits.slice(0, limit), analysis };
  }

  /**
   * How much finding each concept says: its inverse document frequency (for its most common
   * rendering), in two strengths. Ranking uses the sharp one: among passages of one article the
   * rare word is the point ("phương châm" in a question about "công tác dân vận"). Answerability
   * uses a smoothed one: a word of the article's title is in every passage, so its sharp weight is
   * near zero, yet it is the best sign that the question is about this article at all.
   */
  private weights(concepts: readonly Concept[]): ConceptWeights {
    const n = this.entries.size;
    const frequencies = concepts.map((concept) => Math.max(...concept.phrases.map((p) => this.phraseFrequency(p.folded))));
    // A pair straddling two pairs that passages have ("bộ máy | cán bộ" → "máy cán", "tỉnh ủy |
    // quan tâm" → "ủy quan") is a word boundary when it is rarer than both: words recur, chance
    // neighbours do not. It is no evidence either way.
    const pairAt = new Map<number, number>();
    concepts.forEach((c, i) => {
      if (c.size === 2) pairAt.set(c.position, frequencies[i]!);
    });
    const straddles = concepts.map((c, i) => {
      const left = pairAt.get(c.position - 1);
      const right = pairAt.get(c.position + 1);
      return c.size === 2 && left !== undefined && right !== undefined && Math.min(left, right) > frequencies[i]!;
    });
    const idf = (i: number, smoothing: number): number =>
      straddles[i] ? 0 : Math.log(smoothing + (n + 1) / (frequencies[i]! + 0.5));
    return { rank: concepts.map((_, i) => idf(i, 0)), answer: concepts.map((_, i) => idf(i, 1)) };
  }

  /** Passages containing all of a phrase's terms, at most: the rarest term's document count. */
  private phraseFrequency(folded: readonly string[]): number {
    const terms = folded.length === 1 ? folded : folded.slice(1).map((w, i) => `${folded[i]} ${w}`);
    return Math.min(...terms.map((term) => this.documentFrequency(term)));
  }

  /**
   * minisearch keeps per-term posting lists but has no public document-frequency call; its index
   * is a map term → field id → (document → count). A test pins this to the installed version.
   */
  private documentFrequency(term: string): number {
    const fields = (this.search_ as unknown as { _index: { get(term: string): Map<number, Map<number, number>> | undefined } })._index.get(term);
    if (!fields) return 0;
    let df = 0;
    for (const postings of fields.values()) df = Math.max(df, postings.size);
    return df;
  }

  /** Re-reads one candidate: which concepts it has, and a score that favours complete, exact matches. */
  private judge(entry: Entry, fullTextScore: number, analysis: AnalyzedQuery, weights: ConceptWeights): SearchHit | undefined {
    if (analysis.expects && !this.meetsExpectation(entry, analysis.expects)) return undefined;
    const rank = { wanted: 0, found: 0, inText: 0 };
    const answer = { wanted: 0, found: 0 };
    analysis.concepts.forEach((concept, i) => {
      const credit = this.credit(entry, concept);
      if (concept.optional && credit.any === 0) return;
      rank.wanted += weights.rank[i]!;
      rank.found += credit.any * weights.rank[i]!;
      rank.inText += credit.text * weights.rank[i]!;
      answer.wanted += weights.answer[i]!;
      answer.found += credit.any * weights.answer[i]!;
    });
    if (answer.wanted === 0) return undefined;
    const coverage = answer.found / answer.wanted;
    const rankCoverage = rank.wanted ? rank.found / rank.wanted : 0;
    const rankTextCoverage = rank.wanted ? rank.inText / rank.wanted : 0;
    // Mostly how much of the question the passage itself holds (its context counts half); the
    // full-text score (term frequency, length) only orders passages that cover it alike.
    const primary = (rankCoverage + rankTextCoverage) / 2;
    const score = primary ** 2 * Math.sqrt(fullTextScore);
    return { passage: entry.passage, article: entry.article, ...(entry.section ? { section: entry.section } : {}), score, coverage };
  }

  /** A figure near the thing counted, or a date, when the question asks for one. */
  private meetsExpectation(entry: Entry, expects: Expectation): boolean {
    if (expects.kind === "time") return TIME_EXPRESSION.test(entry.folded);
    if (expects.kind === "person") return PERSON_NAME.test(entry.passage.text);
    if (!expects.of) return /\d/.test(entry.folded);
    return expects.of.phrases.some((phrase) => {
      const words = phrase.folded.join(" ");
      // Vietnamese counts before the noun ("69 tập thể", "31.945 mô hình, điển hình"), lists after it ("mô hình: 31.945").
      return new RegExp(` \\d+ (?:\\S+ ){0,2}${words} | ${words} (?:\\S+ )?\\d+ `).test(entry.folded);
    });
  }

  /** 1 when a phrase of the concept is there as typed, less when only without its tone marks. */
  private credit(entry: Entry, concept: Concept): { any: number; text: number } {
    let any = 0;
    let text = 0;
    for (const phrase of concept.phrases) {
      const folded = padded(phrase.folded);
      const inText = entry.folded.includes(folded);
      const inContext = entry.context.folded.includes(folded);
      if (!inText && !inContext) continue;
      const textCredit = inText ? this.toneCredit(phrase, () => (entry.canonical ??= padded(canonicalSyllables(entry.passage.text)))) : 0;
      const contextCredit = inContext ? this.toneCredit(phrase, () => entry.context.canonical) : 0;
      any = Math.max(any, textCredit, contextCredit);
      text = Math.max(text, textCredit);
      if (any === 1 && text === 1) break;
    }
    return { any, text };
  }

  /** The canonical text is read only when the user typed tone marks. */
  private toneCredit(phrase: Phrase, canonical: () => string): number {
    if (!phrase.exact) return 1;
    return canonical().includes(padded(phrase.exact)) ? 1 : WRONG_TONE_CREDIT;
  }
}
