/**
 * The two term indexes of a segment, built from a store's arrays alone (passages' folded texts and
 * contexts' folded texts), so that a merge worker can build them while the bot answers.
 */
import { type StoreArrays, asBuffer, stringAt } from "./article-store.js";
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
  const buffer = asBuffer(bytes);
  return Array.from(ends, (_, i) => stringAt(buffer, ends, i));
}
