/**
 * Search benchmark: hoibao's KnowledgeIndex against a bare minisearch over the same passages.
 *
 * For each corpus (the real ./knowledge folder, then synthetic ones of 1k, 10k, 100k passages made
 * of real Vietnamese paragraphs, see corpus.ts) the articles are written as real article files and
 * read by the real loader. Every (corpus, engine) pair is measured in a fresh process
 * (`node --expose-gc --import tsx bench/search-bench.ts --worker …`) so the heap figures are not
 * polluted by other corpora:
 *   - build: KnowledgeIndex.build(articles), or new MiniSearch + addAll(passages' text);
 *   - heap used after build, after global.gc(); "index" is that minus the heap with only the
 *     parsed articles;
 *   - per-query latency (performance.now around each search) over a fixed, seeded query set, after
 *     a warm-up pass.
 * hoibao is also timed from process start to "index ready" (openKnowledgeBase with a cache folder):
 * once cold (builds and writes the cache), then warm (restores the cache) a few times.
 *
 * The parent process only writes corpora, spawns the workers, and prints the tables.
 *
 *   npm run bench:search -- [options]
 *   --sizes 1000,10000,100000   synthetic corpus sizes (passages); "" for none
 *   --queries 2000              timed queries per corpus and engine (after --warmup 500)
 *   --budget 30                 seconds of timed queries per corpus and engine at most
 *   --restarts 3                warm restarts timed per corpus (median reported)
 *   --no-real                   skip the real ./knowledge folder (--knowledge DIR to use another)
 *   --hoibao-only               skip the bare minisearch runs
 *   --cpu-prof DIR              V8 CPU profiles of hoibao's query workers
 *   --keep                      keep the temporary corpora
 *
 * Progress goes to stderr; the table, details and a markdown table to stdout.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import MiniSearch from "minisearch";
import { readEvalFile } from "../src/knowledge/evaluate.js";
import { formatArticle } from "../src/knowledge/format-article.js";
import { cacheFileFor, openKnowledgeBase, readCache } from "../src/knowledge/knowledge-base.js";
import type { Article } from "../src/knowledge/article.js";
import { mergeInWorker } from "../src/knowledge/background-merge.js";
import { type LoadedKnowledge, loadKnowledgeDir } from "../src/knowledge/load-knowledge.js";
import { parseArticle } from "../src/knowledge/parse-article.js";
import { KnowledgeIndex } from "../src/knowledge/search-index.js";
import { canonicalSyllables, foldSyllable } from "../src/knowledge/vietnamese.js";
import { type Random, mulberry32 } from "../testkit/random.js";

// ---------------------------------------------------------------------------
// Options, targets, result shapes

export type Engine = "hoibao" | "minisearch";
export const ENGINE_LABEL: Record<Engine, string> = { hoibao: "hoibao", minisearch: "bare minisearch" };

export interface BenchOptions {
  /** Synthetic corpus sizes in passages (default 1k, 10k, 100k). */
  readonly sizes: readonly number[];
  /** Also bench the real knowledge folder (default true). */
  readonly includeReal: boolean;
  /** The real knowledge folder (default ./knowledge). */
  readonly knowledgeDir: string;
  /** Measured queries per (corpus, engine). */
  readonly queries: number;
  /** Warm-up queries (not measured) before them. */
  readonly warmup: number;
  /**
   * Time budget in seconds for the timed queries of one (corpus, engine) run; the warm-up gets a
   * quarter of it on top. When it runs out, the queries timed so far (a random sample: the set is
   * shuffled) are reported, with their number.
   */
  readonly budgetSeconds: number;
  /** Warm restarts to time per corpus (the median is reported). */
  readonly restartRuns: number;
  readonly seed: number;
  /** Skip the bare minisearch runs (faster). */
  readonly hoibaoOnly: boolean;
  /** Write V8 CPU profiles of hoibao's query workers here (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /** Keep the temporary corpora folder instead of removing it. */
  readonly keep: boolean;
  /** Paragraphs per synthetic article file, [min, max] (default 16–24: ~50,000 files at 1M). */
  readonly articleParagraphs: readonly [number, number];
}

export const DEFAULT_OPTIONS: BenchOptions = {
  sizes: [1_000, 10_000, 100_000],
  includeReal: true,
  knowledgeDir: "knowledge",
  queries: 2_000,
  warmup: 500,
  budgetSeconds: 30,
  restartRuns: 3,
  seed: 0x626e6368, // "bnch"
  hoibaoOnly: false,
  keep: false,
  articleParagraphs: [16, 24],
};

/** What hoibao must reach at 100k passages. */
export const TARGETS = { passages: 100_000, p50Ms: 2, p99Ms: 20, buildMs: 10_000, heapMb: 300, restartMs: 2_000 } as const;

interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

interface QueryResult {
  readonly kind: "query";
  readonly engine: Engine;
  readonly passages: number;
  readonly articles: number;
  readonly loadErrors: number;
  readonly loadMs: number;
  readonly buildMs: number;
  /** Heap used after gc with the parsed articles only, after build, and after the queries. */
  readonly heapArticlesMb: number;
  readonly heapBuiltMb: number;
  readonly heapAfterQueriesMb: number;
  /** Array buffers after the queries (the index's typed arrays): memory outside the heap. */
  readonly offHeapMb: number;
  readonly rssMb: number;
  readonly latency: LatencyStats;
  /** hoibao: articles added while answering, through a merge into the base. */
  readonly additions?: AdditionsResult;
  /** Process CPU time (user + system) per query: less sensitive than wall time to a busy machine. */
  readonly cpu: LatencyStats;
  readonly latencyByKind: Record<string, LatencyStats>;
  /** hoibao: share of queries answered; minisearch: share with at least one result. */
  readonly answeredShare: number;
  /** Mean number of results (hoibao: hits after the coverage check; minisearch: all matches). */
  readonly meanResults: number;
  readonly slowest: readonly { q: string; kind: string; ms: number; fullTextMs?: number; candidates?: number }[];
  /** Queries of the set not timed because the budget ran out. */
  readonly skipped: number;
  readonly warmedUp: number;
  /** hoibao only: the full-text retrieval part of each search, and how many matches it returned. */
  readonly fullText?: LatencyStats;
  readonly meanCandidates?: number;
  /** hoibao only: in the slowest 1% of queries, the mean candidates and the share of time in minisearch. */
  readonly tailMeanCandidates?: number;
  readonly tailFullTextShare?: number;
}

interface AdditionsResult {
  readonly articles: number;
  readonly passages: number;
  /** Time of each addArticle call (it holds answers for that long). */
  readonly add: LatencyStats;
  /** From the first addition to the merged base in place. */
  readonly mergeMs: number;
  /** Answers asked while adding and merging, one every few milliseconds. */
  readonly answers: LatencyStats;
  /** The longest the event loop was held in that time (perf_hooks' event loop delay). */
  readonly eventLoopMaxMs: number;
}

interface ReadyResult {
  readonly kind: "ready";
  readonly passages: number;
  readonly fromCache: boolean;
  /** performance.now() at ready: time since this process started, as the process sees it. */
  readonly inProcessMs: number;
  readonly heapMb: number;
  /** Memory of array buffers (the index's typed arrays, shared or not) after gc: outside the heap. */
  readonly offHeapMb: number;
  readonly rssMb: number;
}

interface NoopResult {
  readonly kind: "noop";
  readonly inProcessMs: number;
}

interface BreakdownResult {
  readonly kind: "breakdown";
  readonly passages: number;
  readonly cacheFileMb: number;
  /** Stages of a warm start, in ms, in order. */
  readonly restart: Record<string, number>;
  /** Heap after gc, in MB, by what was added. */
  readonly heap: Record<string, number>;
  /** canonicalSyllables + fold of every passage: the part of the build that is not minisearch. */
  readonly foldMs: number;
}

type WorkerResult = QueryResult | ReadyResult | NoopResult | BreakdownResult;

type Task =
  | {
      readonly kind: "query";
      readonly engine: Engine;
      readonly knowledgeDir: string;
      readonly queriesFile: string;
      readonly warmup: number;
      readonly budgetMs: number;
    }
  | { readonly kind: "ready"; readonly knowledgeDir: string; readonly cacheDir: string }
  | { readonly kind: "noop" }
  | { readonly kind: "breakdown"; readonly knowledgeDir: string; readonly cacheDir: string };

interface BenchQuery {
  readonly q: string;
  /** eval | oos | phrase | question | ascii | nfd */
  readonly kind: string;
}

interface CorpusRun {
  readonly name: string;
  readonly requested?: number;
  readonly engines: Partial<Record<Engine, QueryResult>>;
  readonly restartCold?: { readonly wallMs: number; readonly inProcessMs: number };
  readonly restartWarm?: {
    readonly wallMs: number;
    readonly inProcessMs: number;
    readonly heapMb: number;
    readonly offHeapMb: number;
    readonly rssMb: number;
    readonly runs: readonly number[];
  };
  readonly breakdown?: BreakdownResult;
}

export interface BenchReport {
  readonly corpora: readonly CorpusRun[];
  /** Wall time of a fresh `node --import tsx` process that imports the knowledge modules and exits. */
  readonly startupFloorMs: number;
  readonly queries: number;
  readonly warmup: number;
  readonly budgetSeconds: number;
  readonly totalSeconds: number;
  /** 1-minute load average and CPU count: latency figures from a busy machine are inflated. */
  readonly load: { readonly start: number; readonly end: number; readonly cpus: number };
}

// ---------------------------------------------------------------------------
// Small helpers

const MB = 1024 * 1024;

function heapAfterGc(): number {
  const gc = globalThis.gc;
  if (!gc) throw new Error("bench worker: run node with --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed / MB;
}

function stats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sorted.length ? sum / sorted.length : 0, max: sorted[sorted.length - 1] ?? 0 };
}

function sumOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Tone marks and "đ" removed: what a user typing without Vietnamese input produces. */
function stripMarks(text: string): string {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D");
}

function words(text: string): string[] {
  return text
    .split(/\s+/u)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter(Boolean);
}

// ---------------------------------------------------------------------------
// Synthetic knowledge folder in the real article format

const PLACES = ["Sóc Trăng", "Cần Thơ", "Bạc Liêu", "Trà Vinh", "Hậu Giang"];
const SPEAKERS = [
  "Ông Nguyễn Văn An",
  "Bà Trần Thị Bích",
  "Đồng chí Lê Văn Cường",
  "Ông Phạm Minh Đức",
  "Bà Võ Thị Hồng",
  "Đồng chí Dương Sà Kha",
  "Ông Lâm Văn Tài",
  "Bà Huỳnh Thị Mỹ Lệ",
];
/** How the reporter addresses a speaker: "Bà …" → "bà", "Đồng chí …" → "đồng chí", else "ông". */
function pronoun(speaker: string): string {
  return speaker.startsWith("Bà") ? "bà" : speaker.startsWith("Đồng chí") ? "đồng chí" : "ông";
}
const INTERVIEW_QUESTIONS: readonly ((you: string) => string)[] = [
  (you) => `Xin ${you} cho biết`,
  (you) => `${you[0]!.toUpperCase()}${you.slice(1)} có thể chia sẻ thêm về`,
  () => "Thời gian tới, địa phương sẽ làm gì đối với",
  () => "Những kết quả nổi bật của",
];
const CLOSINGS: readonly ((you: string) => string)[] = [
  (you) => `Phóng viên: Xin cảm ơn ${you} về cuộc trao đổi này!`,
  () => "Phóng viên: Xin trân trọng cảm ơn!",
  (you) => `Phóng viên: Xin cảm ơn ${you}!`,
];

/** The first `n` words of a paragraph, without punctuation at either end. */
function lead(paragraph: string, n: number): string {
  return words(paragraph).slice(0, n).join(" ");
}

/**
 * One article file made of `paragraphs` (each becomes exactly one passage): a lead paragraph or
 * two, then a few "Phóng viên: …?" questions, each answered by a labelled paragraph and unlabelled
 * continuations, a closing question nobody answers, and the source mark.
 */
function articleFile(paragraphs: readonly string[], number: number, rand: Random): { name: string; text: string } {
  const date = new Date(Date.UTC(2020, 0, 1) + ((number * 37 + rand.between(0, 30)) % 1800) * 86_400_000).toISOString().slice(0, 10);
  const place = rand() < 0.5 ? `${rand.pick(PLACES)}: ` : "";
  // The number keeps titles (hence article ids: date + title) unique; a bare number, so that no
  // word is added to every title (titles are part of every passage's indexed context).
  const title = `${place}${lead(paragraphs[0]!, rand.between(6, 12)) || "Tin tức"} (${number})`;
  const written: string[] = [];
  const leads = paragraphs.length > 4 ? rand.between(1, 2) : paragraphs.length > 1 ? 1 : 0;
  written.push(...paragraphs.slice(0, leads));
  const body = paragraphs.slice(leads);
  if (body.length > 0) {
    const sections = Math.max(1, Math.min(body.length, rand.between(3, 5)));
    // Cut the body into `sections` non-empty runs.
    const cuts = new Set<number>();
    while (cuts.size < sections - 1) cuts.add(rand.between(1, body.length - 1));
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), body.length];
    const speaker = rand.pick(SPEAKERS);
    for (let s = 0; s + 1 < bounds.length; s += 1) {
      const run = body.slice(bounds[s], bounds[s + 1]);
      const topic = lead(run[0]!, rand.between(5, 10)).toLowerCase();
      written.push(`Phóng viên: ${rand.pick(INTERVIEW_QUESTIONS)(pronoun(speaker))} ${topic || "vấn đề này"}?`);
      written.push(`${speaker}: ${run[0]}`, ...run.slice(1));
    }
    written.push(rand.pick(CLOSINGS)(pronoun(speaker)));
  }
  const text = formatArticle({ date, title, paragraphs: written, site: "baosoctrang.org.vn" });
  return { name: `${date}-bai-${String(number).padStart(6, "0")}.txt`, text };
}

/** Writes `paragraphs` as ~20-paragraph articles into `dir`; every paragraph becomes one passage. */
async function writeKnowledgeDir(dir: string, paragraphs: readonly string[], seed: number, [fewest, most]: readonly [number, number]): Promise<number> {
  await mkdir(dir, { recursive: true });
  const rand = mulberry32(seed);
  let at = 0;
  let number = 0;
  const files: { name: string; text: string }[] = [];
  while (at < paragraphs.length) {
    const size = Math.min(paragraphs.length - at, rand.between(fewest, most));
    number += 1;
    files.push(articleFile(paragraphs.slice(at, at + size), number, rand));
    at += size;
  }
  for (let i = 0; i < files.length; i += 200) {
    await Promise.all(files.slice(i, i + 200).map((f) => writeFile(path.join(dir, f.name), f.text)));
  }
  return files.length;
}

// ---------------------------------------------------------------------------
// Query set

/** Questions no article answers: weather, prices, sport, greetings, other topics, English. */
const OUT_OF_SCOPE = [
  "Thời tiết Sóc Trăng ngày mai thế nào?",
  "Giá vàng hôm nay bao nhiêu?",
  "Ai vô địch World Cup 2022?",
  "xin chào",
  "cảm ơn bạn nhé",
  "Tỷ giá đô la hôm nay là bao nhiêu?",
  "Kết quả xổ số miền Nam hôm qua",
  "Cách nấu phở bò ngon",
  "Giá xăng tuần này tăng hay giảm?",
  "Đội tuyển Việt Nam đá với Thái Lan khi nào?",
  "Dân số Sóc Trăng là bao nhiêu?",
  "Học phí đại học năm nay có tăng không?",
  "Mua điện thoại ở đâu rẻ?",
  "gia lua hom nay",
  "thoi tiet can tho",
  "Ngày mai có mưa không?",
  "Bệnh viện nào gần nhất?",
  "Làm sao để đăng ký xe máy?",
  "Chứng khoán hôm nay thế nào?",
  "Lịch chiếu phim cuối tuần",
  "What's the weather like in Hanoi?",
  "How much is a bowl of pho?",
  "Tell me a joke",
  "Who won the football match last night?",
  "bitcoin price today",
  "ok",
  "?",
  "alo alo",
  "Bạn là ai?",
  "Hôm nay là thứ mấy?",
];

const QUESTION_TEMPLATES: readonly ((phrase: string) => string)[] = [
  (p) => `${p} là gì?`,
  (p) => `${p} như thế nào?`,
  (p) => `Có bao nhiêu ${p}?`,
  (p) => `Khi nào ${p}?`,
  (p) => `Tại sao ${p}?`,
  (p) => `Cho tôi biết về ${p}`,
  (p) => `${p} ở đâu?`,
  (p) => `Làm sao để ${p}?`,
];

function evalQuestions(): string[] {
  return ["dev.jsonl", "questions.jsonl"].flatMap((name) => readEvalFile(fileURLToPath(new URL(`../eval/${name}`, import.meta.url))).map((q) => q.q));
}

/**
 * `count` queries, deterministic for a seed: every eval question (dev + questions, not holdout),
 * the out-of-scope list, and the rest runs of 2–6 consecutive syllables of random passages, some
 * wrapped in a question, some typed without tone marks, some in NFD.
 */
export function buildQueries(passages: readonly string[], evalQs: readonly string[], count: number, seed: number): BenchQuery[] {
  const rand = mulberry32(seed);
  const fixed: BenchQuery[] = [...evalQs.map((q) => ({ q, kind: "eval" })), ...OUT_OF_SCOPE.map((q) => ({ q, kind: "oos" }))];
  const queries: BenchQuery[] = fixed.slice(0, count);
  const split = passages.map((p) => words(p)).filter((w) => w.length >= 2);
  while (queries.length < count && split.length > 0) {
    const w = rand.pick(split);
    const n = Math.min(w.length, rand.between(2, 6));
    const start = rand.between(0, w.length - n);
    let q = w.slice(start, start + n).join(" ");
    if (rand() < 0.5) q = q.toLowerCase();
    let kind = "phrase";
    if (rand() < 0.35) {
      q = rand.pick(QUESTION_TEMPLATES)(q);
      kind = "question";
    }
    const form = rand();
    if (form < 0.25) {
      q = stripMarks(q);
      kind = "ascii";
    } else if (form < 0.45) {
      q = q.normalize("NFD");
      kind = "nfd";
    }
    queries.push({ q, kind });
  }
  return rand.shuffle(queries);
}

// ---------------------------------------------------------------------------
// Workers (fresh processes)

const SELF = fileURLToPath(import.meta.url);
const RESULT_PREFIX = "RESULT ";
const READY_LINE = "READY";

async function readQueries(file: string): Promise<BenchQuery[]> {
  return JSON.parse(await readFile(file, "utf8")) as BenchQuery[];
}

function workerLog(message: string): void {
  process.stderr.write(`    [worker ${process.pid}] ${message}\n`);
}

interface Searcher {
  /** Runs one query; returns how many results it gave and whether it counts as answered. */
  search(q: string): { results: number; answered: boolean };
  /** hoibao: the full-text part of the last search (time and matches), measured inside it. */
  lastFullText?: { ms: number; candidates: number };
}

/** hoibao's index, with its candidate retrieval wrapped so that each search also reports its full-text part. */
function hoibaoSearcher(index: KnowledgeIndex): Searcher {
  const searcher: Searcher = {
    search(q) {
      searcher.lastFullText = { ms: 0, candidates: 0 };
      const answer = index.search(q);
      return { results: answer.hits.length, answered: answer.answered };
    },
  };
  // Private at compile time only; the wrapper adds two performance.now() calls per search.
  type Candidates = (terms: readonly string[]) => unknown[];
  const inner = index as unknown as { candidates: Candidates };
  const original = inner.candidates.bind(index);
  inner.candidates = (terms) => {
    const started = performance.now();
    const results = original(terms);
    searcher.lastFullText = { ms: performance.now() - started, candidates: results.length };
    return results;
  };
  return searcher;
}

/** Articles added while running: about 3,000 passages, enough for a merge into the base. */
const ADDITION_PASSAGES = 3_000;

/**
 * Adds articles to a built index the way the folder watcher does, one at a time, while answering
 * a question every few milliseconds, until the merge they cause is in place: how long each
 * addition and the merge hold answers up. The articles are copies of the folder's first files
 * under new titles.
 */
async function measureAdditions(index: KnowledgeIndex, knowledgeDir: string, queries: readonly BenchQuery[]): Promise<AdditionsResult> {
  const names = (await readdir(knowledgeDir)).sort();
  const articles: Article[] = [];
  let passages = 0;
  for (const name of names) {
    if (passages >= ADDITION_PASSAGES) break;
    const [dateLine, title, ...rest] = (await readFile(path.join(knowledgeDir, name), "utf8")).split("\n");
    const article = parseArticle(Buffer.from([dateLine, `${title} (bổ sung)`, ...rest].join("\n")), `added-${name}`);
    articles.push(article);
    passages += article.passages.length;
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const add: number[] = [];
  const answers: number[] = [];
  let next = 0;
  const ask = () => {
    const t = performance.now();
    index.search(queries[next++ % queries.length]!.q);
    answers.push(performance.now() - t);
  };
  const mergeStart = performance.now();
  for (const article of articles) {
    const t = performance.now();
    index.addArticle(article);
    add.push(performance.now() - t);
    ask();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  let merged = false;
  void index.idle().then(() => (merged = true));
  while (!merged) {
    ask();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const mergeMs = performance.now() - mergeStart;
  delay.disable();
  return { articles: articles.length, passages, add: stats(add), mergeMs, answers: stats(answers), eventLoopMaxMs: delay.max / 1e6 };
}

async function queryWorker(task: Extract<Task, { kind: "query" }>): Promise<QueryResult> {
  const t0 = performance.now();
  let loaded: LoadedKnowledge | undefined = await loadKnowledgeDir(task.knowledgeDir);
  const loadMs = performance.now() - t0;
  const articleCount = loaded.articles.length;
  const passageCount = loaded.articles.reduce((n, a) => n + a.passages.length, 0);
  const loadErrors = loaded.errors.length;
  const heapArticlesMb = heapAfterGc();

  let searcher: Searcher;
  let hoibaoIndex: KnowledgeIndex | undefined;
  const started = performance.now();
  if (task.engine === "hoibao") {
    // A merge the worker could not run is done on the main thread, which holds answers: the bench
    // stops rather than report that as a background merge.
    const inWorker = (request: Parameters<typeof mergeInWorker>[0]) =>
      mergeInWorker(request).catch((error: unknown) => {
        workerLog(`the merge worker failed: ${String(error)}`);
        process.exit(1);
      });
    hoibaoIndex = KnowledgeIndex.build(loaded.articles, { mergeOffThread: inWorker });
    searcher = hoibaoSearcher(hoibaoIndex);
  } else {
    const index = new MiniSearch<{ id: string; text: string }>({ fields: ["text"], idField: "id" });
    index.addAll(loaded.articles.flatMap((a) => a.passages).map((p) => ({ id: p.id, text: p.text })));
    searcher = {
      search(q) {
        const results = index.search(q).length;
        return { results, answered: results > 0 };
      },
    };
  }
  const buildMs = performance.now() - started;
  // The parsed articles are let go: what stays is what the engine keeps.
  loaded = undefined;
  const heapBuiltMb = heapAfterGc();
  workerLog(`${task.engine}: ${passageCount} passages, built in ${buildMs.toFixed(0)} ms, heap ${heapBuiltMb.toFixed(1)} MB`);

  const queries = await readQueries(task.queriesFile);
  const warmupEnd = performance.now() + task.budgetMs / 4;
  let warmedUp = 0;
  while (warmedUp < task.warmup && performance.now() < warmupEnd) searcher.search(queries[warmedUp++ % queries.length]!.q);

  const rows: { q: string; kind: string; ms: number; cpuMs: number; fullTextMs?: number; candidates?: number }[] = [];
  let results = 0;
  let answered = 0;
  const deadline = performance.now() + task.budgetMs;
  for (const { q, kind } of queries) {
    if (performance.now() > deadline) break;
    const cpu = process.cpuUsage();
    const t = performance.now();
    const outcome = searcher.search(q);
    const ms = performance.now() - t;
    const cpuUsed = process.cpuUsage(cpu);
    const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
    results += outcome.results;
    if (outcome.answered) answered += 1;
    const fullText = searcher.lastFullText;
    rows.push({ q, kind, ms, cpuMs, ...(fullText ? { fullTextMs: fullText.ms, candidates: fullText.candidates } : {}) });
  }
  const heapAfterQueriesMb = heapAfterGc();
  const offHeapMb = process.memoryUsage().arrayBuffers / MB;
  if (rows.length < queries.length) workerLog(`budget spent: ${rows.length} of ${queries.length} queries timed`);
  const additions = hoibaoIndex && (await measureAdditions(hoibaoIndex, task.knowledgeDir, queries));

  const byKind = new Map<string, number[]>();
  for (const row of rows) {
    const list = byKind.get(row.kind);
    if (list) list.push(row.ms);
    else byKind.set(row.kind, [row.ms]);
  }
  const bySlowest = [...rows].sort((a, b) => b.ms - a.ms);
  const tail = bySlowest.slice(0, Math.max(1, Math.ceil(rows.length / 100)));
  const sum = (list: readonly number[]): number => list.reduce((a, b) => a + b, 0);
  const hoibao = task.engine === "hoibao";
  return {
    kind: "query",
    engine: task.engine,
    passages: passageCount,
    articles: articleCount,
    loadErrors,
    loadMs,
    buildMs,
    heapArticlesMb,
    heapBuiltMb,
    offHeapMb,
    heapAfterQueriesMb,
    rssMb: process.memoryUsage().rss / MB,
    latency: stats(rows.map((r) => r.ms)),
    cpu: stats(rows.map((r) => r.cpuMs)),
    latencyByKind: Object.fromEntries([...byKind].map(([k, v]) => [k, stats(v)])),
    answeredShare: rows.length ? answered / rows.length : 0,
    meanResults: rows.length ? results / rows.length : 0,
    slowest: bySlowest.slice(0, 5).map(({ q, kind, ms, fullTextMs, candidates }) => ({ q, kind, ms, ...(candidates === undefined ? {} : { fullTextMs, candidates }) })),
    skipped: queries.length - rows.length,
    warmedUp,
    ...(additions ? { additions } : {}),
    ...(hoibao
      ? {
          fullText: stats(rows.map((r) => r.fullTextMs ?? 0)),
          meanCandidates: sum(rows.map((r) => r.candidates ?? 0)) / Math.max(1, rows.length),
          tailMeanCandidates: sum(tail.map((r) => r.candidates ?? 0)) / tail.length,
          tailFullTextShare: sum(tail.map((r) => r.fullTextMs ?? 0)) / Math.max(1e-9, sum(tail.map((r) => r.ms))),
        }
      : {}),
  };
}

async function readyWorker(task: Extract<Task, { kind: "ready" }>): Promise<ReadyResult> {
  const opened = await openKnowledgeBase({ knowledgeDir: task.knowledgeDir, cacheDir: task.cacheDir });
  const inProcessMs = performance.now();
  process.stdout.write(`${READY_LINE}\n`);
  return {
    kind: "ready",
    passages: opened.index.passageCount,
    fromCache: opened.fromCache,
    inProcessMs,
    heapMb: heapAfterGc(),
    offHeapMb: process.memoryUsage().arrayBuffers / MB,
    rssMb: process.memoryUsage().rss / MB,
  };
}

/** Where a warm restart spends its time, and the heap its memory (hoibao only; run on a warm cache). */
async function breakdownWorker(task: Extract<Task, { kind: "breakdown" }>): Promise<BreakdownResult> {
  const restart: Record<string, number> = { "process start → modules loaded": performance.now() };
  const heapStart = heapAfterGc();
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    restart[name] = now - t;
    t = now;
  };
  const file = await cacheFileFor(task.cacheDir, task.knowledgeDir);
  lap("list + stat the article files (cache key)");
  // In a function of its own, so that the file's bytes are garbage before the heap is measured.
  const restore = async (): Promise<KnowledgeIndex> => {
    const cached = await readCache(file);
    if (!cached) throw new Error("breakdown: no usable cache file (run the cold start first)");
    lap("read cache file + KnowledgeIndex.restore (articles included)");
    return cached.index;
  };
  const restored = await restore();
  const cacheFileMb = (await stat(file)).size / MB;
  const heapRestored = heapAfterGc();
  const heapArticles = heapStart;

  t = performance.now();
  let chars = 0;
  for (const head of restored.articleHeads) for (const p of restored.article(head.id)!.passages) chars += canonicalSyllables(p.text).map(foldSyllable).join(" ").length;
  const foldMs = performance.now() - t;
  void chars;
  return {
    kind: "breakdown",
    passages: restored.passageCount,
    cacheFileMb,
    restart,
    heap: {
      "runtime + modules": heapStart,
      "restored index with its articles": heapRestored - heapArticles,
    },
    foldMs,
  };
}

async function runWorker(task: Task): Promise<void> {
  let result: WorkerResult;
  if (task.kind === "query") result = await queryWorker(task);
  else if (task.kind === "ready") result = await readyWorker(task);
  else if (task.kind === "breakdown") result = await breakdownWorker(task);
  else {
    const inProcessMs = performance.now();
    process.stdout.write(`${READY_LINE}\n`);
    result = { kind: "noop", inProcessMs };
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

interface ChildRun<R> {
  readonly result: R;
  /** Wall time from spawn() to the READY line on its stdout, when it printed one. */
  readonly readyWallMs?: number;
}

/** Runs a task in a fresh `node --expose-gc --import tsx` process. */
function runChild<R extends WorkerResult>(task: Task, extraNodeArgs: readonly string[] = []): Promise<ChildRun<R>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--expose-gc", ...extraNodeArgs, "--import", "tsx", SELF, "--worker", JSON.stringify(task)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let readyWallMs: number | undefined;
    let buffered = "";
    let result: R | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === READY_LINE && readyWallMs === undefined) readyWallMs = performance.now() - started;
        else if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as R;
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0 || !result) reject(new Error(`bench worker ${task.kind} exited with code ${code}${result ? "" : " without a result"}`));
      else resolve({ result, ...(readyWallMs === undefined ? {} : { readyWallMs }) });
    });
  });
}

// ---------------------------------------------------------------------------
// The run

function slug(name: string): string {
  return name.replace(/\W+/g, "_");
}

function cpuProfile(dir: string, name: string): string[] {
  return ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`, `--cpu-prof-name=${name}.cpuprofile`];
}

function sizeLabel(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

export async function runBench(options: BenchOptions, log: (message: string) => void): Promise<BenchReport> {
  const began = performance.now();
  const loadStart = loadavg()[0] ?? 0;
  const root = await mkdtemp(path.join(tmpdir(), "hoibao-bench-"));
  log(`temporary corpora in ${root}`);
  // Interrupted (Ctrl-C): the workers get the signal too; remove the corpora before leaving.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!options.keep) rmSync(root, { recursive: true, force: true });
    process.stderr.write(`bench: ${signal}, temporary corpora ${options.keep ? "kept" : "removed"}\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    // Warms tsx's transform cache and gives the floor every restart pays: node + tsx + imports.
    await runChild<NoopResult>({ kind: "noop" });
    const floors: number[] = [];
    for (let i = 0; i < 3; i += 1) floors.push((await runChild<NoopResult>({ kind: "noop" })).readyWallMs ?? 0);
    const startupFloorMs = median(floors);
    log(`startup floor (node --import tsx + knowledge modules, no articles): ${startupFloorMs.toFixed(0)} ms`);

    const evalQs = evalQuestions();
    const corpora: { name: string; dir: string; requested?: number; paragraphs: readonly string[] }[] = [];
    if (options.includeReal) {
      const dir = path.resolve(options.knowledgeDir);
      const { articles } = await loadKnowledgeDir(dir);
      corpora.push({ name: `${path.basename(dir)} (real)`, dir, paragraphs: articles.flatMap((a) => a.passages.map((p) => p.text)) });
    }
    const sizes = [...options.sizes].sort((a, b) => a - b);
    if (sizes.length > 0) {
      const { loadVietnameseParagraphs } = await import("./corpus.js");
      const largest = sizes[sizes.length - 1]!;
      log(`loading ${largest} Vietnamese paragraphs (bench/corpus.ts)`);
      const all = await loadVietnameseParagraphs(largest, { log: (m) => log(`  corpus: ${m}`) });
      for (const size of sizes) {
        const dir = path.join(root, `knowledge-${size}`);
        const paragraphs = all.slice(0, size);
        const files = await writeKnowledgeDir(dir, paragraphs, options.seed ^ size, options.articleParagraphs);
        log(`wrote ${files} article files (${size} paragraphs) to ${dir}`);
        corpora.push({ name: sizeLabel(size), dir, requested: size, paragraphs });
      }
    }

    const runs: CorpusRun[] = [];
    for (const corpus of corpora) {
      log(`— corpus ${corpus.name}`);
      const queriesFile = path.join(root, `queries-${slug(corpus.name)}.json`);
      await writeFile(queriesFile, JSON.stringify(buildQueries(corpus.paragraphs, evalQs, options.queries, options.seed)));
      const engines: Partial<Record<Engine, QueryResult>> = {};
      for (const engine of options.hoibaoOnly ? (["hoibao"] as const) : (["hoibao", "minisearch"] as const)) {
        log(`  ${ENGINE_LABEL[engine]}: build + ${options.warmup} warm-up + ${options.queries} timed queries`);
        const profile = engine === "hoibao" && options.cpuProfDir ? cpuProfile(options.cpuProfDir, `hoibao-${slug(corpus.name)}`) : [];
        const { result } = await runChild<QueryResult>(
          { kind: "query", engine, knowledgeDir: corpus.dir, queriesFile, warmup: options.warmup, budgetMs: options.budgetSeconds * 1000 },
          profile,
        );
        engines[engine] = result;
        log(`  ${ENGINE_LABEL[engine]}: ${result.latency.count} queries timed, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms`);
        if (corpus.requested !== undefined && Math.abs(result.passages - corpus.requested) > corpus.requested * 0.01) {
          log(`  WARNING: ${result.passages} passages loaded for ${corpus.requested} requested`);
        }
        if (result.loadErrors > 0) log(`  WARNING: ${result.loadErrors} article files were rejected by the loader`);
      }

      // Restart to ready: cold (build + write cache), then warm (restore the cache).
      const cacheDir = path.join(root, `cache-${slug(corpus.name)}`);
      await rm(cacheDir, { recursive: true, force: true });
      const cold = await runChild<ReadyResult>({ kind: "ready", knowledgeDir: corpus.dir, cacheDir });
      if (cold.result.fromCache) throw new Error("bench: the cold start found a cache");
      log(`  restart cold (build + write cache): ${cold.readyWallMs?.toFixed(0)} ms`);
      const warm: { wall: number; inProcess: number; heap: number; offHeap: number; rss: number }[] = [];
      // Up to restartRuns warm starts, fewer when they are slow (the bench stays within minutes).
      for (let i = 0; i < options.restartRuns && (i === 0 || sumOf(warm.map((w) => w.wall)) < options.budgetSeconds * 1000); i += 1) {
        // With --cpu-prof, the last warm start of each corpus is profiled (after the timed ones).
        const run = await runChild<ReadyResult>({ kind: "ready", knowledgeDir: corpus.dir, cacheDir });
        if (!run.result.fromCache) throw new Error("bench: the warm start did not use the cache");
        warm.push({ wall: run.readyWallMs ?? Number.NaN, inProcess: run.result.inProcessMs, heap: run.result.heapMb, offHeap: run.result.offHeapMb, rss: run.result.rssMb });
      }
      const warmWall = median(warm.map((w) => w.wall));
      log(`  restart warm (from cache): ${warm.map((w) => w.wall.toFixed(0)).join(", ")} ms → median ${warmWall.toFixed(0)} ms`);

      if (options.cpuProfDir) {
        await runChild<ReadyResult>({ kind: "ready", knowledgeDir: corpus.dir, cacheDir }, cpuProfile(options.cpuProfDir, `restart-${slug(corpus.name)}`));
      }
      let breakdown: BreakdownResult | undefined;
      if (corpus.requested !== undefined && corpus.requested === sizes[sizes.length - 1]) {
        log(`  breakdown of the warm restart and of the heap (hoibao)`);
        breakdown = (await runChild<BreakdownResult>({ kind: "breakdown", knowledgeDir: corpus.dir, cacheDir })).result;
      }
      runs.push({
        name: corpus.name,
        ...(corpus.requested === undefined ? {} : { requested: corpus.requested }),
        engines,
        restartCold: { wallMs: cold.readyWallMs ?? Number.NaN, inProcessMs: cold.result.inProcessMs },
        restartWarm: {
          wallMs: warmWall,
          inProcessMs: median(warm.map((w) => w.inProcess)),
          heapMb: median(warm.map((w) => w.heap)),
          offHeapMb: median(warm.map((w) => w.offHeap)),
          rssMb: median(warm.map((w) => w.rss)),
          runs: warm.map((w) => w.wall),
        },
        ...(breakdown ? { breakdown } : {}),
      });
    }
    return {
      corpora: runs,
      startupFloorMs,
      queries: options.queries,
      warmup: options.warmup,
      budgetSeconds: options.budgetSeconds,
      totalSeconds: (performance.now() - began) / 1000,
      load: { start: loadStart, end: loadavg()[0] ?? 0, cpus: availableParallelism() },
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (options.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Report

function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "—";
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

function mb(value: number | undefined): string {
  return value === undefined ? "—" : value.toFixed(1);
}

function mark(value: number | undefined, limit: number): string {
  return value === undefined || Number.isNaN(value) ? "" : value <= limit ? " ✓" : " ✗";
}

interface Row {
  readonly corpus: string;
  readonly passages: string;
  readonly engine: string;
  readonly queries: string;
  readonly build: string;
  readonly p50: string;
  readonly p99: string;
  readonly mean: string;
  readonly max: string;
  readonly heap: string;
  readonly index: string;
  readonly cold: string;
  readonly warm: string;
}

const HEADER: Row = {
  corpus: "corpus",
  passages: "passages",
  engine: "engine",
  queries: "queries",
  build: "build ms",
  p50: "p50 ms",
  p99: "p99 ms",
  mean: "mean ms",
  max: "max ms",
  heap: "heap MB",
  index: "index MB",
  cold: "cold start ms",
  warm: "restart ms",
};

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const run of report.corpora) {
    const checked = run.requested === TARGETS.passages;
    for (const engine of ["hoibao", "minisearch"] as const) {
      const r = run.engines[engine];
      if (!r) continue;
      const t = checked && engine === "hoibao";
      const hoibao = engine === "hoibao";
      out.push({
        corpus: run.name,
        passages: String(r.passages),
        engine: ENGINE_LABEL[engine],
        queries: String(r.latency.count),
        build: ms(r.buildMs) + (t ? mark(r.buildMs, TARGETS.buildMs) : ""),
        p50: ms(r.latency.p50) + (t ? mark(r.latency.p50, TARGETS.p50Ms) : ""),
        p99: ms(r.latency.p99) + (t ? mark(r.latency.p99, TARGETS.p99Ms) : ""),
        mean: ms(r.latency.mean),
        max: ms(r.latency.max),
        heap: mb(r.heapBuiltMb) + (t ? mark(r.heapBuiltMb, TARGETS.heapMb) : ""),
        index: mb(r.heapBuiltMb - r.heapArticlesMb),
        cold: hoibao ? ms(run.restartCold?.wallMs) : "—",
        warm: hoibao ? ms(run.restartWarm?.wallMs) + (t ? mark(run.restartWarm?.wallMs, TARGETS.restartMs) : "") : "—",
      });
    }
  }
  return out;
}

const COLUMNS: readonly (keyof Row)[] = ["corpus", "passages", "engine", "queries", "build", "p50", "p99", "mean", "max", "heap", "index", "cold", "warm"];
const LEFT = new Set<keyof Row>(["corpus", "engine"]);

function targetRow(): Row {
  return {
    corpus: `target @ ${sizeLabel(TARGETS.passages)}`,
    passages: "",
    engine: "hoibao",
    queries: "",
    build: `≤ ${TARGETS.buildMs}`,
    p50: `≤ ${TARGETS.p50Ms}`,
    p99: `≤ ${TARGETS.p99Ms}`,
    mean: "",
    max: "",
    heap: `≤ ${TARGETS.heapMb}`,
    index: "",
    cold: "",
    warm: `≤ ${TARGETS.restartMs}`,
  };
}

export function textTable(report: BenchReport): string {
  const all = [HEADER, ...rows(report), targetRow()];
  const width = (c: keyof Row): number => Math.max(...all.map((r) => r[c].length));
  const line = (r: Row): string => COLUMNS.map((c) => (LEFT.has(c) ? r[c].padEnd(width(c)) : r[c].padStart(width(c)))).join("  ");
  const rule = COLUMNS.map((c) => "─".repeat(width(c))).join("  ");
  const body = all.slice(1, -1);
  const lines = [line(HEADER), rule];
  body.forEach((r, i) => {
    if (i > 0 && r.corpus !== body[i - 1]!.corpus) lines.push("");
    lines.push(line(r));
  });
  lines.push(rule, line(all[all.length - 1]!));
  return lines.join("\n");
}

export function markdownTable(report: BenchReport): string {
  const header = COLUMNS.map((c) => HEADER[c]);
  const align = COLUMNS.map((c) => (LEFT.has(c) ? ":---" : "---:"));
  const lines = [`| ${header.join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const r of [...rows(report), targetRow()]) lines.push(`| ${COLUMNS.map((c) => r[c] || " ").join(" | ")} |`);
  return lines.join("\n");
}

export function details(report: BenchReport): string {
  const out: string[] = [];
  out.push(
    `Per (corpus, engine): a fresh process; up to ${report.queries} timed queries after up to ${report.warmup} warm-up ones, within ${report.budgetSeconds} s (+25% for the warm-up).`,
    `Startup floor (fresh node --import tsx + the knowledge modules, no articles): ${ms(report.startupFloorMs)} ms.`,
    `Machine: ${report.load.cpus} CPUs, 1-minute load average ${report.load.start.toFixed(1)} at the start, ${report.load.end.toFixed(1)} at the end${
      Math.max(report.load.start, report.load.end) > report.load.cpus * 0.75 ? " — busy: wall-clock figures are inflated, compare CPU times" : ""
    }.`,
  );
  for (const run of report.corpora) {
    out.push("", `${run.name}:`);
    for (const engine of ["hoibao", "minisearch"] as const) {
      const r = run.engines[engine];
      if (!r) continue;
      const kinds = Object.entries(r.latencyByKind)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([k, s]) => `${k} ${ms(s.p50)}/${ms(s.p99)}`)
        .join(", ");
      out.push(
        `  ${ENGINE_LABEL[engine]}: ${r.articles} articles, loadKnowledgeDir ${ms(r.loadMs)} ms; heap after gc: articles only ${mb(r.heapArticlesMb)}, built ${mb(r.heapBuiltMb)}, after the queries ${mb(r.heapAfterQueriesMb)} MB; rss ${mb(r.rssMb)} MB`,
        `    ${r.latency.count} queries timed${r.skipped ? ` (${r.skipped} left untimed: budget)` : ""} after ${r.warmedUp} warm-up; p90 ${ms(r.latency.p90)} ms; CPU time p50/p99 ${ms(r.cpu.p50)}/${ms(r.cpu.p99)} ms`,
        `    p50/p99 ms by query kind: ${kinds}`,
        `    ${engine === "hoibao" ? "answered" : "≥1 result"}: ${(100 * r.answeredShare).toFixed(1)}% of queries; mean results returned ${r.meanResults.toFixed(1)}`,
      );
      if (r.fullText) {
        out.push(
          `    inside search: full-text retrieval p50/p99 ${ms(r.fullText.p50)}/${ms(r.fullText.p99)} ms, mean ${ms(r.fullText.mean)} of ${ms(r.latency.mean)} ms; ` +
            `full-text matches per query: mean ${(r.meanCandidates ?? 0).toFixed(0)} (${((100 * (r.meanCandidates ?? 0)) / Math.max(1, r.passages)).toFixed(0)}% of passages), ` +
            `slowest 1%: ${(r.tailMeanCandidates ?? 0).toFixed(0)}, ${(100 * (r.tailFullTextShare ?? 0)).toFixed(0)}% of their time in retrieval`,
        );
      }
      const slow = r.slowest.map((s) => `${ms(s.ms)} ms${s.candidates === undefined ? "" : ` (${s.candidates} matches)`} ${JSON.stringify(s.q)}`);
      out.push(`    slowest: ${slow.join("; ")}`);
      out.push(`    memory after the queries (parsed articles let go): heap ${mb(r.heapAfterQueriesMb)} + off-heap ${mb(r.offHeapMb)} MB`);
      const a = r.additions;
      if (a) {
        out.push(
          `    additions while answering: ${a.articles} articles (${a.passages} passages) one by one: addArticle p50/max ${ms(a.add.p50)}/${ms(a.add.max)} ms; ` +
            `merged into the base in ${ms(a.mergeMs)} ms (worker); ${a.answers.count} answers meanwhile p50/p99/max ${ms(a.answers.p50)}/${ms(a.answers.p99)}/${ms(a.answers.max)} ms; event loop held at most ${ms(a.eventLoopMaxMs)} ms`,
        );
      }
    }
    if (run.restartWarm) {
      out.push(
        `  hoibao restart: cold ${ms(run.restartCold?.wallMs)} ms (build + write cache; in-process ${ms(run.restartCold?.inProcessMs)}); ` +
          `warm runs ${run.restartWarm.runs.map(ms).join(", ")} ms (in-process ${ms(run.restartWarm.inProcessMs)}); ` +
          `after a warm start: heap ${mb(run.restartWarm.heapMb)} + off-heap ${mb(run.restartWarm.offHeapMb)} = ${mb(run.restartWarm.heapMb + run.restartWarm.offHeapMb)} MB, RSS ${mb(run.restartWarm.rssMb)} MB`,
      );
    }
    const b = run.breakdown;
    if (b) {
      out.push(
        `  warm restart stages (cache file ${mb(b.cacheFileMb)} MB): ${Object.entries(b.restart).map(([k, v]) => `${k} ${ms(v)} ms`).join("; ")}`,
        `  heap after a warm start: ${Object.entries(b.heap).map(([k, v]) => `${k} ${mb(v)} MB`).join("; ")}`,
        `  build: canonicalSyllables + fold of every passage ${ms(b.foldMs)} ms (the rest of the build is the term index)`,
      );
    }
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------
// Command line: `npm run bench:search -- [options]` (see usage), and the worker entry
// `node --expose-gc --import tsx bench/search-bench.ts --worker '<task json>'`.

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench:search -- [--sizes 1000,10000,100000] [--queries N] [--warmup N] [--budget SECONDS] [--restarts N] [--no-real] [--knowledge DIR] [--hoibao-only] [--cpu-prof DIR] [--keep]\n`);
  process.exit(2);
}

function count(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 0) usage(`${flag} needs a whole number`);
  return n;
}

function parseCliArgs(args: readonly string[]): BenchOptions {
  let options: BenchOptions = DEFAULT_OPTIONS;
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (flag) {
      case "--sizes": {
        const list = value() ?? usage("--sizes needs a list");
        options = { ...options, sizes: list.split(",").filter(Boolean).map((s) => count(s.trim(), "--sizes")) };
        break;
      }
      case "--queries":
        options = { ...options, queries: count(value(), flag) };
        break;
      case "--budget":
        options = { ...options, budgetSeconds: Math.max(1, count(value(), flag)) };
        break;
      case "--warmup":
        options = { ...options, warmup: count(value(), flag) };
        break;
      case "--restarts":
        options = { ...options, restartRuns: Math.max(1, count(value(), flag)) };
        break;
      case "--seed":
        options = { ...options, seed: count(value(), flag) };
        break;
      case "--no-real":
        options = { ...options, includeReal: false };
        break;
      case "--knowledge":
        options = { ...options, knowledgeDir: value() ?? usage("--knowledge needs a folder") };
        break;
      case "--hoibao-only":
        options = { ...options, hoibaoOnly: true };
        break;
      case "--cpu-prof":
        options = { ...options, cpuProfDir: value() ?? usage("--cpu-prof needs a folder") };
        break;
      case "--article-paragraphs": {
        const [fewest, most] = (value() ?? usage("--article-paragraphs needs MIN-MAX")).split("-").map((n) => count(n, flag));
        if (!fewest || !most || fewest > most) usage("--article-paragraphs needs MIN-MAX, e.g. 8-12");
        options = { ...options, articleParagraphs: [fewest!, most!] };
        break;
      }
      case "--keep":
        options = { ...options, keep: true };
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  }
  return options;
}

async function runCli(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2));
  const report = await runBench(options, (message) => process.stderr.write(`[bench] ${message}\n`));
  console.log(textTable(report));
  console.log(`\n${details(report)}`);
  console.log(`\nMarkdown (for README):\n\n${markdownTable(report)}`);
  console.log(`\n(query figures: per query, performance.now() around search(); heap = heapUsed after gc with the articles loaded; index = heap minus the parsed articles alone; restart = wall time from spawning \`node --import tsx\` to "ready" with a warm index cache; total bench time ${report.totalSeconds.toFixed(0)} s)`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  if (process.argv[2] === "--worker") await runWorker(JSON.parse(process.argv[3] ?? "{}") as Task);
  else await runCli();
}
