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
import { AnswerJudge, type ConceptWeights, type JudgedPassage, type Judgement, type Tier, prepare } from "./answer-judge.js";
import { type AnalyzedQuery, type Concept, analyzeQuery } from "./query.js";
import { TermIndex, type TermIndexData } from "./term-index.js";
import { canonicalSyllables, foldSyllable, foldedSyllables } from "./vietnamese.js";

/** How many full-text candidates (best by BM25 over text and context) the concept check re-reads: enough depth for the re-ranking, within the query budget at 100k passages. */
const CANDIDATES = 25;
const DEFAULT_LIMIT = 5;

/** Bumped whenever tokenization or index layout changes: a cached index of another version is rebuilt. */
export const INDEX_VERSION = 4;
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

/** What the index keeps per passage: its folded syllables, space-padded for phrase lookups. */
type Entry = JudgedPassage & { readonly context: PassageContext };

/** The words around a passage: its interview question, speaker, the article title and place. */
interface PassageContext {
  readonly folded: string;
  readonly canonical: string;
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
  readonly contexts: Readonly<Record<string, PassageContext>>;
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
  private readonly contexts = new Map<string, PassageContext>();
  private base: Segment;
  /** Articles added since the base was built, in their own small segment. */
  private recent: Article[] = [];
  private recentSegment: Segment | undefined;
  /** Passages of the base that were removed or replaced since it was built. */
  private readonly stale = new Set<string>();
  private readonly canonicalCache = new Map<string, string>();
  readonly judge: AnswerJudge;

  private constructor(base: Segment, judge: AnswerJudge = new AnswerJudge()) {
    this.base = base;
    this.judge = judge;
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
    return entry && { passage: entry.passage, article: entry.article, ...(entry.section ? { section: entry.section } : {}), score: 0, coverage: 0, sentence: entry.passage.text };
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
    // Contexts are made anew for an article read now (its title may have changed), once per section.
    const made = new Set<string>();
    for (const passage of article.passages) {
      const section = sectionOf(article, passage);
      const key = contextKey(article, passage);
      let context = this.contexts.get(key);
      if (!context || (!knownFolded && !made.has(key))) {
        made.add(key);
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
      return { passage: entry.passage, article: entry.article, ...(entry.section ? { section: entry.section } : {}), score: judgement.score, coverage: judgement.coverage, sentence };
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
}
