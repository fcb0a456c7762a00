/**
 * Language knowledge as data: the files of `lexicon/` (README "The lexicon"), read once.
 *
 * - `en-vi.tsv`          English head word or term → Vietnamese renderings
 * - `vi-synonyms.tsv`    groups of Vietnamese phrases of one sense
 * - `vi-variants.tsv`    colloquial, southern and typed forms → the written form
 * - `abbreviations.tsv`  UBND → ủy ban nhân dân (both ways)
 * - `units.tsv`          units by kind (money, length, area …) with their written and spoken forms
 * - `question-cues.tsv`  words that ask for a kind of answer, and words that are not topic
 * - `en-stopwords.txt`, `vi-stopwords.txt`, `en-irregular.tsv`
 *
 * Nothing here knows any article: the data describes the languages and the news register.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canonicalSyllable, canonicalSyllables, foldSyllable } from "./vietnamese.js";

/** The kinds of figure a question may ask for, and that units measure. */
export const FIGURE_KINDS = ["money", "length", "area", "weight", "volume", "percent", "people", "speed", "count", "duration"] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];
/** What a question may ask for: a figure of a kind, a figure of the thing it names, a date, a person. */
export type AnswerKind = FigureKind | "quantity" | "time" | "person" | "organization" | "place" | "reason";
const CUE_KINDS: ReadonlySet<string> = new Set<string>([...FIGURE_KINDS, "quantity", "time", "person", "organization", "place", "reason", "address"]);
/** units.tsv's "time" kind is a duration unit ("năm", "tháng"): a figure of it answers "bao lâu". */
const UNIT_KIND_ALIASES: ReadonlyMap<string, FigureKind> = new Map([["time", "duration"]]);

/** A phrase as canonical syllables (tones as typed in the data) and folded ones. */
export interface LexiconPhrase {
  readonly canonical: readonly string[];
  readonly folded: readonly string[];
}

export interface Unit {
  readonly kind: FigureKind;
  readonly canonical: string;
  readonly forms: readonly LexiconPhrase[];
}

export interface Cue {
  readonly kind: AnswerKind | "address";
  readonly language: "vi" | "en";
  readonly phrase: LexiconPhrase;
  /** A measure word ("giá", "cost"): it names the kind only in a question that asks a quantity. */
  readonly withQuantity: boolean;
}

export interface Lexicon {
  /** English words (each reduced by {@link Lexicon.englishHead}) joined by " " → Vietnamese phrases. */
  readonly english: ReadonlyMap<string, readonly LexiconPhrase[]>;
  /** The longest English term, in words. */
  readonly englishMaxWords: number;
  readonly englishStopwords: ReadonlySet<string>;
  readonly englishIrregular: ReadonlyMap<string, string>;
  /** The head form the lexicon lists for an English word ("difficulties" → "difficulty"). */
  readonly englishHead: (word: string) => string;
  /** Canonical (toned) Vietnamese function words. */
  readonly vietnameseStopwords: ReadonlySet<string>;
  /** Folded phrase → every phrase of its sense (synonym groups, abbreviations, unit forms). */
  readonly senses: ReadonlyMap<string, readonly LexiconPhrase[]>;
  /** Variant phrase (canonical, as typed) → its first written form; only exact matches rewrite. */
  readonly variants: ReadonlyMap<string, { readonly variant: LexiconPhrase; readonly written: LexiconPhrase }>;
  readonly units: readonly Unit[];
  /** Folded unit form → its unit. */
  readonly unitByForm: ReadonlyMap<string, Unit>;
  readonly cues: readonly Cue[];
  /** The longest multi-syllable phrase of senses, variants and cues, in syllables. */
  readonly maxPhraseSyllables: number;
  /** Identifies the data: part of the index cache key. */
  readonly hash: string;
}

export class LexiconError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`lexicon/${file}:${line}: ${reason}`);
    this.name = "LexiconError";
  }
}

/** One data line of a file: comments (#) and blank lines are skipped. */
function dataLines(file: string, text: string): { line: number; text: string }[] {
  return text
    .normalize("NFC")
    .split(/\r\n|\r|\n/)
    .map((line, i) => ({ line: i + 1, text: i === 0 ? line.replace(/^\uFEFF/, "") : line }))
    .filter(({ text: t }) => t.trim() !== "" && !t.trimStart().startsWith("#"));
}

function columns(file: string, line: { line: number; text: string }, count: number): string[] {
  const parts = line.text.split("\t").map((p) => p.trim());
  if (parts.length !== count || parts.some((p) => p === "")) {
    throw new LexiconError(file, line.line, `expected ${count} tab-separated columns, got "${line.text}"`);
  }
  return parts;
}

function alternatives(text: string): string[] {
  return text
    .split("|")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** A phrase of the data read into syllables; one object per distinct text (renderings repeat across entries). */
export function lexiconPhrase(text: string): LexiconPhrase {
  let phrase = PHRASES.get(text);
  if (!phrase) {
    // Plain words (the data is NFC, checked by the lexicon test) need no cleaning: split and re-tone.
    const canonical = PLAIN_WORDS.test(text) ? text.toLowerCase().split(/ +/).filter(Boolean).map(canonicalSyllable) : canonicalSyllables(text);
    phrase = { canonical, folded: canonical.map(foldSyllable), key: canonical.join(" ") } as LexiconPhrase;
    PHRASES.set(text, phrase);
  }
  return phrase;
}
const PHRASES = new Map<string, LexiconPhrase>();
const PLAIN_WORDS = /^[\p{L}\p{M} ]+$/u;

const key = (phrase: LexiconPhrase): string => phrase.folded.join(" ");
/** The canonical text of a phrase, joined once. */
const canonicalKey = (phrase: LexiconPhrase): string => (phrase as { key?: string }).key ?? phrase.canonical.join(" ");

/**
 * A light English lemmatizer: the head word the lexicon lists for an inflected form ("difficulties"
 * → "difficulty", "built" → "build"), or the word itself when no form of it is listed.
 */
function englishHeadFor(headWords: ReadonlySet<string>, termWords: ReadonlySet<string>, irregular: ReadonlyMap<string, string>): (word: string) => string {
  return (word) => {
    const irregularHead = irregular.get(word);
    if (irregularHead) return irregularHead;
    if (headWords.has(word)) return word;
    const candidates: string[] = [];
    if (word.endsWith("ies")) candidates.push(`${word.slice(0, -3)}y`);
    if (word.endsWith("es")) candidates.push(word.slice(0, -2));
    if (word.endsWith("s")) candidates.push(word.slice(0, -1));
    if (word.endsWith("ied")) candidates.push(`${word.slice(0, -3)}y`);
    if (word.endsWith("ed")) candidates.push(word.slice(0, -2), word.slice(0, -1));
    if (/(\w)\1ed$/.test(word)) candidates.push(word.slice(0, -3));
    if (word.endsWith("ing")) candidates.push(word.slice(0, -3), `${word.slice(0, -3)}e`);
    if (/(\w)\1ing$/.test(word)) candidates.push(word.slice(0, -4));
    if (word.endsWith("ly")) candidates.push(word.slice(0, -2));
    if (word.endsWith("ers")) candidates.push(word.slice(0, -3));
    if (word.endsWith("er")) candidates.push(word.slice(0, -2), word.slice(0, -1));
    if (word.endsWith("'s")) candidates.push(word.slice(0, -2));
    // A head word first ("houses" → "house"), then a word of a longer term ("handed" → "hand" of "hand over").
    return candidates.find((c) => headWords.has(c)) ?? (termWords.has(word) ? word : candidates.find((c) => termWords.has(c))) ?? word;
  };
}

export interface LexiconFiles {
  readonly [name: string]: string;
}

/** Builds the lexicon from the files' texts (pure: tests give it small data). */
export function parseLexicon(files: LexiconFiles): Lexicon {
  const text = (name: string): string => files[name] ?? "";
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);

  const englishIrregular = new Map<string, string>();
  for (const line of dataLines("en-irregular.tsv", text("en-irregular.tsv"))) {
    const [form, head] = columns("en-irregular.tsv", line, 2);
    englishIrregular.set(form!.toLowerCase(), head!.toLowerCase());
  }
  const wordList = (name: string): Set<string> => new Set(dataLines(name, text(name)).flatMap((l) => l.text.trim().toLowerCase().split(/\s+/)));
  const englishStopwords = wordList("en-stopwords.txt");
  const vietnameseStopwords = new Set([...wordList("vi-stopwords.txt")].map((w) => canonicalSyllables(w).join(" ")));

  // English: keys are lower case words; each word of a term is reduced to its head form the same
  // way a question's words are, so "traffic accidents" finds "traffic accident".
  const rawEnglish = new Map<string, LexiconPhrase[]>();
  for (const line of dataLines("en-vi.tsv", text("en-vi.tsv"))) {
    const [english, vietnamese] = columns("en-vi.tsv", line, 2);
    // Split as a question is ("children's hospital" → children hospital, "covid-19" → covid 19).
    const words = canonicalSyllables(english!).filter((w) => w !== "s").join(" ");
    if (!words) throw new LexiconError("en-vi.tsv", line.line, "no English word");
    const phrases = alternatives(vietnamese!).map(lexiconPhrase).filter((p) => p.folded.length > 0);
    if (phrases.length === 0) throw new LexiconError("en-vi.tsv", line.line, "no Vietnamese rendering");
    const list = rawEnglish.get(words) ?? [];
    for (const phrase of phrases) if (!list.includes(phrase)) list.push(phrase);
    rawEnglish.set(words, list);
  }
  // Words of longer terms are head forms too ("hand" of "hand over"), so "handed over" finds it.
  const headWords = new Set([...rawEnglish.keys()].filter((k) => !k.includes(" ")));
  const termWords = new Set([...rawEnglish.keys()].flatMap((k) => k.split(" ")));
  const englishHead = englishHeadFor(headWords, termWords, englishIrregular);
  const english = new Map<string, LexiconPhrase[]>();
  let englishMaxWords = 1;
  for (const [words, phrases] of rawEnglish) {
    const parts = words.split(" ");
    const headKey = parts.length === 1 ? words : parts.map(englishHead).join(" ");
    englishMaxWords = Math.max(englishMaxWords, parts.length);
    english.set(headKey, [...(english.get(headKey) ?? []), ...phrases]);
  }

  // Senses: synonym groups, abbreviations and unit forms; a phrase in several groups has all their members.
  const senses = new Map<string, LexiconPhrase[]>();
  const addGroup = (group: readonly LexiconPhrase[]): void => {
    for (const phrase of group) {
      const list = senses.get(key(phrase)) ?? [];
      for (const member of group) if (!list.some((p) => canonicalKey(p) === canonicalKey(member))) list.push(member);
      senses.set(key(phrase), list);
    }
  };
  for (const line of dataLines("vi-synonyms.tsv", text("vi-synonyms.tsv"))) {
    const group = alternatives(line.text).map(lexiconPhrase).filter((p) => p.folded.length > 0);
    if (group.length < 2) throw new LexiconError("vi-synonyms.tsv", line.line, "a group needs at least two phrases");
    addGroup(group);
  }
  for (const line of dataLines("abbreviations.tsv", text("abbreviations.tsv"))) {
    const [abbreviation, full] = columns("abbreviations.tsv", line, 2);
    const group = [lexiconPhrase(abbreviation!), ...alternatives(full!).map(lexiconPhrase)].filter((p) => p.folded.length > 0);
    if (group.length < 2 || lexiconPhrase(abbreviation!).folded.length === 0) throw new LexiconError("abbreviations.tsv", line.line, "needs an abbreviation and its full form, both with words");
    addGroup(group);
  }

  const units: Unit[] = [];
  const unitByForm = new Map<string, Unit>();
  for (const line of dataLines("units.tsv", text("units.tsv"))) {
    const [kindText, canonical, forms] = columns("units.tsv", line, 3);
    const kind = UNIT_KIND_ALIASES.get(kindText!) ?? (kindText as FigureKind);
    if (!(FIGURE_KINDS as readonly string[]).includes(kind)) throw new LexiconError("units.tsv", line.line, `unknown kind "${kindText}"`);
    const unit: Unit = { kind, canonical: canonical!, forms: [canonical!, ...alternatives(forms!)].map(lexiconPhrase).filter((p) => p.folded.length > 0) };
    units.push(unit);
    for (const form of unit.forms) if (!unitByForm.has(key(form))) unitByForm.set(key(form), unit);
  }

  const variants = new Map<string, { variant: LexiconPhrase; written: LexiconPhrase }>();
  for (const line of dataLines("vi-variants.tsv", text("vi-variants.tsv"))) {
    const [variant, written] = columns("vi-variants.tsv", line, 2);
    const from = lexiconPhrase(variant!);
    const to = alternatives(written!).map(lexiconPhrase)[0];
    // An empty written form would silently delete the variant from every question.
    if (!to || to.folded.length === 0 || from.folded.length === 0) throw new LexiconError("vi-variants.tsv", line.line, "needs a variant and a written form, both with words");
    variants.set(from.canonical.join(" "), { variant: from, written: to });
  }

  const cues: Cue[] = [];
  for (const line of dataLines("question-cues.tsv", text("question-cues.tsv"))) {
    const [kindColumn, language, phrases] = columns("question-cues.tsv", line, 3);
    const withQuantity = kindColumn!.endsWith("+quantity");
    const kind = withQuantity ? kindColumn!.slice(0, -"+quantity".length) : kindColumn!;
    if (!CUE_KINDS.has(kind)) throw new LexiconError("question-cues.tsv", line.line, `unknown kind "${kindColumn}"`);
    if (language !== "vi" && language !== "en") throw new LexiconError("question-cues.tsv", line.line, `unknown language "${language}"`);
    if (alternatives(phrases!).length === 0) throw new LexiconError("question-cues.tsv", line.line, "no phrase");
    for (const phrase of alternatives(phrases!)) {
      const parsed = language === "en" ? { canonical: phrase.toLowerCase().split(/\s+/), folded: phrase.toLowerCase().split(/\s+/) } : lexiconPhrase(phrase);
      cues.push({ kind: kind as Cue["kind"], language, phrase: parsed, withQuantity });
    }
  }

  const lengths = [...senses.keys(), ...variants.keys()].map((k) => k.split(" ").length);
  return {
    english,
    englishMaxWords,
    englishStopwords,
    englishIrregular,
    englishHead,
    vietnameseStopwords,
    senses,
    variants,
    units,
    unitByForm,
    cues,
    maxPhraseSyllables: Math.max(1, ...lengths),
    hash: hash.digest("hex").slice(0, 16),
  };
}

/** The project's lexicon folder, beside `src/` and `dist/`. */
export const LEXICON_DIR = fileURLToPath(new URL("../../lexicon/", import.meta.url));

/** Reads every data file of the folder (not its drafts in subfolders). */
export function readLexiconFiles(dir: string = LEXICON_DIR): LexiconFiles {
  const files: Record<string, string> = {};
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`lexicon: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the lexicon/ folder ships beside dist/ and knowledge/`);
  }
  for (const entry of entries) {
    if (entry.isFile() && /\.(tsv|txt)$/.test(entry.name)) files[entry.name] = readFileSync(`${dir}/${entry.name}`, "utf8");
  }
  return files;
}

/** The lexicon every question is read with, loaded once. */
export const LEXICON = parseLexicon(readLexiconFiles());
