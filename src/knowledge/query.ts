/**
 * Reads a user's question into concepts the search can check against a passage.
 *
 * A concept is one thing the question is about: a syllable, a pair of adjacent syllables (so
 * "thời tiết" is not "thời gian"), or an English word with its Vietnamese renderings. The share of
 * concepts a passage contains is what decides whether the article answers the question at all.
 */
import { canonicalSyllables, foldSyllable, hasDiacritics } from "./vietnamese.js";
import {
  ENGLISH_MEASURE_WORDS,
  ENGLISH_PERSON_PHRASES,
  ENGLISH_QUANTITY_PHRASES,
  ENGLISH_STOPWORDS,
  ENGLISH_TIME_PHRASES,
  ENGLISH_TO_VIETNAMESE,
  VIETNAMESE_MEASURE_WORDS,
  VIETNAMESE_PERSON_PHRASES,
  VIETNAMESE_QUANTITY_PHRASES,
  VIETNAMESE_STOP_PHRASES,
  VIETNAMESE_STOPWORDS,
  VIETNAMESE_SYNONYMS,
  VIETNAMESE_TIME_PHRASES,
  englishStem,
} from "./vocabulary.js";

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
}

/**
 * What kind of answer the question asks for, when its words say so. A passage that merely
 * mentions the topic without such an answer does not answer it: "Sóc Trăng có bao nhiêu dân?"
 * is not answered by a passage about Sóc Trăng with figures of something else.
 */
export type Expectation =
  /** "bao nhiêu mô hình", "how many individuals": a figure, of the thing named when one is. */
  | { readonly kind: "quantity"; readonly of?: Concept }
  /** "khi nào", "when": a date, a year or a time expression. */
  | { readonly kind: "time" }
  /** "là ai", "who", "tên là gì": a person named in the passage. */
  | { readonly kind: "person" };

export interface AnalyzedQuery {
  readonly text: string;
  readonly language: "vi" | "en";
  readonly concepts: readonly Concept[];
  readonly expects?: Expectation;
  /** Folded unigrams and bigrams for the full-text index. */
  readonly terms: readonly string[];
  /** Folded syllables to highlight in an answer: the question's words and their renderings. */
  readonly highlight: ReadonlySet<string>;
}

/** Folded Vietnamese syllable shapes: (initial) vowels (final). English words rarely fit. */
const VIETNAMESE_SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;
const NUMBER = /^\d+$/;
/** A lone Latin letter ("b" of "<b>", "a", "x") carries no topic. */
const LONE_LETTER = /^[a-z]$/;

/** Conversation, not topic (folded): greetings and thanks in both languages. */
const GREETINGS = new Set(["chao", "hello", "hi", "hey", "thanks", "thank", "bye", "ok", "okay", "alo"]);
const ENGLISH_GREETING_PHRASES: readonly (readonly string[])[] = [["good", "morning"], ["good", "evening"], ["thank", "you"]];

/** The question's words three ways: canonical, folded, and whether the user typed tone marks. */
interface Words {
  readonly canonical: readonly string[];
  readonly folded: readonly string[];
  readonly toned: readonly boolean[];
}

export function analyzeQuery(text: string): AnalyzedQuery {
  const syllables = canonicalSyllables(text.slice(0, 1000));
  const foldedSyllables = syllables.map(foldSyllable);
  // A syllable with nothing left once folded (a lone combining mark) says nothing.
  const kept = (_: string, i: number): boolean => foldedSyllables[i] !== "";
  const canonical = syllables.filter(kept);
  const words: Words = { canonical, folded: foldedSyllables.filter(kept), toned: canonical.map((s) => hasDiacritics(s)) };
  const english = isEnglish(words);
  const cues = english ? ENGLISH_CUES : VIETNAMESE_CUES;
  const found = english ? englishConcepts(words, cues.removed) : vietnameseConcepts(words, cues.removed);
  // Where the asking words point ("bao nhiêu mô hình") is read before repeats are dropped.
  const expects = expectation(words, found, cues);
  const concepts = distinct(found);
  const terms = new Set<string>();
  const highlight = new Set<string>();
  for (const concept of concepts) {
    for (const phrase of concept.phrases) {
      for (const term of phraseTerms(phrase.folded)) terms.add(term);
      for (const word of phrase.folded) if (!FOLDED_STOPWORDS.has(word)) highlight.add(word);
    }
  }
  return { text, language: english ? "en" : "vi", concepts, ...(expects ? { expects } : {}), terms: [...terms], highlight };
}

/**
 * A concept said twice counts once: a question is not more about "khó khăn" for repeating it,
 * and a long message of repeats would otherwise cost a check per repeat for every candidate.
 */
function distinct(concepts: readonly Concept[]): Concept[] {
  const seen = new Set<string>();
  return concepts.filter((concept) => {
    const key = concept.phrases.map((p) => `${p.folded.join(" ")}/${p.exact?.join(" ") ?? ""}`).join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A phrase of one of the vocabulary's lists, folded once. A word typed with tones must match it
 * exactly; one typed without matches by folded form, except in one-syllable phrases, which are
 * too ambiguous folded ("may" is "mấy", how many, and "máy", machine).
 */
interface ListedPhrase {
  readonly words: readonly string[];
  readonly folded: readonly string[];
  readonly foldedMatchAllowed: boolean;
}

function listed(phrases: readonly (readonly string[])[]): readonly ListedPhrase[] {
  return phrases.map((words) => {
    const folded = words.map(foldSyllable);
    return { words, folded, foldedMatchAllowed: words.length > 1 || folded[0] === words[0] };
  });
}

/** Words that ask for a kind of answer, in the question's language. */
interface QuestionCues {
  readonly quantity: readonly ListedPhrase[];
  readonly measure: readonly ListedPhrase[];
  readonly time: readonly ListedPhrase[];
  readonly person: readonly ListedPhrase[];
  /** English "when"/"who" ask only at the start ("what motto … when working" does not ask a time). */
  readonly atStartOnly: boolean;
  /** Phrases that are not topic: the asking cues, plus forms of address and greetings. */
  readonly removed: readonly ListedPhrase[];
}

function questionCues(
  lists: { quantity: readonly (readonly string[])[]; measure: readonly (readonly string[])[]; time: readonly (readonly string[])[]; person: readonly (readonly string[])[] },
  notTopic: readonly (readonly string[])[],
  atStartOnly: boolean,
): QuestionCues {
  return {
    quantity: listed(lists.quantity),
    measure: listed(lists.measure),
    time: listed(lists.time),
    person: listed(lists.person),
    atStartOnly,
    removed: listed([...notTopic, ...lists.quantity, ...lists.time, ...lists.person]),
  };
}

const VIETNAMESE_CUES = questionCues(
  { quantity: VIETNAMESE_QUANTITY_PHRASES, measure: VIETNAMESE_MEASURE_WORDS, time: VIETNAMESE_TIME_PHRASES, person: VIETNAMESE_PERSON_PHRASES },
  VIETNAMESE_STOP_PHRASES,
  false,
);
const ENGLISH_CUES = questionCues(
  { quantity: ENGLISH_QUANTITY_PHRASES, measure: ENGLISH_MEASURE_WORDS, time: ENGLISH_TIME_PHRASES, person: ENGLISH_PERSON_PHRASES },
  ENGLISH_GREETING_PHRASES,
  true,
);

/** The thing counted is the first concept after "bao nhiêu" / "how many" (a pair when there is one). */
function expectation(words: Words, concepts: readonly Concept[], cues: QuestionCues): Expectation | undefined {
  const asks = (phrases: readonly ListedPhrase[]): boolean =>
    phrases.some((phrase) => {
      const at = phraseStart(words, phrase);
      return at >= 0 && (!cues.atStartOnly || at === 0);
    });
  if (asks(cues.time)) return { kind: "time" };
  if (asks(cues.person)) return { kind: "person" };
  for (const phrase of cues.quantity) {
    const at = phraseStart(words, phrase);
    if (at < 0) continue;
    const after = concepts.filter((c) => !c.optional && c.position >= at + phrase.words.length);
    const first = Math.min(...after.map((c) => c.position));
    const of = after.filter((c) => c.position === first).sort((a, b) => b.size - a.size)[0];
    return of ? { kind: "quantity", of } : { kind: "quantity" };
  }
  if (cues.measure.some((phrase) => phraseStart(words, phrase) >= 0)) return { kind: "quantity" };
  return undefined;
}

/** Unigrams (minus function words) and adjacent bigrams of a folded phrase. */
export function phraseTerms(folded: readonly string[]): string[] {
  const terms = folded.filter((s) => !FOLDED_STOPWORDS.has(s) || folded.length === 1);
  for (let i = 0; i + 1 < folded.length; i += 1) terms.push(`${folded[i]} ${folded[i + 1]}`);
  return terms;
}

const FOLDED_STOPWORDS: ReadonlySet<string> = new Set([...VIETNAMESE_STOPWORDS].map(foldSyllable));

/** English when most words cannot be Vietnamese syllables ("what", "tasks", "ahead"). */
function isEnglish(words: Words): boolean {
  if (words.toned.some(Boolean)) return false;
  const letters = words.folded.filter((w) => !NUMBER.test(w));
  if (letters.length === 0) return false;
  return letters.filter((w) => !VIETNAMESE_SYLLABLE.test(w)).length * 2 >= letters.length;
}

/** Whether the phrase is in the question at word `at`. */
function phraseAt(words: Words, phrase: ListedPhrase, at: number): boolean {
  if (at + phrase.words.length > words.canonical.length) return false;
  for (let j = 0; j < phrase.words.length; j += 1) {
    const matches = words.toned[at + j]
      ? words.canonical[at + j] === phrase.words[j]
      : phrase.foldedMatchAllowed && words.folded[at + j] === phrase.folded[j];
    if (!matches) return false;
  }
  return true;
}

/** Where the phrase first starts in the question, or -1. */
function phraseStart(words: Words, phrase: ListedPhrase): number {
  for (let at = 0; at < words.canonical.length; at += 1) if (phraseAt(words, phrase, at)) return at;
  return -1;
}

/** Marks the words covered by any of the phrases. */
function phraseMask(words: Words, phrases: readonly ListedPhrase[]): boolean[] {
  const mask = new Array<boolean>(words.canonical.length).fill(false);
  for (let at = 0; at < words.canonical.length; at += 1) {
    for (const phrase of phrases) {
      if (phraseAt(words, phrase, at)) mask.fill(true, at, at + phrase.words.length);
    }
  }
  return mask;
}

function vietnameseConcepts(words: Words, notTopic: readonly ListedPhrase[]): Concept[] {
  const { canonical, folded, toned } = words;
  const removed = phraseMask(words, notTopic);
  const isStop = canonical.map((syllable, i) => {
    if (removed[i] || GREETINGS.has(folded[i]!) || LONE_LETTER.test(syllable)) return true;
    // Typed with tones, the stop list is exact ("có" is a function word, "cơ" is not); typed
    // without, the folded form is all we know.
    return toned[i] ? VIETNAMESE_STOPWORDS.has(syllable) : FOLDED_STOPWORDS.has(folded[i]!);
  });
  const exactOf = (i: number): string | null => (toned[i] ? canonical[i]! : null);
  const concepts: Concept[] = [];
  canonical.forEach((syllable, i) => {
    if (!isStop[i]) {
      const exact = exactOf(i);
      const phrase: Phrase = { folded: [folded[i]!], exact: exact ? [exact] : null };
      concepts.push({ label: syllable, phrases: [phrase], optional: false, position: i, size: 1 });
    }
    const next = i + 1;
    // A pair with a function word is kept only when that word was typed without tones, where it
    // may be a content word in disguise ("trong" for "trọng"); then it is optional.
    const certainStop = (j: number): boolean => isStop[j]! && (toned[j]! || removed[j]!);
    if (next < canonical.length && !(isStop[i] && isStop[next]) && !certainStop(i) && !certainStop(next)) {
      const exactPair = exactOf(i) && exactOf(next) ? [exactOf(i)!, exactOf(next)!] : null;
      concepts.push({
        label: `${syllable} ${canonical[next]}`,
        phrases: [{ folded: [folded[i]!, folded[next]!], exact: exactPair }],
        optional: isStop[i]! || isStop[next]!,
        position: i,
        size: 2,
      });
    }
  });
  return concepts.map(translateEnglishWord).map(addSynonyms);
}

/** Folded synonym phrase → its group, for {@link addSynonyms}. */
const SYNONYM_GROUPS = new Map<string, readonly Phrase[]>();
for (const group of VIETNAMESE_SYNONYMS) {
  const phrases = group.map(vietnamesePhrase);
  for (const phrase of phrases) SYNONYM_GROUPS.set(phrase.folded.join(" "), phrases);
}

/** "vướng mắc" also matches "khó khăn": words of one sense count as the same concept. */
function addSynonyms(concept: Concept): Concept {
  const typed = concept.phrases[0]!;
  const group = SYNONYM_GROUPS.get(typed.folded.join(" "));
  if (!group) return concept;
  // Typed without tones, "nguoi" could be another word than "người": only then is the group a guess.
  if (typed.exact && !group.some((p) => p.exact!.join(" ") === typed.exact!.join(" "))) return concept;
  return { ...concept, phrases: [typed, ...group.filter((p) => p.folded.join(" ") !== typed.folded.join(" "))] };
}

/** A Vietnamese question may still use an English word ("kết quả movement"): translate it. */
function translateEnglishWord(concept: Concept): Concept {
  const only = concept.phrases[0]!;
  if (concept.size !== 1 || only.exact || VIETNAMESE_SYLLABLE.test(only.folded[0]!)) return concept;
  const translations = ENGLISH_TO_VIETNAMESE[englishStem(only.folded[0]!)];
  return translations ? { ...concept, phrases: [only, ...translations.map(vietnamesePhrase)] } : concept;
}

function vietnamesePhrase(text: string): Phrase {
  const syllables = canonicalSyllables(text);
  return { folded: syllables.map(foldSyllable), exact: syllables };
}

function englishConcepts(words: Words, notTopic: readonly ListedPhrase[]): Concept[] {
  const removed = phraseMask(words, notTopic);
  const concepts: Concept[] = [];
  const skip = (word: string, i: number): boolean => removed[i]! || ENGLISH_STOPWORDS.has(word) || GREETINGS.has(word) || LONE_LETTER.test(word);
  let previousUnknown: string | undefined;
  for (let i = 0; i < words.folded.length; i += 1) {
    const word = words.folded[i]!;
    if (skip(word, i)) {
      previousUnknown = undefined;
      continue;
    }
    const next = words.folded[i + 1];
    const compound = next !== undefined && !removed[i + 1] ? ENGLISH_TO_VIETNAMESE[`${englishStem(word)}_${englishStem(next)}`] : undefined;
    if (compound) {
      concepts.push({ label: `${word} ${next}`, phrases: compound.map(vietnamesePhrase), optional: false, position: i, size: 2 });
      previousUnknown = undefined;
      i += 1;
      continue;
    }
    const translations = ENGLISH_TO_VIETNAMESE[englishStem(word)];
    if (translations) {
      concepts.push({ label: word, phrases: translations.map(vietnamesePhrase), optional: false, position: i, size: 1 });
      previousUnknown = undefined;
      continue;
    }
    // Not in the vocabulary: a name or a Vietnamese word typed without tones ("Soc Trang").
    concepts.push({ label: word, phrases: [{ folded: [word], exact: null }], optional: false, position: i, size: 1 });
    if (previousUnknown && VIETNAMESE_SYLLABLE.test(word) && VIETNAMESE_SYLLABLE.test(previousUnknown)) {
      const phrase = { folded: [previousUnknown, word], exact: null };
      concepts.push({ label: `${previousUnknown} ${word}`, phrases: [phrase], optional: false, position: i - 1, size: 2 });
    }
    previousUnknown = word;
  }
  return concepts;
}
