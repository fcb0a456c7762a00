/**
 * Recently asked questions, by a short key, so a "next match" button (64 bytes of callback data)
 * can point at a question of any length. Bounded: the oldest entries go first, and a button whose
 * entry is gone gets a polite "ask again".
 */
import { randomBytes } from "node:crypto";

export class RecentAnswers {
  private readonly queries = new Map<string, string>();

  constructor(private readonly capacity = 10_000) {}

  /** Remembers a question; returns its key (8 characters of [A-Za-z0-9_-]). */
  remember(query: string): string {
    const key = randomBytes(6).toString("base64url");
    this.queries.set(key, query);
    if (this.queries.size > this.capacity) this.queries.delete(this.queries.keys().next().value!);
    return key;
  }

  recall(key: string): string | undefined {
    return this.queries.get(key);
  }
}
