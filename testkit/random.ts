/**
 * Seeded randomness for the benches and the tests: the same seed draws the same corpus, questions
 * and hostile messages on every machine, so a run can be repeated and two runs compared.
 */

/** A number in [0, 1) at each call, with the draws the benches and tests make from it. */
export interface Random {
  (): number;
  /** A whole number in [0, n). */
  int(n: number): number;
  /** A whole number in [lo, hi], both ends included. */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: a small, fast 32-bit generator, good enough for drawing test data. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return Object.assign(next, {
    int,
    between: (lo: number, hi: number): number => lo + int(hi - lo + 1),
    chance: (p: number): boolean => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error("random: pick from an empty list");
      return items[int(items.length)]!;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  });
}
