/**
 * The two term indexes of a segment, built from a store's arrays alone (passages' folded texts and
 * contexts' folded texts), so that a merge worker can build them while the bot answers.
 */
import type { StoreArrays } from "./article-store.js";
import { TermIndex, type TermIndexData } from "./term-index.js";

export interface SegmentIndexes {
  /** Documents are the store's passages. */
  readonly text: TermIndexData;
  /** Documents are the store's contexts. */
  readonly context: TermIndexData;
}

export function buildSegmentIndexes(arrays: StoreArrays): SegmentIndexes {
  return {
    text: TermIndex.build(decodeAll(arrays.foldedBytes, arrays.foldedEnds)).data,
    context: TermIndex.build(decodeAll(arrays.contextBytes, arrays.contextEnds)).data,
  };
}

/** Every string of a blob (UTF-8 bytes, the end offset of each). */
function decodeAll(bytes: Uint8Array, ends: Uint32Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i += 1) {
    strings[i] = buffer.toString("utf8", start, ends[i]);
    start = ends[i]!;
  }
  return strings;
}
