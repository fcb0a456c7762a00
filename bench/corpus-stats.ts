/**
 * Prints statistics and samples of the benchmark corpus so a human can judge its realism.
 *
 *   npx tsx bench/corpus-stats.ts 100000 [--cache-dir DIR] [--samples N]
 */
import { loadVietnameseCorpus } from "./corpus.js";

function usage(): never {
  console.error("usage: npx tsx bench/corpus-stats.ts COUNT [--cache-dir DIR] [--samples N]");
  process.exit(2);
}

const args = process.argv.slice(2);
let count: number | undefined;
let cacheDir: string | undefined;
let samples = 3;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--cache-dir") cacheDir = args[++i] ?? usage();
  else if (a === "--samples") samples = Number(args[++i] ?? usage());
  else if (a !== undefined && /^\d+$/.test(a)) count = Number(a);
  else usage();
}
if (count === undefined || !Number.isInteger(samples) || samples < 0) usage();

const t0 = performance.now();
let corpus: Awaited<ReturnType<typeof loadVietnameseCorpus>>;
try {
  corpus = await loadVietnameseCorpus(count, {
    cacheDir,
    log: (msg) => console.error(`[corpus] ${msg}`),
  });
} catch (err) {
  console.error(`corpus-stats: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const loadMs = performance.now() - t0;

function syllables(p: string): string[] {
  return p.toLowerCase().match(/\p{L}+/gu) ?? [];
}

function describe(label: string, paragraphs: readonly string[]): Map<string, number> {
  const freq = new Map<string, number>();
  let total = 0;
  for (const p of paragraphs) {
    for (const s of syllables(p)) {
      freq.set(s, (freq.get(s) ?? 0) + 1);
      total++;
    }
  }
  const avg = paragraphs.length ? total / paragraphs.length : 0;
  console.log(
    `${label}: ${paragraphs.length} paragraphs, ${total} syllables, ` +
      `${avg.toFixed(1)} syllables/paragraph, ${freq.size} distinct syllables`,
  );
  return freq;
}

const { paragraphs, realCount, generatedCount } = corpus;
const real = paragraphs.slice(0, realCount);
const generated = paragraphs.slice(realCount);

console.log(`cache file: ${corpus.cacheFile} (${corpus.realAvailable} real paragraphs available)`);
console.log(`load time: ${loadMs.toFixed(0)} ms`);
console.log(`requested ${count}: ${realCount} real + ${generatedCount} generated = ${paragraphs.length}`);
const all = describe("all", paragraphs);
if (real.length) describe("real", real);
if (generated.length) describe("generated", generated);

const top = [...all.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
console.log(`top 20 syllables: ${top.map(([s, n]) => `${s} (${n})`).join(", ")}`);

function pick(list: readonly string[], n: number): string[] {
  if (list.length <= n) return [...list];
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step + step / 2)] ?? "");
}

for (const [label, list] of [
  ["real", real],
  ["generated", generated],
] as const) {
  if (!list.length || samples === 0) continue;
  console.log(`\n--- sample ${label} paragraphs ---`);
  for (const p of pick(list, samples)) console.log(`\n${p}`);
}
