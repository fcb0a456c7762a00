/**
 * The searchable knowledge base: a compact BM25 index (term-index.ts) finds candidate passages by
 * folded syllables and syllable pairs, in the passage text and in its context (interview question,
 * speaker, title); a second pass checks which of the question's concepts each candidate really
 * contains (tone marks included) and decides whether the knowledge base answers the question.
 *
 * Passages live in segments: the base, built at start (or read from the cache), and a small
 * segment for articles added while running, rebuilt on each addition and merged into the base
 * when it grows. A removed or replaced article's passages are skipped until the next merge.
 */
import { type Article, type InterviewSection, type Passage, sectionOf } from "./article.js";
import { type AnalyzedQuery, type Concept, type Expectation, type Phrase, analyzeQuery } from "./query.js";
import { TermIndex, type TermIndexData } from "./term-index.js";
import { canonicalSyllables, foldSyllable, foldedSyllables } from "./vietnamese.js";

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
/** How many full-text candidates (best by BM25 over text and context) the concept check re-reads: enough depth for the re-ranking, within the query budget at 100k passages. */
const CANDIDATES = 25;
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
export const INDEX_VERSION = 3;
/** Weight of a match in the passage's context (question, speaker, title) against one in its text. */
const CONTEXT_BOOST = 0.4;
/** Passages whose canonical (toned) text is kept between questions. */
const CANONICAL_CACHE = 5000;
/** Contexts whose passages join the candidates (a question may match the interview question only). */
const CONTEXT_CANDIDATES = 20;

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

/** What the index keeps per passage: its folded syllables, space-padded for phrase lookups. */
interface Entry {
  readonly passage: Passage;
  readonly article: Article;
  readonly section?: InterviewSection;
  readonly folded: string;
  readonly context: Context;
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

/** One index over passages and one over their contexts, with the maps back to them. */
interface Segment {
  readonly text: TermIndex;
  readonly passageIds: readonly string[];
  readonly context: TermIndex;
  readonly contextKeys: readonly string[];
  /** For each context, its passages' ids. */
  readonly contextPassages: readonly (readonly string[])[];
}

/** What a cache file holds besides the articles: the base segment and the folded texts. */
export interface SavedIndex {
  readonly passageIds: readonly string[];
  readonly contextKeys: readonly string[];
  /** Folded passage texts, in passageIds order. */
  readonly folded: readonly string[];
  /** Context texts by key, folded and canonical. */
  readonly contexts: Readonly<Record<string, Context>>;
  readonly text: TermIndexData;
  readonly context: TermIndexData;
}

/** For each context key, the ids of its passages among these articles (a segment's own, not all). */
function passagesOfContexts(keys: readonly string[], articles: readonly Article[]): string[][] {
  const byKey = new Map<string, string[]>(keys.map((k) => [k, []]));
  for (const article of articles) for (const passage of article.passages) byKey.get(contextKey(article, passage))?.push(passage.id);
  return keys.map((k) => byKey.get(k)!);
}

function emptySegment(): Segment {
  const empty = TermIndex.build([]);
  return { text: empty, passageIds: [], context: empty, contextKeys: [], contextPassages: [] };
}

/** " a b c ": padded so that {@link containsPhrase} finds whole syllables at the ends too. */
function padded(syllables: readonly string[]): string {
  return ` ${syllables.join(" ")} `;
}

const contextKey = (article: Article, passage: Passage): string => `${article.id}#${passage.sectionIndex ?? 0}`;

export class KnowledgeIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly articleById = new Map<string, Article>();
  private readonly contexts = new Map<string, Context>();
  private base: Segment;
  /** Articles added since the base was built, in their own small segment. */
  private recent: Article[] = [];
  private recentSegment: Segment | undefined;
  /** Passages of the base that were removed or replaced since it was built. */
  private readonly stale = new Set<string>();
  private readonly canonicalCache = new Map<string, string>();

  private constructor(base: Segment) {
    this.base = base;
  }

  static build(articles: readonly Article[]): KnowledgeIndex {
    const index = new KnowledgeIndex(emptySegment());
    for (const article of articles) index.register(article);
    index.base = index.buildSegment(articles);
    return index;
  }

  /** Restores an index saved with {@link save}, given the same articles (the cache key checks that). */
  static restore(saved: SavedIndex, articles: readonly Article[]): KnowledgeIndex {
    const index = new KnowledgeIndex({
      text: TermIndex.fromData(saved.text),
      passageIds: saved.passageIds,
      context: TermIndex.fromData(saved.context),
      contextKeys: saved.contextKeys,
      contextPassages: [],
    });
    const folded = new Map(saved.passageIds.map((id, i) => [id, saved.folded[i]!]));
    for (const [key, context] of Object.entries(saved.contexts)) index.contexts.set(key, context);
    for (const article of articles) index.register(article, folded);
    index.base = { ...index.base, contextPassages: passagesOfContexts(saved.contextKeys, articles) };
    return index;
  }

  /** The base segment and the texts it was built from; only valid right after build or restore. */
  save(): SavedIndex {
    if (this.recent.length > 0 || this.stale.size > 0) this.merge();
    return {
      passageIds: this.base.passageIds,
      contextKeys: this.base.contextKeys,
      folded: this.base.passageIds.map((id) => this.entries.get(id)!.folded),
      contexts: Object.fromEntries(this.contexts),
      text: this.base.text.data,
      context: this.base.context.data,
    };
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
    this.register(article);
    this.recent.push(article);
    // The small segment is rebuilt whole; once it nears a tenth of the base, everything is merged.
    const recentPassages = this.recent.reduce((n, a) => n + a.passages.length, 0);
    if (recentPassages > Math.max(2000, this.base.passageIds.length / 10)) this.merge();
    else this.recentSegment = this.buildSegment(this.recent);
  }

  removeArticle(id: string): void {
    const article = this.articleById.get(id);
    if (!article) return;
    for (const passage of article.passages) {
      this.entries.delete(passage.id);
      this.stale.add(passage.id);
      this.canonicalCache.delete(passage.id);
    }
    this.articleById.delete(id);
    if (this.recent.some((a) => a.id === id)) {
      this.recent = this.recent.filter((a) => a.id !== id);
      this.recentSegment = this.recent.length ? this.buildSegment(this.recent) : undefined;
    }
  }

  /** Rebuilds the base from every article: no stale passages, no separate recent segment. */
  private merge(): void {
    this.base = this.buildSegment([...this.articleById.values()]);
    this.recent = [];
    this.recentSegment = undefined;
    this.stale.clear();
  }

  /** Records the article's passages and their contexts (folded once, kept for the concept check). */
  private register(article: Article, knownFolded?: ReadonlyMap<string, string>): void {
    this.articleById.set(article.id, article);
    for (const passage of article.passages) {
      const section = sectionOf(article, passage);
      const key = contextKey(article, passage);
      let context = this.contexts.get(key);
      if (!context || !knownFolded) {
        const words = canonicalSyllables([section?.question, section?.answerer, article.place, article.title].filter(Boolean).join(" "));
        context = { canonical: padded(words), folded: padded(words.map(foldSyllable)) };
        this.contexts.set(key, context);
      }
      const folded = knownFolded?.get(passage.id) ?? padded(foldedSyllables(passage.text));
      this.stale.delete(passage.id);
      this.entries.set(passage.id, { passage, article, ...(section ? { section } : {}), folded, context });
    }
  }

  private buildSegment(articles: readonly Article[]): Segment {
    const passageIds = articles.flatMap((a) => a.passages.map((p) => p.id));
    const contextKeys = [...new Set(articles.flatMap((a) => a.passages.map((p) => contextKey(a, p))))];
    return {
      text: TermIndex.build(passageIds.map((id) => this.entries.get(id)!.folded)),
      passageIds,
      context: TermIndex.build(contextKeys.map((key) => this.contexts.get(key)!.folded)),
      contextKeys,
      contextPassages: passagesOfContexts(contextKeys, articles),
    };
  }

  private segments(): Segment[] {
    return this.recentSegment ? [this.base, this.recentSegment] : [this.base];
  }

  /**
   * Candidates by BM25 over text and context: the best passages by text, plus the passages of the
   * best-matching contexts; each scored as text + CONTEXT_BOOST × its context.
   */
  private candidates(terms: readonly string[]): { entry: Entry; score: number }[] {
    const n = this.entries.size;
    const textDf = (term: string) => this.segments().reduce((sum, s) => sum + s.text.documentFrequency(term), 0);
    const scores = new Map<string, number>();
    for (const segment of this.segments()) {
      for (const { doc, score } of segment.text.search(terms, { limit: CANDIDATES * 2, idfDocuments: n, dfOf: textDf })) {
        scores.set(segment.passageIds[doc]!, score);
      }
      for (const { doc, score } of segment.context.search(terms, { limit: CONTEXT_CANDIDATES, boost: CONTEXT_BOOST })) {
        for (const id of segment.contextPassages[doc] ?? []) scores.set(id, (scores.get(id) ?? 0) + score);
      }
    }
    const found: { entry: Entry; score: number }[] = [];
    for (const [id, score] of scores) {
      const entry = this.entries.get(id);
      if (entry && !this.stale.has(id)) found.push({ entry, score });
    }
    return found.sort((a, b) => b.score - a.score).slice(0, CANDIDATES);
  }

  /** Answers a question: the best passages that cover it, or none when the articles do not. */
  search(query: string, limit = DEFAULT_LIMIT, options: { threshold?: number } = {}): Answer {
    const threshold = options.threshold ?? ANSWER_THRESHOLD;
    const analysis = analyzeQuery(query);
    if (!analysis.concepts.some((c) => !c.optional)) return { query, answered: false, hits: [], analysis };

    const weights = this.weights(analysis.concepts);
    const prepared = prepare(analysis);
    const hits: SearchHit[] = [];
    for (const { entry, score } of this.candidates(analysis.terms)) {
      const hit = this.judge(entry, score, prepared, weights);
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
   * Passages whose text or context has the term. A context match stands for all its passages:
   * counted as contexts × passages per context, which is exact enough for a weight and costs
   * nothing (a common title word would otherwise mean walking thousands of contexts).
   */
  private documentFrequency(term: string): number {
    let text = 0;
    let context = 0;
    for (const segment of this.segments()) {
      text += segment.text.documentFrequency(term);
      const perContext = segment.contextKeys.length ? segment.passageIds.length / segment.contextKeys.length : 0;
      context += segment.context.documentFrequency(term) * perContext;
    }
    return Math.max(text, Math.round(context));
  }

  /**
   * A passage with its tone marks in canonical form, for questions typed with tones. Popular
   * passages come up again and again, so recent ones are kept (bounded, oldest dropped first).
   */
  private canonicalOf(entry: Entry): string {
    const id = entry.passage.id;
    let text = this.canonicalCache.get(id);
    if (text === undefined) {
      text = padded(canonicalSyllables(entry.passage.text));
      if (this.canonicalCache.size >= CANONICAL_CACHE) this.canonicalCache.delete(this.canonicalCache.keys().next().value!);
      this.canonicalCache.set(id, text);
    }
    return text;
  }

  /** Re-reads one candidate: which concepts it has, and a score that favours complete, exact matches. */
  private judge(entry: Entry, fullTextScore: number, query: PreparedQuery, weights: ConceptWeights): SearchHit | undefined {
    if (query.expects && !query.expects(entry)) return undefined;
    // The passage with its tone marks, built only if a phrase typed with tones is found folded.
    let canonical: string | undefined;
    const canonicalText = () => (canonical ??= this.canonicalOf(entry));
    const rank = { wanted: 0, found: 0, inText: 0 };
    const answer = { wanted: 0, found: 0 };
    query.concepts.forEach((concept, i) => {
      const credit = conceptCredit(entry, concept.phrases, canonicalText);
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
}

/** A question made ready to check many candidates: phrases padded once, expectations compiled once. */
interface PreparedQuery {
  readonly concepts: readonly { readonly optional: boolean; readonly phrases: readonly PreparedPhrase[] }[];
  readonly expects?: (entry: Entry) => boolean;
}

interface PreparedPhrase {
  /** "kho khan" */
  readonly folded: string;
  /** "khó khăn", when typed with tones. */
  readonly exact: string | null;
}

function prepare(analysis: AnalyzedQuery): PreparedQuery {
  const concepts = analysis.concepts.map((c) => ({
    optional: c.optional,
    phrases: c.phrases.map((p: Phrase) => ({ folded: p.folded.join(" "), exact: p.exact ? p.exact.join(" ") : null })),
  }));
  const expects = analysis.expects && expectationCheck(analysis.expects);
  return expects ? { concepts, expects } : { concepts };
}

/** A figure near the thing counted, a date, or a person's name, when the question asks for one. */
function expectationCheck(expects: Expectation): (entry: Entry) => boolean {
  if (expects.kind === "time") return (entry) => TIME_EXPRESSION.test(entry.folded);
  if (expects.kind === "person") return (entry) => PERSON_NAME.test(entry.passage.text);
  if (!expects.of) return (entry) => /\d/.test(entry.folded);
  // Vietnamese counts before the noun ("69 tập thể", "31.945 mô hình, điển hình"), lists after it ("mô hình: 31.945").
  const patterns = expects.of.phrases.map((phrase) => {
    const words = phrase.folded.join(" ");
    return new RegExp(` \\d+ (?:\\S+ ){0,2}${words} | ${words} (?:\\S+ )?\\d+ `);
  });
  return (entry) => patterns.some((pattern) => pattern.test(entry.folded));
}

/** 1 when a phrase of the concept is there as typed, less when only without its tone marks; in the text, and anywhere. */
function conceptCredit(entry: Entry, phrases: readonly PreparedPhrase[], canonicalText: () => string): { any: number; text: number } {
  let any = 0;
  let text = 0;
  for (const phrase of phrases) {
    const inText = containsPhrase(entry.folded, phrase.folded);
    const inContext = containsPhrase(entry.context.folded, phrase.folded);
    if (!inText && !inContext) continue;
    const textCredit = inText ? toneCredit(phrase, canonicalText) : 0;
    const contextCredit = inContext ? toneCredit(phrase, () => entry.context.canonical) : 0;
    any = Math.max(any, textCredit, contextCredit);
    text = Math.max(text, textCredit);
    if (any === 1 && text === 1) break;
  }
  return { any, text };
}

/** The canonical text is read only when the user typed tone marks. */
function toneCredit(phrase: PreparedPhrase, canonical: () => string): number {
  if (!phrase.exact) return 1;
  return containsPhrase(canonical(), phrase.exact) ? 1 : WRONG_TONE_CREDIT;
}

/**
 * Whether a space-padded text holds the phrase as whole syllables. Three times faster than
 * includes(" phrase "): a search for a leading space stops at every word.
 */
function containsPhrase(paddedText: string, phrase: string): boolean {
  if (!phrase) return false; // indexOf("") finds it everywhere, forever
  for (let at = paddedText.indexOf(phrase); at >= 0; at = paddedText.indexOf(phrase, at + 1)) {
    if (paddedText.charCodeAt(at - 1) === SPACE && paddedText.charCodeAt(at + phrase.length) === SPACE) return true;
  }
  return false;
}

const SPACE = 0x20;
