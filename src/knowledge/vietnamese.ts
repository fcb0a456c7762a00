/**
 * Vietnamese text normalization for matching (not for display).
 *
 * Users type the same word many ways: NFC or NFD, old or new tone placement ("hóa"/"hoá",
 * "thủy"/"thuỷ"), with or without tone marks, "đ" or "d". Every form is reduced to two keys:
 * - the canonical syllable: NFC, lower case, tone mark re-placed by one fixed rule, so both tone
 *   placements give the same string;
 * - the folded syllable: the canonical one without any diacritics and with "đ" → "d", what a
 *   user typing without tone marks produces.
 */

/** The five tone marks as combining characters (NFD). */
const TONE_MARKS = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"];
/** Vowels whose shape (hat, horn, breve) attracts the tone mark in every placement style. */
const SHAPED_VOWELS = new Set(["ă", "â", "ê", "ô", "ơ", "ư"]);
const VOWELS = new Set(["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]);

// Lookup tables instead of normalize() per syllable: search re-reads passages on every query.
/** A toned vowel (NFC) → its vowel without tone and the tone's index in TONE_MARKS. */
const TONED_VOWEL = new Map<string, { vowel: string; tone: number }>();
/** vowel + tone index → the toned vowel (NFC). */
const WITH_TONE = new Map<string, string>();
for (const vowel of VOWELS) {
  TONE_MARKS.forEach((mark, tone) => {
    const toned = (vowel + mark).normalize("NFC");
    TONED_VOWEL.set(toned, { vowel, tone });
    WITH_TONE.set(vowel + tone, toned);
  });
}

/**
 * Re-places the tone of one lower-case NFC syllable following the "new" (orthographic) rule, so
 * that "hóa" and "hoá", "thủy" and "thuỷ" become the same string. Non-Vietnamese words pass through.
 */
export function canonicalSyllable(syllable: string): string {
  if (/^[\x00-\x7f]*$/.test(syllable)) return syllable;
  let canonical = CANONICAL_SYLLABLE.get(syllable);
  if (canonical === undefined) {
    canonical = placeTone(syllable);
    // The language has a few thousand syllables; anything past the bound is noise, so start over.
    if (CANONICAL_SYLLABLE.size >= CANONICAL_SYLLABLE_LIMIT) CANONICAL_SYLLABLE.clear();
    CANONICAL_SYLLABLE.set(syllable, canonical);
  }
  return canonical;
}

/** Syllables already re-placed: passages are re-read for every question typed with tone marks. */
const CANONICAL_SYLLABLE = new Map<string, string>();
const CANONICAL_SYLLABLE_LIMIT = 50_000;

function placeTone(syllable: string): string {
  const letters = Array.from(syllable);
  let tone = -1;
  letters.forEach((letter, i) => {
    const toned = TONED_VOWEL.get(letter);
    if (toned) {
      tone = toned.tone;
      letters[i] = toned.vowel;
    }
  });
  if (tone < 0) return syllable;
  const target = toneIndex(letters);
  if (target < 0) return syllable;
  letters[target] = WITH_TONE.get(letters[target]! + tone)!;
  return letters.join("");
}

/** Index of the letter that carries the tone mark, or -1 when the word has no vowel. */
function toneIndex(letters: string[]): number {
  let start = letters.findIndex((ch) => VOWELS.has(ch));
  if (start < 0) return -1;
  // "qu" and "gi" + vowel: the u / i belong to the initial consonant.
  const first = letters[start - 1];
  const next = letters[start + 1];
  if (next !== undefined && VOWELS.has(next)) {
    if ((first === "q" && letters[start] === "u") || (first === "g" && letters[start] === "i")) start += 1;
  }
  let end = start;
  while (end < letters.length && VOWELS.has(letters[end]!)) end += 1;
  const nucleus = letters.slice(start, end);
  if (nucleus.length === 1) return start;
  // A shaped vowel always takes the tone; in "ươ" it is the ơ.
  for (let i = nucleus.length - 1; i >= 0; i -= 1) {
    if (SHAPED_VOWELS.has(nucleus[i]!)) return start + i;
  }
  const closed = end < letters.length;
  if (nucleus.length === 3) return start + 1;
  if (closed) return start + 1;
  const pair = nucleus.join("");
  // New style: "oa", "oe", "uy" carry the tone on their second vowel (hoá, khoẻ, thuỷ).
  if (pair === "oa" || pair === "oe" || pair === "uy") return start + 1;
  return start;
}

/** Removes every diacritic and folds "đ" to "d": what a user typing without tone marks writes. */
export function foldSyllable(syllable: string): string {
  if (/^[\x00-\x7f]*$/.test(syllable)) return syllable;
  let out = "";
  for (const ch of syllable) out += foldChar(ch);
  return out;
}

const FOLDED_CHAR = new Map<string, string>();
function foldChar(ch: string): string {
  let folded = FOLDED_CHAR.get(ch);
  if (folded === undefined) {
    folded = ch === "đ" ? "d" : ch === "Đ" ? "D" : ch.normalize("NFD").replace(/\p{M}+/gu, "");
    FOLDED_CHAR.set(ch, folded);
  }
  return folded;
}

/** True when the text carries any Vietnamese diacritic (tone or vowel shape, or đ). */
export function hasDiacritics(text: string): boolean {
  const nfc = text.normalize("NFC");
  return foldSyllable(nfc) !== nfc;
}

/**
 * Thousand separators between digits are dropped so "31.945", "31,945" and "31945" are one
 * number; a separator followed by anything but exactly three digits is left alone (dates, decimals).
 */
function joinThousands(text: string): string {
  return text.replace(/(\d)[.,](?=\d{3}(?!\d))/g, "$1");
}

/** A word of the text: letters (with their marks) and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Splits text into canonical lower-case syllables (numbers joined across thousand separators).
 * A zero-width space separates words, as it is meant to; other invisible format characters (soft
 * hyphen, joiners, direction marks) are dropped so they cannot split or disguise a word.
 */
export function canonicalSyllables(text: string): string[] {
  const out: string[] = [];
  for (const match of cleanForWords(text).matchAll(WORD)) out.push(canonicalSyllable(match[0]));
  return out;
}

/** A phrase folded for comparison: canonical syllables without marks, one space apart ("Chia sẻ" → "chia se"). */
export function foldPhrase(text: string): string {
  return canonicalSyllables(text).map(foldSyllable).join(" ");
}

/**
 * The folded syllables of a text: what `canonicalSyllables(text).map(foldSyllable)` gives (the
 * tone's place does not matter once tones are gone), folding the whole text at once, which is
 * what indexing a large folder needs.
 */
export function foldedSyllables(text: string): string[] {
  return foldSyllable(cleanForWords(text)).match(WORD) ?? [];
}

function cleanForWords(text: string): string {
  return joinThousands(text.replace(/\u200b/g, " ").normalize("NFC").replace(/\p{Cf}/gu, "").normalize("NFC")).toLowerCase();
}
