/**
 * npm run bench [-- options]: search speed and memory, hoibao's index against a bare minisearch,
 * on the real knowledge folder and on synthetic corpora of 1k, 10k and 100k passages.
 *
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
import { type BenchOptions, DEFAULT_OPTIONS, details, markdownTable, runBench, textTable } from "../../bench/search-bench.js";

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--sizes 1000,10000,100000] [--queries N] [--warmup N] [--budget SECONDS] [--restarts N] [--no-real] [--knowledge DIR] [--hoibao-only] [--cpu-prof DIR] [--keep]\n`);
  process.exit(2);
}

function count(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 0) usage(`${flag} needs a whole number`);
  return n;
}

function parseArgs(args: readonly string[]): BenchOptions {
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
      case "--keep":
        options = { ...options, keep: true };
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const report = await runBench(options, (message) => process.stderr.write(`[bench] ${message}\n`));
console.log(textTable(report));
console.log(`\n${details(report)}`);
console.log(`\nMarkdown (for README):\n\n${markdownTable(report)}`);
console.log(`\n(query figures: per query, performance.now() around search(); heap = heapUsed after gc with the articles loaded; index = heap minus the parsed articles alone; restart = wall time from spawning \`node --import tsx\` to "ready" with a warm index cache; total bench time ${report.totalSeconds.toFixed(0)} s)`);
