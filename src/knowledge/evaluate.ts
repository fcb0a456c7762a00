/** Retrieval quality on a question file: top-1 accuracy per category and out-of-scope declines. */
import type { KnowledgeIndex } from "./search-index.js";

/** One line of a question file: `expect` lists phrases any of which the top passage must contain; null = must decline. */
export interface EvalQuestion {
  readonly q: string;
  readonly expect: readonly string[] | null;
  readonly cat?: string;
}

export interface CategoryScore {
  readonly category: string;
  readonly total: number;
  readonly correct: number;
}

export interface EvalFailure {
  readonly question: EvalQuestion;
  /** What the bot did: the start of its top passage, or "declined". */
  readonly got: string;
}

export interface EvalReport {
  readonly categories: readonly CategoryScore[];
  readonly inScope: { readonly total: number; readonly correct: number };
  readonly outOfScope: { readonly total: number; readonly declined: number };
  readonly failures: readonly EvalFailure[];
  /** Lowest coverage of a correct in-scope answer and highest of an out-of-scope question: the threshold's margins. */
  readonly lowestAnsweredCoverage: number;
  readonly highestDeclinedCoverage: number;
}

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

export function evaluate(index: KnowledgeIndex, questions: readonly EvalQuestion[]): EvalReport {
  const categories = new Map<string, { total: number; correct: number }>();
  const failures: EvalFailure[] = [];
  let inTotal = 0;
  let inCorrect = 0;
  let oosTotal = 0;
  let oosDeclined = 0;
  let lowestAnswered = 1;
  let highestDeclined = 0;
  for (const question of questions) {
    const category = question.cat ?? (question.expect === null ? "oos" : "in-scope");
    const score = categories.get(category) ?? { total: 0, correct: 0 };
    categories.set(category, score);
    const answer = index.search(question.q);
    const top = answer.hits[0];
    const ok = question.expect === null ? !answer.answered : Boolean(top && question.expect.some((e) => top.passage.text.includes(e)));
    score.total += 1;
    if (ok) score.correct += 1;
    if (question.expect === null) {
      oosTotal += 1;
      if (ok) oosDeclined += 1;
      highestDeclined = Math.max(highestDeclined, bestCoverage(index, question.q));
    } else {
      inTotal += 1;
      if (ok) {
        inCorrect += 1;
        lowestAnswered = Math.min(lowestAnswered, top!.coverage);
      }
    }
    if (!ok) failures.push({ question, got: top ? top.passage.text.slice(0, 80) : "declined" });
  }
  return {
    categories: [...categories].map(([category, s]) => ({ category, ...s })),
    inScope: { total: inTotal, correct: inCorrect },
    outOfScope: { total: oosTotal, declined: oosDeclined },
    failures,
    lowestAnsweredCoverage: lowestAnswered,
    highestDeclinedCoverage: highestDeclined,
  };
}

/** The best coverage any passage reaches, threshold aside: how close a declined question came. */
function bestCoverage(index: KnowledgeIndex, query: string): number {
  return index.search(query, 1, { threshold: 0 }).hits[0]?.coverage ?? 0;
}
