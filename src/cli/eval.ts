/** npm run eval -- <file.jsonl> [more.jsonl]: retrieval quality on question files. */
import { readFile } from "node:fs/promises";
import { type EvalReport, evaluate, parseEvalFile } from "../knowledge/evaluate.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

const percent = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(1)}%` : "n/a");

function print(file: string, report: EvalReport): void {
  console.log(`\n${file}`);
  for (const c of report.categories) console.log(`  ${c.category.padEnd(10)} ${String(c.correct).padStart(3)}/${String(c.total).padEnd(3)} ${percent(c.correct, c.total)}`);
  console.log(`  in-scope top-1: ${report.inScope.correct}/${report.inScope.total} = ${percent(report.inScope.correct, report.inScope.total)}`);
  console.log(`  out-of-scope declined: ${report.outOfScope.declined}/${report.outOfScope.total} = ${percent(report.outOfScope.declined, report.outOfScope.total)}`);
  console.log(`  coverage margins: lowest answered ${report.lowestAnsweredCoverage.toFixed(2)}, highest out-of-scope ${report.highestDeclinedCoverage.toFixed(2)}`);
  for (const f of report.failures) console.log(`  FAIL [${f.question.cat ?? "?"}] ${JSON.stringify(f.question.q)} → ${f.got}`);
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: npm run eval -- <questions.jsonl> [more.jsonl …]\n");
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const { index } = await openKnowledge(config, loggerFor(config));
  for (const file of files) print(file, evaluate(index, parseEvalFile(await readFile(file, "utf8"), file)));
}

await main();
