import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluate, parseEvalFile } from "../../src/knowledge/evaluate.js";
import { seedIndex } from "./helpers.js";

const index = seedIndex();
const load = (name: string) => parseEvalFile(readFileSync(new URL(`../../eval/${name}`, import.meta.url), "utf8"), name);

// The quality targets: ≥ 95% in-scope top-1, every category ≥ 90%, ≥ 90% out-of-scope declined.
describe.each(["dev.jsonl", "questions.jsonl", "holdout.jsonl"])("retrieval quality on eval/%s", (name) => {
  const report = evaluate(index, load(name));
  it("meets the targets", () => {
    expect(report.inScope.correct / report.inScope.total).toBeGreaterThanOrEqual(0.95);
    expect(report.outOfScope.correct / report.outOfScope.total).toBeGreaterThanOrEqual(0.9);
    for (const c of report.categories.filter((c) => c.group !== "oos")) {
      expect(c.correct / c.total, `${c.group}: ${JSON.stringify(report.failures)}`).toBeGreaterThanOrEqual(c.total >= 5 ? 0.9 : 0.5);
    }
  });
});

describe("parseEvalFile", () => {
  it("names the file and line of a bad entry", () => {
    expect(() => parseEvalFile('{"q":"a","expect":null}\n{"q":1}', "x.jsonl")).toThrow("eval: x.jsonl:2:");
    expect(() => parseEvalFile("nope", "x.jsonl")).toThrow("x.jsonl:1: not a JSON object");
  });
});
