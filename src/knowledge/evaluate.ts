/**
 * Answer quality on a question file. Each question ends in one of five outcomes:
 * - in scope: `confident-right` (confident, the right passage first), `related-right` (only
 *   related, the right passage first), `confident-wrong` (confident, another passage first: the
 *   worst outcome), `related-wrong` or `declined`;
 * - out of scope: `declined`, `related` (closest passages offered, labelled as such) or
 *   `confident-wrong` (a confident answer where none exists).
 */
import { readFileSync } from "node:fs";
import type { KnowledgeIndex } from "./search-index.js";

/** One line of a question file: `expect` lists phrases any of which the top passage must contain; null = must decline. */
export interface EvalQuestion {
  readonly q: string;
  readonly expect: readonly string[] | null;
  readonly cat?: string;
  readonly article?: string;
}

export type Outcome = "confident-right" | "related-right" | "confident-wrong" | "related-wrong" | "related" | "declined";

/** Counts of outcomes for a group of questions (a category, an article, all). */
export interface Tally {
  readonly group: string;
  total: number;
  /** In scope: confident and right. Out of scope: declined (related passages offered count too). */
  correct: number;
  /** In scope: right passage first, whatever the tier. */
  rightFirst: number;
  confidentWrong: number;
  declined: number;
}

export interface EvalResult {
  readonly question: EvalQuestion;
  readonly outcome: Outcome;
  /** The start of the top passage, or "declined". */
  readonly got: string;
}

export interface EvalReport {
  readonly categories: readonly Tally[];
  readonly articles: readonly Tally[];
  readonly inScope: Tally;
  readonly outOfScope: Tally;
  readonly results: readonly EvalResult[];
  /** Questions not answered confidently and right (in scope), or answered confidently (out of scope). */
  readonly failures: readonly EvalResult[];
}

/**
 * Reads a question file (JSON Lines, one question a line). Throws an error naming the file, and
 * the line when one is not a question.
 */
export function readEvalFile(file: string): EvalQuestion[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `eval: ${file}: no such file` : `eval: ${file}: cannot be read (${(error as Error).message})`);
  }
  return parseEvalFile(text, file);
}

/** The questions of a question file's text; `file` names it in errors. */
export function parseEvalFile(text: string, file: string): EvalQuestion[] {
  return text
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line)
    .map(({ line, number }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`eval: ${file}:${number}: not a JSON object`);
      }
      const q = (value as EvalQuestion).q;
      const expect = (value as EvalQuestion).expect;
      if (typeof q !== "string" || !(expect === null || (Array.isArray(expect) && expect.every((e) => typeof e === "string")))) {
        throw new Error(`eval: ${file}:${number}: needs {"q": string, "expect": string[] | null}`);
      }
      return value as EvalQuestion;
    });
}

const tally = (group: string): Tally => ({ group, total: 0, correct: 0, rightFirst: 0, confidentWrong: 0, declined: 0 });

/** Out-of-scope questions are correct when not answered with confidence. */
function isCorrect(question: EvalQuestion, outcome: Outcome): boolean {
  return question.expect === null ? outcome === "declined" || outcome === "related" : outcome === "confident-right";
}

export function evaluate(index: KnowledgeIndex, questions: readonly EvalQuestion[]): EvalReport {
  const categories = new Map<string, Tally>();
  const articles = new Map<string, Tally>();
  const inScope = tally("in scope");
  const outOfScope = tally("out of scope");
  const results: EvalResult[] = [];
  for (const question of questions) {
    const answer = index.search(question.q);
    const top = answer.hits[0];
    const right = Boolean(top && question.expect?.some((e) => top.passage.text.includes(e)));
    const outcome: Outcome =
      answer.tier === "none" ? "declined" : question.expect === null ? (answer.tier === "confident" ? "confident-wrong" : "related") : `${answer.tier === "confident" ? "confident" : "related"}-${right ? "right" : "wrong"}`;
    results.push({ question, outcome, got: top ? top.passage.text.slice(0, 80) : "declined" });
    const category = question.cat ?? (question.expect === null ? "oos" : "in-scope");
    const groups = [inOrNew(categories, category), question.expect === null ? outOfScope : inScope];
    if (question.article && question.expect !== null) groups.push(inOrNew(articles, question.article));
    for (const group of groups) {
      group.total += 1;
      if (isCorrect(question, outcome)) group.correct += 1;
      if (right) group.rightFirst += 1;
      if (outcome === "confident-wrong") group.confidentWrong += 1;
      if (outcome === "declined") group.declined += 1;
    }
  }
  return {
    categories: [...categories.values()],
    articles: [...articles.values()].sort((a, b) => a.group.localeCompare(b.group)),
    inScope,
    outOfScope,
    results,
    failures: results.filter((r) => !isCorrect(r.question, r.outcome)),
  };
}

function inOrNew(map: Map<string, Tally>, group: string): Tally {
  let t = map.get(group);
  if (!t) {
    t = tally(group);
    map.set(group, t);
  }
  return t;
}
