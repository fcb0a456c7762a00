/** Runs a merge in the merge worker (merge-worker.ts) and gives its result. */
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { StoreArrays } from "./article-store.js";
import type { MergeRequest } from "./merge-worker.js";
import type { SegmentIndexes } from "./segment-indexes.js";

export interface MergeResult {
  readonly arrays: StoreArrays;
  readonly indexes: SegmentIndexes;
}

/** The worker beside this module: merge-worker.js in dist/, merge-worker.ts under tsx (benchmarks). */
const EXTENSION = path.extname(new URL(import.meta.url).pathname) || ".js";
const WORKER = new URL(`./merge-worker${EXTENSION}`, import.meta.url);

/** A worker does not inherit tsx's module hooks: under tsx it registers them before loading the worker. */
function startWorker(): Worker {
  const execArgv = workerExecArgv();
  if (EXTENSION !== ".ts") return new Worker(WORKER, { execArgv });
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv });
}

/** The Node options that say how modules load (a loader such as tsx's): all a worker needs. */
const MODULE_OPTIONS = ["--import", "--require", "-r", "--loader", "--experimental-loader", "--conditions", "-C"];

/**
 * The process's module-loading options, for the worker. Only those: a worker refuses per-process
 * options (--expose-gc, --max-old-space-size) and would run an -e script again.
 */
function workerExecArgv(): string[] {
  const options: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i += 1) {
    const option = argv[i]!;
    if (MODULE_OPTIONS.includes(option) && i + 1 < argv.length) options.push(option, argv[++i]!);
    else if (MODULE_OPTIONS.some((name) => option.startsWith(`${name}=`))) options.push(option);
  }
  return options;
}

export function mergeInWorker(request: MergeRequest): Promise<MergeResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    // A merge under way never keeps the process alive: at exit the files are still the truth.
    worker.unref();
    worker.once("message", (result: MergeResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`knowledge: the merge worker stopped (exit code ${code}) before it answered`)));
    worker.postMessage(request);
  });
}
