import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../testkit/random.js";

describe("mulberry32", () => {
  it("draws the same sequence for a seed on every run (the benches' corpora and questions depend on it)", () => {
    const random = mulberry32(1);
    expect([random(), random(), random()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(Array.from({ length: 5 }, mulberry32(42))).toEqual(Array.from({ length: 5 }, mulberry32(42)));
  });

  it("draws whole numbers within their bounds, picks from a list, shuffles in place keeping every item", () => {
    const random = mulberry32(7);
    for (let i = 0; i < 1000; i += 1) {
      const n = random.int(3);
      expect(n >= 0 && n < 3 && Number.isInteger(n)).toBe(true);
      const b = random.between(2, 4);
      expect(b >= 2 && b <= 4 && Number.isInteger(b)).toBe(true);
    }
    expect(["a", "b"]).toContain(random.pick(["a", "b"]));
    expect(() => random.pick([])).toThrow(/empty list/);
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = random.shuffle(items);
    expect(shuffled).toBe(items);
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
