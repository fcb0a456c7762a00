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
import { type ArticleHead, ArticleStore, type StoreArrays, type StoreData, padded } from "./article-store.js";
import { mergeInWorker } from "./background-merge.js";
import { type SegmentIndexes, buildSegmentIndexes } from "./segment-indexes.js";
import { AnswerJudge, type ConceptWeights, type JudgedPassage, type Judgement, type Tier, prepare } from "./answer-judge.js";
import { type AnalyzedQuery, type Concept, analyzeQuery } from "./query.js";
import { TermIndex } from "./term-index.js";
import { canonicalSyllables } from "./vietnamese.js";

/** How many full-text candidates (best by BM25 over text and context) the concept check re-reads: enough depth for the re-ranking, within the query budget at 100k passages. */
const CANDIDATES = 25;
const DEFAULT_LIMIT = 5;

/** Bumped whenever tokenization or index layout changes: a cached index of another version is rebuilt. */
export const INDEX_VERSION = 9;
/** Weight of a match in the passage's context (question, speaker, title) against one in its text. */
const CONTEXT_BOOST = 0.4;
/** Passages whose canonical (toned) text is kept between questions. */
const CANONICAL_CACHE = 5000;
/** Contexts whose passages join the candidates (a question may match the interview question only). */
const CONTEXT_CANDIDATES = 20;

export interface SearchHit {
  readonly passage: Passage;
  readonly article: ArticleHead;
  readonly section?: InterviewSection;
  readonly score: number;
  /** Share of the question's concepts found in the passage and its context, 0–1. */
  readonly coverage: number;
  /** The sentence (or two) of the passage that answers; the passage itself when it is one sentence. */
  readonly sentence: string;
}

export interface Answer {
  readonly query: string;
  /**
   * confident: the hits answer the question; related: the closest passages (at most
   * `relatedLimit`), which may not answer it; none: declined, no hits.
   */
  readonly tier: Tier;
  /** True only for a confident answer. */
  readonly answered: boolean;
  /** Best first; empty when declined. */
  readonly hits: readonly SearchHit[];
  readonly analysis: AnalyzedQuery;
  /** How the best candidate stood, whatever the tier: what decided it, and the question's words it lacked. */
  readonly evidence?: Evidence;
}

export interface Evidence {
  readonly coverage: number;
  /** The share the answering sentence holds (with the context); 0 when it lacks the kind of answer asked for. */
  readonly sentenceCoverage: number;
  readonly kindHeld: boolean;
  readonly rarestHeld: boolean;
  /** How many of the lacking concepts no passage has. */
  readonly unknownMissing: number;
  /** Labels of the question's concepts the best candidate lacks. */
  readonly missing: readonly string[];
}

/** A passage as the judge reads it: its text, folded syllables and its context. */
type Entry = JudgedPassage & { readonly segment: Segment; readonly number: number };

/** Articles in a compact store, one index over their passages and one over their contexts. */
interface Segment {
  readonly store: ArticleStore;
  /** Documents are the store's passage numbers. */
  readonly text: TermIndex;
  /** Documents are the store's context numbers. */
  readonly context: TermIndex;
  /** Articles of the store removed or replaced since it was built (skipped until the next merge). */
  readonly removed: Set<number>;
}

/** What a cache file holds: the base segment's store and indexes. */
export interface SavedIndex extends SegmentIndexes {
  readonly store: StoreData;
}

/** Articles added while running stay in the small segment until it holds this many passages. */
const RECENT_PASSAGES = 2000;
/** Whole articles (their passages decoded) kept between questions: the hits' articles. */
const ARTICLE_CACHE = 256;

function segmentOf(store: ArticleStore, indexes: SegmentIndexes = buildSegmentIndexes(store.data)): Segment {
  return { store, text: TermIndex.fromData(indexes.text), context: TermIndex.fromData(indexes.context), removed: new Set() };
}

export interface KnowledgeIndexOptions {
  /**
   * From this many passages in the base, merges run in a worker thread while answers go on
   * (default 5,000); below, a merge takes a few tens of milliseconds and runs at once.
   */
  readonly backgroundMergeFrom?: number;
  /** Runs a merge off the main thread (default: the merge worker; tests give their own). */
  readonly mergeOffThread?: typeof mergeInWorker;
}

/** A merge under way in the worker: what it was given, and what changed meanwhile. */
interface PendingMerge {
  readonly base: Segment;
  /** The recent articles it merges (by identity: a later version of one is not among them). */
  readonly articles: ReadonlySet<Article>;
  /** Ids of its articles removed or replaced while it ran. */
  readonly removed: Set<string>;
  readonly done: Promise<void>;
}

export class KnowledgeIndex {
  private base: Segment;
  /** Live passages of the base. */
  private basePassages = 0;
  /** Articles added since the base was built, in their own small segment. */
  private recent: Article[] = [];
  private recentSegment: Segment | undefined;
  private pending: PendingMerge | undefined;
  /** Where each live article is: its segment and number there. */
  private readonly located = new Map<string, { segment: Segment; article: number }>();
  private readonly canonicalCache = new Map<string, string>();
  private readonly articleCache = new Map<string, Article>();
  private readonly backgroundMergeFrom: number;
  private readonly mergeOffThread: typeof mergeInWorker;
  readonly judge: AnswerJudge;

  private constructor(base: Segment, options: KnowledgeIndexOptions, judge: AnswerJudge = new AnswerJudge()) {
    this.base = base;
    this.judge = judge;
    this.backgroundMergeFrom = options.backgroundMergeFrom ?? 5_000;
    this.mergeOffThread = options.mergeOffThread ?? mergeInWorker;
    this.locateBase();
  }

  static build(articles: readonly Article[], options: KnowledgeIndexOptions = {}): KnowledgeIndex {
    return new KnowledgeIndex(segmentOf(ArticleStore.fromArticles(articles)), options);
  }

  /** Restores an index saved with {@link save}. */
  static restore(saved: SavedIndex, options: KnowledgeIndexOptions = {}): KnowledgeIndex {
    return new KnowledgeIndex(segmentOf(ArticleStore.fromData(saved.store), saved), options);
  }

  /** The base segment as arrays, every addition and removal merged in first. */
  save(): SavedIndex {
    if (this.recent.length > 0 || this.base.removed.size > 0) this.merge();
    const { store, text, context } = this.base;
    return { store: store.data, text: text.data, context: context.data };
  }

  /** Passages in the base segment (removed ones included, until a merge) and in the recent one. */
  get segmentSizes(): { base: number; recent: number } {
    return { base: this.base.store.passageCount, recent: this.recentSegment?.store.passageCount ?? 0 };
  }

  /** Resolves once no merge is under way (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.pending) await this.pending.done;
  }

  /** Every article, without its passages, in the order they were added. */
  get articleHeads(): ArticleHead[] {
    return [...this.located.values()].map(({ segment, article }) => segment.store.head(article));
  }

  get articleCount(): number {
    return this.located.size;
  }

  get passageCount(): number {
    return this.basePassages + this.recent.reduce((n, a) => n + a.passages.length, 0);
  }

  /** The article with its passages (decoded once, then kept among the last ARTICLE_CACHE asked for). */
  article(id: string): Article | undefined {
    const place = this.located.get(id);
    if (!place) return undefined;
    const key = `${id}:${place.segment.store.head(place.article).contentHash}`;
    return remembered(this.articleCache, key, ARTICLE_CACHE, () => place.segment.store.article(place.article));
  }

  /** The article without its passages: nothing decoded. */
  articleHead(id: string): ArticleHead | undefined {
    const place = this.located.get(id);
    return place && place.segment.store.head(place.article);
  }

  /** The article read from this file (a name inside the knowledge folder). */
  articleInFile(file: string): ArticleHead | undefined {
    for (const { segment, article } of this.located.values()) if (segment.store.head(article).file === file) return segment.store.head(article);
    return undefined;
  }

  passage(id: string): SearchHit | undefined {
    const dash = id.lastIndexOf("-");
    const place = dash > 0 ? this.located.get(id.slice(0, dash)) : undefined;
    if (!place) return undefined;
    const index = Number(id.slice(dash + 1));
    const [from, to] = place.segment.store.passageRange(place.article);
    if (!Number.isInteger(index) || index < 1 || from + index > to) return undefined;
    const hit = this.hit(place.segment, from + index - 1, 0, 0);
    return hit.passage.id === id ? hit : undefined;
  }

  /**
   * Adds an article, replacing an earlier version with the same id. It joins the small recent
   * segment (only the new article is read; the segment's indexes are rebuilt, in milliseconds);
   * once that is large, everything is merged into the base: in the worker when the base is
   * large, answers going on from the segments meanwhile.
   */
  addArticle(article: Article): void {
    if (this.located.has(article.id)) this.removeArticle(article.id);
    this.recent.push(article);
    const added = ArticleStore.fromArticles([article]);
    this.rebuildRecent(this.recentSegment ? ArticleStore.concat([{ store: this.recentSegment.store, keep: () => true }, { store: added, keep: () => true }]) : added);
    const recentPassages = this.recent.reduce((n, a) => n + a.passages.length, 0);
    if (recentPassages <= RECENT_PASSAGES || this.pending) return;
    if (this.base.store.passageCount >= this.backgroundMergeFrom) this.mergeInBackground();
    else this.merge();
  }

  removeArticle(id: string): void {
    const place = this.located.get(id);
    if (!place) return;
    this.located.delete(id);
    const { passageCount } = place.segment.store.head(place.article);
    for (let index = 1; index <= passageCount; index += 1) this.canonicalCache.delete(`${id}-${index}`);
    if (this.pending && (place.segment === this.pending.base || (place.segment === this.recentSegment && this.pending.articles.has(this.recent.find((a) => a.id === id)!)))) {
      this.pending.removed.add(id);
    }
    if (place.segment === this.base) {
      this.base.removed.add(place.article);
      this.basePassages -= this.base.store.head(place.article).passageCount;
    } else {
      this.recent = this.recent.filter((a) => a.id !== id);
      this.rebuildRecent(ArticleStore.concat([{ store: place.segment.store, keep: (n) => n !== place.article }]));
    }
  }

  /** The recent segment anew, from its store (this.recent's articles, in order). */
  private rebuildRecent(store: ArticleStore = ArticleStore.fromArticles(this.recent)): void {
    for (const article of this.recent) this.located.delete(article.id);
    this.recentSegment = store.articleCount ? segmentOf(store) : undefined;
    const segment = this.recentSegment;
    if (segment) for (let n = 0; n < segment.store.articleCount; n += 1) this.located.set(segment.store.head(n).id, { segment, article: n });
  }

  /** Rebuilds the base from every live article, at once: no removed passages, no recent segment. */
  private merge(): void {
    const base = this.base;
    const parts = [{ store: base.store, keep: (n: number) => !base.removed.has(n) }];
    if (this.recentSegment) parts.push({ store: this.recentSegment.store, keep: () => true });
    this.pending = undefined; // a merge in the worker would bring back an older state: dropped
    this.setBase(segmentOf(ArticleStore.concat(parts)), []);
  }

  /** The same merge in the worker; its result replaces the base unless the base changed meanwhile. */
  private mergeInBackground(): void {
    const base = this.base;
    const recent = this.recentSegment!;
    const keep = Uint8Array.from(base.store.data.heads, (_, n) => (base.removed.has(n) ? 0 : 1));
    const heads = [...base.store.data.heads.filter((_, n) => keep[n]), ...recent.store.data.heads];
    const articles = new Set(this.recent);
    const removed = new Set<string>();
    // Only the arrays cross to the worker (shared memory, no copy); the heads, thousands of
    // objects, would be copied on this thread.
    const arrays = ({ heads: _heads, ...rest }: StoreData): StoreArrays => rest;
    const done = this.mergeOffThread({ parts: [{ arrays: arrays(base.store.data), keep }, { arrays: arrays(recent.store.data), keep: new Uint8Array(recent.store.articleCount).fill(1) }] }).then(
      ({ arrays, indexes }) => {
        if (this.pending?.done !== done) return;
        this.pending = undefined;
        const merged = segmentOf(ArticleStore.fromParts(heads, arrays), indexes);
        heads.forEach((head, n) => {
          if (removed.has(head.id)) merged.removed.add(n);
        });
        this.setBase(merged, this.recent.filter((a) => !articles.has(a)));
      },
      () => {
        // The worker could not run (missing from a deployment, killed): merged here instead, once,
        // rather than let the recent segment grow and be rebuilt on every addition.
        if (this.pending?.done !== done) return;
        this.pending = undefined;
        this.merge();
      },
    );
    this.pending = { base, articles, removed, done };
  }

  private setBase(base: Segment, recent: Article[]): void {
    this.base = base;
    this.recent = recent;
    this.located.clear();
    this.locateBase();
    this.rebuildRecent();
  }

  /** Records where the base's live articles are. */
  private locateBase(): void {
    const { store, removed } = this.base;
    this.basePassages = 0;
    for (let n = 0; n < store.articleCount; n += 1) {
      if (removed.has(n)) continue;
      this.located.set(store.head(n).id, { segment: this.base, article: n });
      this.basePassages += store.head(n).passageCount;
    }
  }

  private segments(): Segment[] {
    return this.recentSegment ? [this.base, this.recentSegment] : [this.base];
  }

  private isLive(segment: Segment, passage: number): boolean {
    return segment.removed.size === 0 || !segment.removed.has(segment.store.articleOf(passage));
  }

  /** A passage as the judge reads it. */
  private entry(segment: Segment, number: number): Entry {
    const { store } = segment;
    return { segment, number, passage: { text: store.passageText(number) }, folded: store.foldedText(number), context: store.passageContext(number) };
  }

  /**
   * Candidates by BM25 over text and context: the best passages by text, plus the passages of the
   * best-matching contexts; each scored as text + CONTEXT_BOOST × its context.
   */
  private candidates(terms: readonly string[]): { entry: Entry; score: number }[] {
    const n = this.passageCount;
    const textDf = (term: string) => this.segments().reduce((sum, s) => sum + s.text.documentFrequency(term), 0);
    const scores = new Map<string, { segment: Segment; number: number; score: number }>();
    const add = (segment: Segment, number: number, score: number) => {
      const key = `${segment === this.base ? "b" : "r"}${number}`;
      const known = scores.get(key);
      if (known) known.score += score;
      else scores.set(key, { segment, number, score });
    };
    for (const segment of this.segments()) {
      for (const { doc, score } of segment.text.search(terms, { limit: CANDIDATES * 2, idfDocuments: n, dfOf: textDf })) add(segment, doc, score);
      for (const { doc, score } of segment.context.search(terms, { limit: CONTEXT_CANDIDATES, boost: CONTEXT_BOOST })) {
        const article = segment.store.articleOfContext(doc);
        const section = segment.store.contextSection(doc);
        const [from, to] = segment.store.passageRange(article);
        for (let p = from; p < to; p += 1) if (segment.store.section(p) === section) add(segment, p, score);
      }
    }
    const live = [...scores.values()].filter(({ segment, number }) => this.isLive(segment, number));
    // Only the candidates kept are read (their text decoded, their context made).
    return live
      .sort((a, b) => b.score - a.score)
      .slice(0, CANDIDATES)
      .map(({ segment, number, score }) => ({ entry: this.entry(segment, number), score }));
  }

  /** A passage as a hit: with its article's head, its section and the sentence that answers (else itself). */
  private hit(segment: Segment, number: number, score: number, coverage: number, sentence?: string): SearchHit {
    const { store } = segment;
    const article = store.articleOf(number);
    const passage = store.passage(number, article);
    const head = store.head(article);
    const section = sectionOf(head, passage);
    return { passage, article: head, ...(section ? { section } : {}), score, coverage, sentence: sentence ?? passage.text };
  }

  /**
   * Answers a question: the best passages that cover it (confident), else the closest ones
   * (related, at most the judge's relatedLimit), else none. `minimumTier` "related" returns the
   * closest passages even when confident ones exist below the limit (the evaluator reads it).
   */
  search(query: string, limit = DEFAULT_LIMIT): Answer {
    const analysis = analyzeQuery(query);
    if (!analysis.concepts.some((c) => !c.optional)) return { query, tier: "none", answered: false, hits: [], analysis };

    const weights = this.weights(analysis.concepts);
    const prepared = prepare(analysis);
    const judged: { entry: Entry; judgement: Judgement }[] = [];
    for (const { entry, score } of this.candidates(analysis.terms)) {
      const canonical = () => this.canonicalOf(entry);
      const judgement = this.judge.judge(entry, score, prepared, weights, canonical);
      if (judgement) judged.push({ entry, judgement });
    }
    judged.sort((a, b) => b.judgement.score - a.judgement.score);
    const first = judged[0];
    // The best passage's answering sentence decides its tier and is shown: read it once.
    const firstSentence = first && this.judge.answeringSentence(first.entry, prepared, weights);
    const sentenceCoverage = firstSentence?.coverage ?? 0;
    const standing = first && { best: first.judgement, sentenceCoverage, asksKind: Boolean(prepared.expects) };
    const tier = analysis.topical ? this.judge.tier(standing) : "none";
    const options = this.judge.options;
    const kept =
      tier === "confident"
        ? judged.filter((j) => j.judgement.coverage >= options.confidentCoverage).slice(0, limit)
        : tier === "related"
          ? judged.filter((j) => j.judgement.coverage >= options.relatedCoverage).slice(0, Math.min(limit, options.relatedLimit))
          : [];
    const hits = kept.map(({ entry, judgement }): SearchHit => {
      const { sentence } = entry === first?.entry && firstSentence ? firstSentence : this.judge.answeringSentence(entry, prepared, weights);
      return this.hit(entry.segment, entry.number, judgement.score, judgement.coverage, sentence);
    });
    const top = first?.judgement;
    const evidence = top && { coverage: top.coverage, sentenceCoverage, kindHeld: top.kindHeld, rarestHeld: top.rarestHeld, unknownMissing: top.unknownMissing, missing: top.missing.map((i) => analysis.concepts[i]!.label) };
    return { query, tier, answered: tier === "confident", hits, analysis, ...(evidence ? { evidence } : {}) };
  }

  /**
   * How much finding each concept says: its inverse document frequency (for its most common
   * rendering), in two strengths. Ranking uses the sharp one: among passages of one article the
   * rare word is the point ("phương châm" in a question about "công tác dân vận"). Answerability
   * uses a smoothed one: a word of the article's title is in every passage, so its sharp weight is
   * near zero, yet it is the best sign that the question is about this article at all.
   */
  private weights(concepts: readonly Concept[]): ConceptWeights {
    const n = this.passageCount;
    const frequencies = concepts.map((concept) => Math.max(...concept.phrases.map((p) => this.phraseFrequency(p.folded))));
    // A pair straddling two pairs that passages have ("bộ máy | cán bộ" → "máy cán", "tỉnh ủy |
    // quan tâm" → "ủy quan") is a word boundary when it is rarer than both: words recur, chance
    // neighbours do not. It is no evidence either way.
    const pairAt = new Map<number, number>();
    concepts.forEach((c, i) => {
      if (c.size === 2) pairAt.set(c.position, frequencies[i]!);
    });
    const straddles = concepts.map((c, i) => {
      // A pair no passage has is not a word the archive knows: its syllables speak for it.
      if (c.pair && frequencies[i] === 0) return true;
      const left = pairAt.get(c.position - 1);
      const right = pairAt.get(c.position + 1);
      return c.size === 2 && left !== undefined && right !== undefined && Math.min(left, right) > frequencies[i]!;
    });
    const idf = (i: number, smoothing: number): number =>
      straddles[i] ? 0 : Math.log(smoothing + (n + 1) / (frequencies[i]! + 0.5));
    return {
      rank: concepts.map((_, i) => idf(i, 0)),
      answer: concepts.map((_, i) => idf(i, 1)),
      unknown: concepts.map((c, i) => !c.optional && !straddles[i] && frequencies[i] === 0),
    };
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
      const contexts = segment.store.data.contextSections.length;
      const perContext = contexts ? segment.store.passageCount / contexts : 0;
      context += segment.context.documentFrequency(term) * perContext;
    }
    return Math.max(text, Math.round(context));
  }

  /**
   * A passage with its tone marks in canonical form, for questions typed with tones. Popular
   * passages come up again and again, so recent ones are kept (bounded, oldest dropped first).
   */
  private canonicalOf(entry: Entry): string {
    const { store } = entry.segment;
    const article = store.articleOf(entry.number);
    const id = `${store.head(article).id}-${entry.number - store.passageRange(article)[0] + 1}`;
    return remembered(this.canonicalCache, id, CANONICAL_CACHE, () => padded(canonicalSyllables(entry.passage.text)));
  }
}

/** The value kept for a key, made and kept if missing; past `limit` entries the oldest goes. */
function remembered<V>(cache: Map<string, V>, key: string, limit: number, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= limit) cache.delete(cache.keys().next().value!);
    cache.set(key, value);
  }
  return value;
}
