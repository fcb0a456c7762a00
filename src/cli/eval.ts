/**
 * npm run eval -- <file.jsonl> [more.jsonl] [--failures] [--articles]: answer quality on question
 * files, per category (and per article with --articles).
 */
import { type EvalQuestion, type EvalReport, type Tally, evaluate, readEvalFile } from "../knowledge/evaluate.js";
import { commandLine } from "./arguments.js";
import { loadConfig, loggerFor, openKnowledge } from "./bootstrap.js";

const percent = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(1)}%` : "n/a");

function row(t: Tally, oos: boolean): string {
  const name = t.group.padEnd(12);
  if (oos) return `  ${name} ${String(t.total).padStart(4)}  declined or related ${t.correct}/${t.total} = ${percent(t.correct, t.total)}, confident ${t.confidentWrong}`;
  return `  ${name} ${String(t.total).padStart(4)}  confident right ${String(t.correct).padStart(3)} = ${percent(t.correct, t.total).padStart(6)}  right first ${String(t.rightFirst).padStart(3)} = ${percent(t.rightFirst, t.total).padStart(6)}  confident wrong ${String(t.confidentWrong).padStart(2)}  declined ${String(t.declined).padStart(3)}`;
}

function print(file: string, report: EvalReport, options: { failures: boolean; articles: boolean }): void {
  console.log(`\n${file}`);
  for (const c of report.categories) console.log(row(c, c.group === "oos"));
  if (options.articles) for (const a of report.articles) console.log(row(a, false));
  const i = report.inScope;
  const o = report.outOfScope;
  console.log(`  in scope: confident right ${i.correct}/${i.total} = ${percent(i.correct, i.total)}, right first ${percent(i.rightFirst, i.total)}, confident wrong ${i.confidentWrong} = ${percent(i.confidentWrong, i.total)}, declined ${i.declined}`);
  console.log(`  out of scope: not answered ${o.correct}/${o.total} = ${percent(o.correct, o.total)} (declined ${o.declined}, related ${o.correct - o.declined}), confident ${o.confidentWrong}`);
  if (options.failures) for (const f of report.failures) console.log(`  ${f.outcome.padEnd(15)} [${f.question.cat ?? "?"}] ${JSON.stringify(f.question.q)} → ${f.got}`);
}

const USAGE = `usage: npm run eval -- <questions.jsonl> [more.jsonl …] [--failures] [--articles]
Answer quality of the articles in KNOWLEDGE_DIR on question files (docs/answer-quality.md):
per category, confident right, right first, confident wrong, declined.
  --failures   list every question not answered confidently and right
  --articles   also per article`;

async function main(): Promise<void> {
  const { values, positionals: files } = commandLine({
    name: "eval",
    usage: USAGE,
    options: { failures: { type: "boolean" }, articles: { type: "boolean" } },
    positionals: true,
  });
  if (files.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  // Every file is read and checked before the knowledge base is opened: a typo fails at once.
  const sets: { file: string; questions: EvalQuestion[] }[] = [];
  for (const file of files) {
    try {
      sets.push({ file, questions: readEvalFile(file) });
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
  }
  const config = loadConfig();
  const { index } = await openKnowledge(config, loggerFor(config));
  const options = { failures: values.failures === true, articles: values.articles === true };
  for (const { file, questions } of sets) print(file, evaluate(index, questions), options);
}

await main();
