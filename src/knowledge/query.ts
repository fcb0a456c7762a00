/**
 * Reads a user's question into concepts the search can check against a passage, and into the kind
 * of answer it asks for.
 *
 * A concept is one thing the question is about: a word of the lexicon ("bà bầu", whose senses
 * include "phụ nữ mang thai"), a syllable, a pair of adjacent syllables (so "thời tiết" is not
 * "thời gian"), or an English word or term with its Vietnamese renderings. Colloquial and typed
 * forms are read as the written word first ("hông" → "không", "vô" → "vào").
 */
import { type AnswerKind, type Cue, FIGURE_KINDS, LEXICON, type Lexicon, type LexiconPhrase } from "./lexicon.js";
import { canonicalSyllables, foldSyllable, hasDiacritics } from "./vietnamese.js";

/** One way a concept can appear in a passage: a run of syllables. */
export interface Phrase {
  /** Folded syllables, e.g. ["kho", "khan"]. */
  readonly folded: readonly string[];
  /** Canonical syllables with tone marks when the user typed them; null when typed without. */
  readonly exact: readonly string[] | null;
}

export interface Concept {
  /** What the user wrote for it, for explanations and highlighting. */
  readonly label: string;
  /** Any of these phrases found in a passage means the concept is there. */
  readonly phrases: readonly Phrase[];
  /**
   * An optional concept helps when found and costs nothing when missing: pairs that join a
   * content word to a function word typed without tones ("nhiem vu trong" may be "trọng").
   */
  readonly optional: boolean;
  /** Index of its first word in the question. */
  readonly position: number;
  /** How many words of the question it spans. */
  readonly size: number;
  /**
   * A pair of adjacent syllables read as one ("thời tiết"), not a word of the lexicon: it may be a
   * word or a chance neighbour across two words ("tế bây" of "y tế bây giờ").
   */
  readonly pair?: true;
}

/**
 * What kind of answer the question asks for, when its words say so: a figure of a kind (money,
 * length, area …, see units.tsv), a figure of the thing it names ("bao nhiêu mô hình"), a date or
 * a person. Any of `kinds` satisfies it ("how long" is a length or a duration).
 */
export interface Expectation {
  readonly kinds: ReadonlySet<AnswerKind>;
  /** The thing counted, for a plain quantity: the first concept after "bao nhiêu" / "how many". */
  readonly of?: Concept;
}

export interface AnalyzedQuery {
  readonly text: string;
  readonly language: "vi" | "en";
  readonly concepts: readonly Concept[];
  readonly expects?: Expectation;
  /** Folded unigrams and bigrams for the full-text index. */
  readonly terms: readonly string[];
  /** Folded syllables to highlight in an answer: the question's words and their renderings. */
  readonly highlight: ReadonlySet<string>;
  /**
   * Whether the question names a topic: a concept that is not only a measure ("bao nhiêu người?",
   * "how much money?") or a common number ("2025", "1"). Without one, nothing is answered.
   */
  readonly topical: boolean;
}

/** Folded Vietnamese syllable shapes: (initial) vowels (final). English words rarely fit. */
const VIETNAMESE_SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;
const NUMBER = /^\d+$/;
/**
 * A lone Latin letter ("b" of "<b>", "a", "x") carries no topic, unless the lexicon names it (a
 * unit: "m"); "y" is a Vietnamese word ("y tế", "Sở Y tế").
 */
const LONE_LETTER = /^[a-xz]$/;
/** Conversation, not topic (folded): greetings and thanks in both languages. */
const GREETINGS = new Set(["chao", "hello", "hi", "hey", "thanks", "thank", "bye", "ok", "okay", "alo"]);
/** Cues of these kinds are asking words, not topic; unit kinds' cues name the measure ("tỷ lệ", "diện tích") and stay topic. */
const ASKING_KINDS: ReadonlySet<Cue["kind"]> = new Set(["quantity", "time", "person", "duration", "reason", "address"]);
/** English cues that ask only at the start: "what motto … when working" does not ask a time. */
const ENGLISH_START_ONLY = new Set(["who", "whom", "whose", "when", "how long", "where", "why"]);
const QUESTION_CHARS = 1000;
/** English words that may come before a question's asking word without changing it. */
const LEAD_IN = new Set(["hi", "hello", "hey", "so", "and", "but", "then", "ok", "okay", "please", "tell", "me", "us", "well", "also", "now", "excuse", "sorry", "dear", "bot"]);

/** The question's words: canonical, folded, and whether the user typed tone marks. */
interface Words {
  readonly canonical: readonly string[];
  readonly folded: readonly string[];
  readonly toned: readonly boolean[];
}

export function analyzeQuery(text: string, lexicon: Lexicon = LEXICON): AnalyzedQuery {
  const typed = wordsOf(canonicalSyllables(text.slice(0, QUESTION_CHARS)));
  const english = isEnglish(typed, lexicon);
  const words = english ? typed : rewriteVariants(typed, lexicon);
  const reader = new QuestionReader(words, english ? "en" : "vi", lexicon);
  const found = english ? reader.englishConcepts() : reader.vietnameseConcepts();
  const expects = reader.expectation(found);
  const concepts = distinct(found);
  const terms = new Set<string>();
  const highlight = new Set<string>();
  for (const concept of concepts) {
    for (const phrase of concept.phrases) {
      for (const term of phraseTerms(phrase.folded, lexicon)) terms.add(term);
      for (const word of phrase.folded) if (!isFoldedStopword(word, lexicon)) highlight.add(word);
    }
  }
  // A figure like "31.945" is a topic; a year or a small number ("2025", "1") is in every article.
  const commonNumber = (c: Concept): boolean => c.phrases.every((p) => p.folded.every((w) => NUMBER.test(w) && (w.length <= 2 || /^(19|20)\d\d$/.test(w))));
  const topical = concepts.some((c) => !c.optional && !reader.isMeasure(c) && !commonNumber(c));
  return { text, language: english ? "en" : "vi", concepts, ...(expects ? { expects } : {}), terms: [...terms], highlight, topical };
}

function wordsOf(syllables: readonly string[]): Words {
  // A syllable with nothing left once folded (a lone combining mark) says nothing.
  const canonical = syllables.filter((s) => foldSyllable(s) !== "" && s !== "s");
  return { canonical, folded: canonical.map(foldSyllable), toned: canonical.map((s) => hasDiacritics(s)) };
}

/** "hông" → "không", "vô" → "vào", "ko" → "không": the written word, longest variant first. */
function rewriteVariants(words: Words, lexicon: Lexicon): Words {
  if (lexicon.variants.size === 0) return words;
  const canonical: string[] = [];
  const toned: boolean[] = [];
  for (let i = 0; i < words.canonical.length; ) {
    let replaced = false;
    for (let size = Math.min(lexicon.maxPhraseSyllables, words.canonical.length - i); size >= 1 && !replaced; size -= 1) {
      const variant = lexicon.variants.get(words.canonical.slice(i, i + size).join(" "));
      if (!variant || alreadyWritten(canonical, variant.written.canonical, size)) continue;
      for (const syllable of variant.written.canonical) {
        canonical.push(syllable);
        toned.push(hasDiacritics(syllable) || words.toned[i]!);
      }
      i += size;
      replaced = true;
    }
    if (!replaced) {
      canonical.push(words.canonical[i]!);
      toned.push(words.toned[i]!);
      i += 1;
    }
  }
  return { canonical, folded: canonical.map(foldSyllable), toned };
}

/** "bao nhiêu" typed whole: its "nhiêu" is not the colloquial "nhiêu" for "bao nhiêu". */
function alreadyWritten(before: readonly string[], written: readonly string[], variantSize: number): boolean {
  const prefix = written.slice(0, written.length - variantSize);
  if (prefix.length === 0 || prefix.length > before.length) return false;
  return prefix.every((s, j) => before[before.length - prefix.length + j] === s);
}

/** A concept said twice counts once: a long message of repeats would cost a check per repeat. */
function distinct(concepts: readonly Concept[]): Concept[] {
  const seen = new Set<string>();
  return concepts.filter((concept) => {
    const key = concept.phrases.map((p) => `${p.folded.join(" ")}/${p.exact?.join(" ") ?? ""}`).join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Unigrams (minus function words) and adjacent bigrams of a folded phrase. */
export function phraseTerms(folded: readonly string[], lexicon: Lexicon = LEXICON): string[] {
  const terms = folded.filter((s) => !isFoldedStopword(s, lexicon) || folded.length === 1);
  for (let i = 0; i + 1 < folded.length; i += 1) terms.push(`${folded[i]} ${folded[i + 1]}`);
  return terms;
}

const foldedStopwordSets = new WeakMap<Lexicon, ReadonlySet<string>>();
function isFoldedStopword(word: string, lexicon: Lexicon): boolean {
  let set = foldedStopwordSets.get(lexicon);
  if (!set) {
    set = new Set([...lexicon.vietnameseStopwords].map(foldSyllable));
    foldedStopwordSets.set(lexicon, set);
  }
  return set.has(word);
}

/**
 * English when most words cannot be Vietnamese syllables ("what", "tasks", "ahead") or are English
 * function words even if they could ("the", "to", "can" of "How long does the boat from Can Tho
 * to Cu Lao Dung take?"). Words typed with tone marks count as Vietnamese, so a name written
 * properly ("the price of rice in Sóc Trăng") does not turn an English question Vietnamese.
 */
function isEnglish(words: Words, lexicon: Lexicon): boolean {
  const letters = words.folded.filter((w) => !NUMBER.test(w));
  if (letters.length === 0) return false;
  const english = words.folded.filter((w, i) => !NUMBER.test(w) && !words.toned[i] && (!VIETNAMESE_SYLLABLE.test(w) || lexicon.englishStopwords.has(w)));
  const functionWords = english.filter((w) => lexicon.englishStopwords.has(w)).length;
  if (words.toned.some(Boolean) && functionWords < 2) return false;
  return english.length * 2 >= letters.length && english.some((w) => !VIETNAMESE_SYLLABLE.test(w));
}

function toPhrase(phrase: LexiconPhrase): Phrase {
  return { folded: phrase.folded, exact: phrase.canonical };
}

class QuestionReader {
  /** Words that are asking or address, not topic. */
  private readonly removed: boolean[];
  /** Where each matched cue starts, and its kind. */
  private readonly cueHits: { kind: Cue["kind"]; at: number; size: number; withQuantity: boolean }[] = [];

  constructor(
    private readonly words: Words,
    private readonly language: "vi" | "en",
    private readonly lexicon: Lexicon,
  ) {
    this.removed = new Array<boolean>(words.canonical.length).fill(false);
    for (const cue of lexicon.cues) {
      if (cue.language !== language) continue;
      const startOnly = language === "en" && ENGLISH_START_ONLY.has(cue.phrase.folded.join(" "));
      for (let at = 0; at < words.canonical.length; at += 1) {
        // "Hi, who is …", "So when will …", "Please tell me when …" still ask at the start.
        if (startOnly && at > 0 && !LEAD_IN.has(words.folded[at - 1]!) && !this.removed[at - 1]) break;
        if (!this.phraseAt(cue.phrase, at)) continue;
        this.cueHits.push({ kind: cue.kind, at, size: cue.phrase.folded.length, withQuantity: cue.withQuantity });
        // A measure word stays topic ("giá" of "giá bao nhiêu"); asking words do not.
        if (cue.withQuantity) continue;
        for (let j = at; j < at + cue.phrase.folded.length; j += 1) {
          if (ASKING_KINDS.has(cue.kind) || this.isStopword(j)) this.removed[j] = true;
        }
      }
    }
  }

  /**
   * Whether a lexicon phrase is in the question at word `at`. A word typed with tones must match
   * exactly; one typed without matches by folded form, except in one-syllable phrases with tones,
   * which are too ambiguous folded ("may" is "mấy", how many, and "máy", machine).
   */
  private phraseAt(phrase: LexiconPhrase, at: number): boolean {
    const size = phrase.folded.length;
    if (at + size > this.words.canonical.length) return false;
    const foldedAllowed = size > 1 || phrase.folded[0] === phrase.canonical[0];
    for (let j = 0; j < size; j += 1) {
      const ok = this.words.toned[at + j]
        ? this.words.canonical[at + j] === phrase.canonical[j]
        : foldedAllowed && this.words.folded[at + j] === phrase.folded[j];
      if (!ok) return false;
    }
    return true;
  }

  /** A unit's word or a measure word of a cue ("người", "tiền", "money", "tỷ lệ"): it says what is counted, not about what. */
  isMeasure(concept: Concept): boolean {
    if (this.lexicon.unitByForm.has(concept.phrases[0]!.folded.join(" "))) return true;
    return this.cueHits.some((h) => h.withQuantity && concept.position >= h.at && concept.position + concept.size <= h.at + h.size);
  }

  private isStopword(i: number): boolean {
    const { canonical, folded, toned } = this.words;
    if (this.language === "en") return this.lexicon.englishStopwords.has(folded[i]!) || GREETINGS.has(folded[i]!);
    if (GREETINGS.has(folded[i]!)) return true;
    if (LONE_LETTER.test(canonical[i]!) && !this.lexicon.unitByForm.has(folded[i]!)) return true;
    // Typed with tones, the stop list is exact ("có" is a function word, "cơ" is not); typed
    // without, the folded form is all we know.
    return toned[i] ? this.lexicon.vietnameseStopwords.has(canonical[i]!) : isFoldedStopword(folded[i]!, this.lexicon);
  }

  /**
   * The lexicon word starting at `at` (longest first, two syllables or more): its span and every
   * phrase of its sense. Typed with tones, it must be one of the sense's phrases exactly.
   */
  private lexiconWordAt(at: number): { size: number; phrases: Phrase[] } | undefined {
    const { folded, canonical, toned } = this.words;
    for (let size = Math.min(this.lexicon.maxPhraseSyllables, folded.length - at); size >= 2; size -= 1) {
      if (this.removed.slice(at, at + size).some(Boolean)) continue;
      const key = folded.slice(at, at + size).join(" ");
      const sense = this.lexicon.senses.get(key) ?? (this.lexicon.unitByForm.get(key)?.forms as readonly LexiconPhrase[] | undefined);
      if (!sense) continue;
      const anyToned = toned.slice(at, at + size).some(Boolean);
      const typed = canonical.slice(at, at + size);
      if (anyToned && !sense.some((p) => p.canonical.every((s, j) => !toned[at + j] || s === typed[j]))) continue;
      const typedPhrase: Phrase = { folded: folded.slice(at, at + size), exact: anyToned && toned.slice(at, at + size).every(Boolean) ? typed : null };
      return { size, phrases: [typedPhrase, ...sense.filter((p) => p.folded.join(" ") !== key || anyToned).map(toPhrase)] };
    }
    return undefined;
  }

  /** One syllable with the phrases of its sense (synonyms, abbreviation, unit forms), if any. */
  private syllableConcept(i: number): Concept {
    const { canonical, folded, toned } = this.words;
    const typed: Phrase = { folded: [folded[i]!], exact: toned[i] ? [canonical[i]!] : null };
    const sense = this.lexicon.senses.get(folded[i]!) ?? this.lexicon.unitByForm.get(folded[i]!)?.forms;
    const phrases: Phrase[] = [typed];
    // Typed without tones, "nguoi" could be another word than "người": only an exact match (or an
    // untoned one) joins the sense.
    if (sense && (!toned[i] || sense.some((p) => p.canonical.length === 1 && p.canonical[0] === canonical[i]))) {
      for (const p of sense) if (p.folded.join(" ") !== folded[i] || toned[i]) phrases.push(toPhrase(p));
    }
    // A Vietnamese question may still use an English word ("kết quả movement").
    if (!toned[i] && !VIETNAMESE_SYLLABLE.test(folded[i]!)) {
      for (const p of this.lexicon.english.get(this.lexicon.englishHead(folded[i]!)) ?? []) phrases.push(toPhrase(p));
    }
    return { label: canonical[i]!, phrases: uniquePhrases(phrases), optional: false, position: i, size: 1 };
  }

  vietnameseConcepts(): Concept[] {
    const { canonical, folded, toned } = this.words;
    const count = canonical.length;
    const isStop = canonical.map((_, i) => this.removed[i]! || this.isStopword(i));
    // Lexicon words first: their syllables are not read one by one.
    const spanOf = new Array<number>(count).fill(-1);
    const concepts: Concept[] = [];
    for (let i = 0; i < count; i += 1) {
      if (isStop[i]) continue;
      const word = this.lexiconWordAt(i);
      if (!word) continue;
      concepts.push({ label: canonical.slice(i, i + word.size).join(" "), phrases: uniquePhrases(word.phrases), optional: false, position: i, size: word.size });
      spanOf.fill(i, i, i + word.size);
      i += word.size - 1;
    }
    const certainStop = (j: number): boolean => isStop[j]! && (toned[j]! || this.removed[j]!);
    for (let i = 0; i < count; i += 1) {
      if (spanOf[i]! < 0 && !isStop[i]) concepts.push(this.syllableConcept(i));
      const next = i + 1;
      if (next >= count || (spanOf[i]! >= 0 && spanOf[i] === spanOf[next])) continue;
      // A pair reaching into a lexicon word is read by that word.
      if (spanOf[i]! >= 0 || spanOf[next]! >= 0) continue;
      // A pair with a function word is kept only when that word was typed without tones, where it
      // may be a content word in disguise ("trong" for "trọng"); then it is optional.
      if ((isStop[i] && isStop[next]) || certainStop(i) || certainStop(next)) continue;
      const exactPair = toned[i] && toned[next] ? [canonical[i]!, canonical[next]!] : null;
      concepts.push({
        label: `${canonical[i]} ${canonical[next]}`,
        phrases: [{ folded: [folded[i]!, folded[next]!], exact: exactPair }],
        optional: isStop[i]! || isStop[next]! || NUMBER.test(folded[i]!) || NUMBER.test(folded[next]!),
        position: i,
        size: 2,
        pair: true,
      });
    }
    return concepts.sort((a, b) => a.position - b.position || b.size - a.size);
  }

  englishConcepts(): Concept[] {
    const { folded } = this.words;
    const lexicon = this.lexicon;
    const concepts: Concept[] = [];
    let previousUnknown: number | undefined;
    for (let i = 0; i < folded.length; i += 1) {
      const word = folded[i]!;
      if (this.removed[i] || LONE_LETTER.test(word)) {
        previousUnknown = undefined;
        continue;
      }
      // The longest term of the lexicon starting here ("land clearance", "people's committee").
      let term: { size: number; phrases: readonly LexiconPhrase[] } | undefined;
      if (!lexicon.englishStopwords.has(word)) {
        for (let size = Math.min(lexicon.englishMaxWords, folded.length - i); size >= 1 && !term; size -= 1) {
          if (this.removed.slice(i, i + size).some(Boolean)) continue;
          const key = folded.slice(i, i + size).map(lexicon.englishHead).join(" ");
          const phrases = lexicon.english.get(key) ?? (size === 1 ? lexicon.unitByForm.get(word)?.forms : undefined);
          if (phrases) term = { size, phrases };
        }
      }
      if (term) {
        concepts.push({ label: folded.slice(i, i + term.size).join(" "), phrases: uniquePhrases(term.phrases.map(toPhrase)), optional: false, position: i, size: term.size });
        i += term.size - 1;
        previousUnknown = undefined;
        continue;
      }
      if (this.isStopword(i)) {
        previousUnknown = undefined;
        continue;
      }
      // Not in the lexicon: a name or a Vietnamese word typed without tones ("Soc Trang").
      concepts.push({ label: word, phrases: [{ folded: [word], exact: null }], optional: false, position: i, size: 1 });
      if (previousUnknown !== undefined && VIETNAMESE_SYLLABLE.test(word) && VIETNAMESE_SYLLABLE.test(folded[previousUnknown]!)) {
        concepts.push({ label: `${folded[previousUnknown]} ${word}`, phrases: [{ folded: [folded[previousUnknown]!, word], exact: null }], optional: false, position: previousUnknown, size: 2, pair: true });
      }
      previousUnknown = i;
    }
    return concepts;
  }

  /**
   * The kinds of answer the cues ask for. A figure's kind is more precise than a bare quantity
   * ("bao nhiêu hecta": an area), and so is a unit named right after "bao nhiêu" / "how many".
   */
  expectation(concepts: readonly Concept[]): Expectation | undefined {
    const kinds = new Set<AnswerKind>();
    let quantityEnd = -1;
    const asksQuantity = this.cueHits.some((h) => h.kind === "quantity");
    for (const hit of this.cueHits) {
      if (hit.kind === "address" || (hit.withQuantity && !asksQuantity)) continue;
      kinds.add(hit.kind);
      if (hit.kind === "quantity" && quantityEnd < 0) quantityEnd = hit.at + hit.size;
    }
    if (kinds.size === 0) return undefined;
    let of: Concept | undefined;
    if (quantityEnd >= 0) {
      const after = concepts.filter((c) => !c.optional && c.position >= quantityEnd);
      const first = Math.min(...after.map((c) => c.position));
      of = after.filter((c) => c.position === first).sort((a, b) => b.size - a.size)[0];
      const unit = of && this.lexicon.unitByForm.get(of.phrases[0]!.folded.join(" "));
      if (unit) kinds.add(unit.kind);
    }
    const figureKinds = [...kinds].filter((k) => (FIGURE_KINDS as readonly string[]).includes(k));
    if (figureKinds.length > 0) kinds.delete("quantity");
    if (!kinds.has("quantity")) return { kinds };
    return of ? { kinds, of } : { kinds };
  }
}

function uniquePhrases(phrases: readonly Phrase[]): Phrase[] {
  const seen = new Set<string>();
  return phrases.filter((p) => {
    const key = `${p.folded.join(" ")}/${p.exact?.join(" ") ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
