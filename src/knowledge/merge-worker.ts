/**
 * The merge worker: joins the kept articles of the base and the recent segment into one store and
 * builds its term indexes, in a thread of its own, so a merge of a million passages never holds
 * an answer up. It reads the stores' arrays in shared memory and hands the index arrays back
 * without a copy.
 */
import { parentPort } from "node:worker_threads";
import { type StoreArrays, concatArrays } from "./article-store.js";
import { buildSegmentIndexes } from "./segment-indexes.js";

export interface MergeRequest {
  readonly parts: readonly { readonly arrays: StoreArrays; readonly keep: Uint8Array }[];
}

parentPort?.once("message", (request: MergeRequest) => {
  const arrays = concatArrays(request.parts);
  const indexes = buildSegmentIndexes(arrays);
  const buffers = [indexes.text, indexes.context].flatMap((data) => Object.values(data).map((array: Uint8Array) => array.buffer as ArrayBuffer));
  parentPort!.postMessage({ arrays, indexes }, [...new Set(buffers)]);
});
