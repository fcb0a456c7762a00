/**
 * Which kinds of answer a piece of text holds: figures with their unit's kind (money, length,
 * area, weight, people …, from the lexicon's units.tsv, however the unit is written: "ha",
 * "hecta", "héc-ta"), percentages, dates and people's names. The question side is read in
 * query.ts ({@link Expectation}); this is the passage side, checked sentence by sentence.
 */
import type { AnswerKind, FigureKind, Lexicon } from "./lexicon.js";
import { LEXICON } from "./lexicon.js";
import type { Expectation } from "./query.js";
import { foldSyllable } from "./vietnamese.js";

/**
 * A number as printed: 31.945, 1,2, 100 – 120, 9/9. Bounded in length: on a run like "1.1.1.1…"
 * an unbounded number would be re-read from every digit (quadratic), which a passage must not cost.
 */
const NUMBER = String.raw`\d[\d.,]{0,15}(?:\s{0,3}(?:-|–|—|/|đến|den|tới|toi)\s{0,3}\d[\d.,]{0,15})?`;
/** Words that scale a number: "1,2 triệu", "hơn 3 nghìn", "2 tỷ". */
const SCALE = String.raw`(?:(?:nghìn|nghin|ngàn|ngan|triệu|trieu|tỷ|ty|tỉ|ti|trăm|tram|vạn|van|ngàn tỷ|nghìn tỷ)\s+)?`;
/** Word boundaries for Vietnamese: JavaScript's \b knows only ASCII letters. */
const NOT_WORD_BEFORE = String.raw`(?<![\p{L}\p{N}])`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{N}])`;

/** Days, months, years: "10/12/2024", "tháng 9", "năm 2025", "quý I", "ngày 5". */
const DATE = new RegExp(
  String.raw`${NOT_WORD_BEFORE}(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?${NOT_WORD_AFTER}|\d{1,2}/(?:19|20)\d\d${NOT_WORD_AFTER}|(?:19|20)\d\d${NOT_WORD_AFTER}|(?:ngày|ngay|tháng|thang|năm|nam|quý|quy)\s+(?:\d{1,4}|[ivx]{1,4})${NOT_WORD_AFTER}|thời gian tới|sắp tới|đầu năm|cuối năm|giữa năm)`,
  "iu",
);

/** "ông" → "[oô]ng"-free form: a title in lower case or capitalised at a sentence's start. */
const eitherCase = (word: string): string => `[${word[0]}${word[0]!.toUpperCase()}]${word.slice(1)}`;
const TITLES = [
  "ông", "bà", "anh", "chị", "cô", "thầy", "em", "đồng chí", "đ/c", "bác sĩ", "bác sỹ", "giám đốc", "chủ tịch", "bí thư",
  "trưởng", "phó", "thượng tá", "trung tá", "đại tá", "thiếu tá", "đại úy", "hiệu trưởng", "kỹ sư", "nghệ nhân", "vận động viên",
  "thạc sĩ", "tiến sĩ", "nhà sư", "sư", "VĐV",
];
const FAMILY_NAMES = [
  "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lâm",
  "Trương", "Đinh", "Mai", "Thạch", "Danh", "Tô", "Lưu", "Châu", "Quách", "Tăng", "Kim", "Sơn", "Triệu", "Đoàn", "Cao", "La",
  "Thái", "Hà", "Tạ", "Văn", "Lương", "Trịnh",
];
/**
 * A person's name: a form of address or title followed by a capitalised syllable ("đồng chí Dương
 * Sà Kha", "Ông Tư", "Giám đốc Lâm Văn Hòa"), or a common family name followed by capitalised ones.
 */
const PERSON_NAME = new RegExp(
  String.raw`${NOT_WORD_BEFORE}(?:(?:${TITLES.map(eitherCase).join("|")})\s+\p{Lu}\p{Ll}*|(?:${FAMILY_NAMES.join("|")})(?:\s+\p{Lu}\p{Ll}*){1,3})`,
  "u",
);

/** An organisation named: "Công ty TNHH Thủy sản Hải Đăng", "Ngân hàng Chính sách xã hội", "HTX Cồn Tròn". */
const ORGANIZATION = new RegExp(
  String.raw`${NOT_WORD_BEFORE}(?:${["công ty", "tổng công ty", "tập đoàn", "ngân hàng", "doanh nghiệp", "hợp tác xã", "nhà máy", "liên danh", "nhà thầu", "quỹ"].map(eitherCase).join("|")}|HTX|Trung tâm|Sở|Ban|Chi cục|Bệnh viện|Trường|Hội|Cục)\s+(?:\p{Lu}|TNHH|CP|cổ phần)`,
  "u",
);
/** A place named: an administrative word or a preposition of place before a capitalised name, or a country. */
const PLACE = new RegExp(
  String.raw`${NOT_WORD_BEFORE}(?:(?:${["xã", "huyện", "ấp", "phường", "thị xã", "thị trấn", "thành phố", "tỉnh", "sông", "cầu", "chợ", "khu", "vùng", "tại", "ở", "sang", "đến", "từ", "về", "nước", "quốc gia"].map(eitherCase).join("|")}|TP\.?)\s+\p{Lu}|(?:Trung Quốc|Nhật Bản|Hàn Quốc|Đài Loan|Mỹ|Hoa Kỳ|châu Âu|Úc|Singapore|Malaysia|Thái Lan|Campuchia|Lào|Indonesia|Philippines|Nga|Canada|Anh|Pháp|Đức)${NOT_WORD_AFTER})`,
  "u",
);
/** Words that give a reason or a cause ("để" and "nên" are too common to say so). */
const REASON = new RegExp(`${NOT_WORD_BEFORE}(?:do|vì|bởi|nguyên nhân|lý do|nhờ|dẫn đến|khiến|vì vậy|cho nên)${NOT_WORD_AFTER}`, "iu");

export class AnswerKinds {
  private readonly figure: ReadonlyMap<FigureKind, RegExp>;

  constructor(lexicon: Lexicon = LEXICON) {
    const forms = new Map<FigureKind, Set<string>>();
    for (const unit of lexicon.units) {
      const set = forms.get(unit.kind) ?? new Set<string>();
      for (const form of unit.forms) {
        // Forms are matched on the text lower-cased with tones, and on its folded copy.
        set.add(form.canonical.map(escapeRegExp).join(String.raw`[\s-]*`));
        set.add(form.folded.map(escapeRegExp).join(String.raw`[\s-]*`));
      }
      forms.set(unit.kind, set);
    }
    const percent = forms.get("percent") ?? new Set<string>();
    percent.add("%");
    forms.set("percent", percent);
    const figure = new Map<FigureKind, RegExp>();
    for (const [kind, set] of forms) {
      const alternatives = [...set].sort((a, b) => b.length - a.length).join("|");
      figure.set(kind, new RegExp(`${NOT_WORD_BEFORE}${NUMBER}\\s*${SCALE}(?:${alternatives})${NOT_WORD_AFTER}`, "iu"));
    }
    this.figure = figure;
  }

  /** Whether the text (a sentence or a passage, as printed) holds an answer of the kind. */
  holds(text: string, kind: AnswerKind): boolean {
    if (kind === "time") return DATE.test(text);
    if (kind === "person") return PERSON_NAME.test(text);
    if (kind === "organization") return ORGANIZATION.test(text);
    if (kind === "place") return PLACE.test(text);
    if (kind === "reason") return REASON.test(text);
    if (kind === "quantity" || kind === "count") return /\d/.test(text);
    const pattern = this.figure.get(kind);
    if (!pattern) return /\d/.test(text);
    const lower = text.toLowerCase();
    return pattern.test(lower) || pattern.test(foldSyllable(lower));
  }

  /**
   * Whether the text answers the expectation: a figure or name of any of its kinds; for a plain
   * quantity of a named thing, a figure next to it ("69 tập thể", "mô hình: 31.945", "9/9 xã").
   * `folded` is the text's folded syllables, space-padded.
   */
  satisfies(text: string, folded: string, expects: Expectation): boolean {
    if (expects.kinds.has("quantity") && expects.of) {
      return expects.of.phrases.some((phrase) => quantityPattern(phrase.folded.join(" ")).test(folded));
    }
    for (const kind of expects.kinds) if (this.holds(text, kind)) return true;
    return false;
  }
}

const QUANTITY_PATTERNS = new Map<string, RegExp>();
/** Vietnamese counts before the noun ("69 tập thể", "31.945 mô hình, điển hình"), lists after it ("mô hình: 31.945"). */
function quantityPattern(words: string): RegExp {
  let pattern = QUANTITY_PATTERNS.get(words);
  if (!pattern) {
    if (QUANTITY_PATTERNS.size > 10_000) QUANTITY_PATTERNS.clear();
    pattern = new RegExp(` \\d+ (?:\\S+ ){0,2}${escapeRegExp(words)} | ${escapeRegExp(words)} (?:\\S+ ){0,2}\\d+ `);
    QUANTITY_PATTERNS.set(words, pattern);
  }
  return pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The answer kinds every question is read with. */
export const ANSWER_KINDS = new AnswerKinds();
