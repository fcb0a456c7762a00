/**
 * Asks the knowledge base from a terminal.
 *   npm run ask -- "câu hỏi"            a readable answer
 *   npm run --silent ask -- --json       questions from stdin, one JSON answer per line on stdout
 */
import { createInterface } from "node:readline";
import { passageUrl } from "../knowledge/article.js";
import { displayDate } from "../knowledge/dates.js";
import type { Answer, KnowledgeIndex } from "../knowledge/search-index.js";
import { clip } from "../text.js";
import { commandLine } from "./arguments.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

/** The stable machine contract of `ask --json` (benchmarks read it). */
export interface JsonAnswer {
  readonly query: string;
  /** True only for a confident answer. */
  readonly answered: boolean;
  /** confident, related (results may not answer) or none (declined: no results). */
  readonly tier: Answer["tier"];
  readonly results: readonly {
    readonly id: string;
    readonly article: string;
    readonly question: string | null;
    readonly text: string;
    /** The sentence (or two) of the passage that answers. */
    readonly sentence: string;
    readonly score: number;
    readonly url: string;
  }[];
}

export function toJsonAnswer(answer: Answer): JsonAnswer {
  return {
    query: answer.query,
    answered: answer.answered,
    tier: answer.tier,
    results: answer.hits.map((hit) => ({
      id: hit.passage.id,
      article: hit.article.title,
      question: hit.section?.question ?? null,
      text: hit.passage.text,
      sentence: hit.sentence,
      score: Math.round(hit.score * 1000) / 1000,
      url: passageUrl(hit.article, hit.passage),
    })),
  };
}

/** A reader's view: the interview question, the passage, who said it and where, or an honest no. */
export function formatAnswer(answer: Answer, index: KnowledgeIndex): string {
  const best = answer.hits[0];
  if (!best || answer.tier === "none") {
    const questions = index.articleHeads.flatMap((a) => a.sections.map((s) => `  • ${s.question}`));
    return [
      "Bài báo không nói về điều này. (Not in the article.)",
      ...(questions.length ? ["", "Bạn có thể hỏi (you can ask):", ...questions] : []),
    ].join("\n");
  }
  const { article, passage, section } = best;
  const lines: string[] = [];
  if (answer.tier === "related") lines.push("Có thể chưa đúng câu hỏi của bạn — các đoạn gần nhất: (Not sure: the closest passages.)", "");
  if (section) lines.push(`${section.asker}: ${section.question}`, "");
  if (best.sentence !== passage.text) lines.push(`» ${best.sentence}`, "");
  lines.push(`“${passage.text}”`, "");
  lines.push(`— ${section?.answerer ?? article.source.name}`);
  lines.push(`${article.title} (${displayDate(article.date)}, ${article.source.name})`);
  lines.push(passageUrl(article, passage));
  const more = answer.hits.slice(1);
  if (more.length) {
    lines.push("", "Đoạn khác (more matches):");
    for (const hit of more) lines.push(`  • ${clip(hit.passage.text, 101)}`);
  }
  return lines.join("\n");
}

const USAGE = `usage: npm run ask -- "câu hỏi"                  a readable answer
       npm run --silent ask -- --json < questions.txt
                                            one JSON answer per line of stdin (README: ask --json)
Answers from the articles of KNOWLEDGE_DIR.`;

async function main(): Promise<void> {
  const { values, positionals } = commandLine({ name: "ask", usage: USAGE, options: { json: { type: "boolean" } }, positionals: true });
  const json = values.json === true;
  const question = positionals.join(" ").trim();
  const config = loadConfig();
  const logger = loggerFor(config);
  const { index } = await openKnowledge(config, logger);

  if (question) {
    const answer = index.search(question);
    process.stdout.write(json ? `${JSON.stringify(toJsonAnswer(answer))}\n` : `${formatAnswer(answer, index)}\n`);
    return;
  }
  if (!json) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  // One line in, one line out, same order; blank lines are questions too (answered: false).
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    process.stdout.write(`${JSON.stringify(toJsonAnswer(index.search(line)))}\n`);
  }
}

await main();
