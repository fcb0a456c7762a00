/**
 * The layers of the code, checked on its imports: the knowledge base, the storage and the alerts
 * know nothing of the bot (it is one user of them among the command-line tools and the benches),
 * and nothing that ships or measures depends on the tests.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Every .ts file below a folder of the repository, relative to the repository. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => path.join(folder, name));
}

/** What a file imports (static, re-exported or dynamic), each resolved relative to the repository. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gmu)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)));
}

/** "file → import" for each import of files below `from` that leads into one of `into`. */
function crossings(from: readonly string[], into: readonly string[]): string[] {
  return from.flatMap(sourceFiles).flatMap((file) =>
    importsOf(file)
      .filter((target) => into.some((folder) => target === folder || target.startsWith(`${folder}${path.sep}`)))
      .map((target) => `${file} → ${target}`),
  );
}

describe("layers", () => {
  it("the imports are read: the test sees the bot importing the knowledge base", () => {
    expect(crossings(["src/bot"], ["src/knowledge"]).length).toBeGreaterThan(0);
  });

  it("src/knowledge, src/storage and src/alerts do not import from src/bot", () => {
    expect(crossings(["src/knowledge", "src/storage", "src/alerts"], ["src/bot"])).toEqual([]);
  });

  it("nothing in src/, bench/ or testkit/ imports from tests/, and src/ imports neither bench/ nor testkit/", () => {
    expect(crossings(["src", "bench", "testkit"], ["tests"])).toEqual([]);
    expect(crossings(["src"], ["bench", "testkit"])).toEqual([]);
  });
});
