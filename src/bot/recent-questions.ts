/**
 * Recently asked questions, by a short key, so a "next match" button (64 bytes of callback data)
 * can point at a question of any length. Bounded: the oldest entries go first, and a button whose
 * entry is gone gets a polite "ask again".
 */
import { randomFillSync } from "node:crypto";

const KEY_BYTES = 6;

export class RecentQuestions {
  private readonly queries = new Map<string, string>();
  /** Random bytes drawn in bulk: one system call per thousand keys, not one per key. */
  private readonly pool = Buffer.alloc(KEY_BYTES * 1024);
  private poolOffset = this.pool.length;

  constructor(private readonly capacity = 10_000) {}

  /** Remembers a question; returns its key (8 characters of [A-Za-z0-9_-]). */
  remember(query: string): string {
    if (this.poolOffset === this.pool.length) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    const key = this.pool.toString("base64url", this.poolOffset, (this.poolOffset += KEY_BYTES));
    this.queries.set(key, query);
    if (this.queries.size > this.capacity) this.queries.delete(this.queries.keys().next().value!);
    return key;
  }

  recall(key: string): string | undefined {
    return this.queries.get(key);
  }
}
