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

/**
 * The process's Node options for the worker (a loader such as tsx's included), without those that
 * name what the main thread runs (an -e script), which a worker refuses or would run again.
 */
function workerExecArgv(): string[] {
  const options: string[] = [];
  for (let i = 0; i < process.execArgv.length; i += 1) {
    const option = process.execArgv[i]!;
    if (["-e", "--eval", "-p", "--print"].includes(option)) i += 1;
    else if (!option.startsWith("--input-type")) options.push(option);
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
