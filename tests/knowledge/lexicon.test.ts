import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LEXICON, LexiconError, parseLexicon, readLexiconFiles } from "../../src/knowledge/lexicon.js";
import { analyzeQuery } from "../../src/knowledge/query.js";
import { canonicalSyllable } from "../../src/knowledge/vietnamese.js";

const files = readLexiconFiles();
const dataLines = (name: string) =>
  (files[name] ?? "")
    .split("\n")
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.trim() && !text.startsWith("#"));

/** Vietnamese syllables of Debian's and LibreOffice's spelling dictionary (dictionary-vi), canonical. */
const SYLLABLES: ReadonlySet<string> = (() => {
  // The package exports only its loader; its .dic file sits beside it.
  const dic = readFileSync(new URL("../../node_modules/dictionary-vi/index.dic", import.meta.url), "utf8");
  return new Set(
    dic
      .split("\n")
      .slice(1)
      .map((l) => canonicalSyllable(l.split("/")[0]!.trim().normalize("NFC").toLowerCase()))
      .filter(Boolean),
  );
})();

/**
 * Written Vietnamese the dictionary lacks: variant spellings (sỹ, qui), loanword syllables as
 * printed (ôtô, hécta, kilôgam, vacxin, băng rôn, đường đal) and regional words (cược, xáng, bánh pía, lọp, dớn, khạp).
 */
const ALSO_SYLLABLES = new Set(["sỹ", "qui", "ôtô", "hécta", "kilôgam", "vacxin", "rôn", "đal", "cược", "xáng", "đ", "iốt", "pía", "lọp", "dớn", "urê", "khạp", "kílômet", "chẽm", "mợ", "sạc"]);

/**
 * A rendering's words: each a Vietnamese syllable, unless the rendering is marked as a name (a
 * capital letter); words without diacritics are loanwords or abbreviations as printed (online,
 * camera, kg) and pass.
 */
function unknownSyllables(rendering: string): string[] {
  if (/\p{Lu}/u.test(rendering)) return [];
  return rendering
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w && !/[\d%²³]/.test(w) && !/^[a-z]+$/.test(w))
    .map((w) => canonicalSyllable(w.normalize("NFC")))
    .filter((w) => !SYLLABLES.has(w) && !ALSO_SYLLABLES.has(w));
}

describe("the lexicon's data", () => {
  it("is in canonical Unicode (NFC), with no stray whitespace", () => {
    for (const [name, text] of Object.entries(files)) {
      expect(text, name).toBe(text.normalize("NFC"));
      for (const { text: line, line: n } of dataLines(name)) expect(line, `${name}:${n}`).toBe(line.trimEnd());
    }
  });

  it("has unique keys and no function word as a key", () => {
    for (const name of ["en-vi.tsv", "vi-variants.tsv", "abbreviations.tsv"]) {
      const keys = dataLines(name).map(({ text }) => text.split("\t")[0]!.toLowerCase());
      const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
      expect(duplicates, name).toEqual([]);
    }
    const english = dataLines("en-vi.tsv").map(({ text }) => text.split("\t")[0]!);
    expect(english.filter((k) => LEXICON.englishStopwords.has(k))).toEqual([]);
    const synonyms = dataLines("vi-synonyms.tsv").flatMap(({ text }) => text.split("|").map((p) => p.trim()));
    expect(synonyms.filter((p) => LEXICON.vietnameseStopwords.has(p))).toEqual([]);
  });

  it("writes every Vietnamese rendering with real syllables (or marks it as a name with a capital)", () => {
    const renderings = [
      ...dataLines("en-vi.tsv").flatMap(({ text }) => text.split("\t")[1]!.split("|")),
      ...dataLines("vi-synonyms.tsv").flatMap(({ text }) => text.split("|")),
    ].map((r) => r.trim());
    const unknown = [...new Set(renderings.flatMap(unknownSyllables))];
    expect(unknown).toEqual([]);
  });

  it("holds at least 3,000 English head words and terms", () => {
    expect(LEXICON.english.size).toBeGreaterThanOrEqual(3000);
  });
});

describe("parseLexicon", () => {
  it("names the file and line of a malformed entry", () => {
    expect(() => parseLexicon({ "en-vi.tsv": "# c\nroad đường\n" })).toThrow(LexiconError);
    expect(() => parseLexicon({ "en-vi.tsv": "# c\nroad đường\n" })).toThrow("lexicon/en-vi.tsv:2:");
    expect(() => parseLexicon({ "units.tsv": "weight\tkg\tkg | ký\nsize\tx\tx\n" })).toThrow('lexicon/units.tsv:2: unknown kind "size"');
  });

  it("refuses lines that would silently do harm, naming file and line whatever the line endings", () => {
    expect(() => parseLexicon({ "vi-variants.tsv": "hông\t---\n" })).toThrow("lexicon/vi-variants.tsv:1:");
    expect(() => parseLexicon({ "abbreviations.tsv": "UBND\t|\n" })).toThrow("lexicon/abbreviations.tsv:1:");
    expect(() => parseLexicon({ "question-cues.tsv": "time\ten\t|\n" })).toThrow("lexicon/question-cues.tsv:1:");
    expect(() => parseLexicon({ "en-vi.tsv": "\uFEFFroad\tđường\rbridge cầu\r" })).toThrow("lexicon/en-vi.tsv:2:");
    expect(parseLexicon({ "en-vi.tsv": "children's hospital\tbệnh viện nhi\r\ncovid-19\tcovid\r\n" }).english.has("children hospital")).toBe(true);
  });

  it("an editor's new synonym takes effect without code: a question in other words finds the passage's", () => {
    const base = { "vi-stopwords.txt": "có\nkhông\n", "question-cues.tsv": "" };
    const without = analyzeQuery("bà bầu có được tiêm không", parseLexicon(base));
    const withSynonym = analyzeQuery("bà bầu có được tiêm không", parseLexicon({ ...base, "vi-synonyms.tsv": "phụ nữ mang thai | bà bầu\n" }));
    const phrases = (q: typeof without) => q.concepts.flatMap((c) => c.phrases.map((p) => p.folded.join(" ")));
    expect(phrases(without)).not.toContain("phu nu mang thai");
    expect(phrases(withSynonym)).toContain("phu nu mang thai");
  });
});
