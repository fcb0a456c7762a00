import { describe, expect, it } from "vitest";
import { clip } from "../src/text.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("clip", () => {
  it("leaves text within the limit as it is", () => {
    expect(clip("một hai", 7)).toBe("một hai");
    expect(clip("", 0)).toBe("");
  });

  it("cuts at the last white space near the limit and adds an ellipsis", () => {
    expect(clip("một hai ba bốn", 9)).toBe("một hai…");
    expect(clip("một hai\nba bốn", 9)).toBe("một hai…");
    expect(clip("một hai ba bốn", 9).length).toBeLessThanOrEqual(9);
  });

  it("cuts inside a word that is longer than the last stretch of the limit", () => {
    expect(clip(`a ${"b".repeat(20)}`, 10)).toBe(`a ${"b".repeat(7)}…`);
  });

  it("never splits a surrogate pair", () => {
    const emoji = "😀".repeat(10);
    for (let limit = 1; limit < emoji.length; limit += 1) {
      const cut = clip(emoji, limit);
      expect(cut.length).toBeLessThanOrEqual(limit);
      expect(cut).not.toMatch(LONE_SURROGATE);
    }
  });

  it("never separates a combining mark from its letter", () => {
    const decomposed = "khó khăn".normalize("NFD").repeat(3);
    for (let limit = 1; limit < decomposed.length; limit += 1) {
      const cut = clip(decomposed, limit);
      expect(cut.length).toBeLessThanOrEqual(limit);
      expect(cut).not.toMatch(/^\p{M}|[^\p{L}\p{M}]\p{M}/u);
      const kept = cut.replace(/…$/u, "");
      expect(decomposed.startsWith(kept)).toBe(true);
      expect(decomposed.slice(kept.length, kept.length + 1)).not.toMatch(/\p{M}/u);
    }
  });

  it("has room for nothing but the ellipsis at a limit of one, and for nothing at zero", () => {
    expect(clip("abc", 1)).toBe("…");
    expect(clip("abc", 0)).toBe("");
  });
});
