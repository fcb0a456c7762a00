import { describe, expect, it } from "vitest";
import { canonicalSyllable, canonicalSyllables, foldSyllable, foldedSyllables, hasDiacritics } from "../../src/knowledge/vietnamese.js";
import { SEED_BYTES } from "./helpers.js";

describe("vietnamese normalization", () => {
  it("old and new tone placement give one canonical syllable", () => {
    for (const [a, b] of [["hóa", "hoá"], ["thủy", "thuỷ"], ["ủy", "uỷ"], ["khỏe", "khoẻ"], ["tòa", "toà"]] as const) {
      expect(canonicalSyllable(a)).toBe(canonicalSyllable(b));
    }
  });

  it("leaves syllables whose tone has one place alone", () => {
    for (const s of ["người", "hoàng", "quý", "giữ", "thuở", "khuỷu", "của", "mía", "ngoài"]) expect(canonicalSyllable(s)).toBe(s);
  });

  it("NFD input reads like NFC", () => {
    expect(canonicalSyllables("Khó khăn".normalize("NFD"))).toEqual(canonicalSyllables("Khó khăn"));
  });

  it("folds tone marks and đ", () => {
    expect(canonicalSyllables("Đảng ủy").map(foldSyllable)).toEqual(["dang", "uy"]);
  });

  it("numbers match across thousand separators, dates stay apart", () => {
    expect(canonicalSyllables("31.945 mô hình")[0]).toBe("31945");
    expect(canonicalSyllables("31,945")[0]).toBe("31945");
    expect(canonicalSyllables("23/11/2024")).toEqual(["23", "11", "2024"]);
    expect(canonicalSyllables("2,5 tỷ")).toEqual(["2", "5", "tỷ"]);
  });

  it("invisible characters neither split nor disguise a word; a zero-width space separates", () => {
    expect(canonicalSyllables("kh\u00adó kh\u200dăn\u200e")).toEqual(["khó", "khăn"]);
    expect(canonicalSyllables("dân\u200bvận")).toEqual(["dân", "vận"]);
  });

  it("detects tone marks in any normal form", () => {
    expect(hasDiacritics("kho khan")).toBe(false);
    expect(hasDiacritics("khó khăn".normalize("NFD"))).toBe(true);
    expect(hasDiacritics("đi")).toBe(true);
  });

  it("folding a whole text gives the folded canonical syllables (the index and the questions agree)", () => {
    for (const text of [SEED_BYTES.toString(), "Hoá HÓA thuỷ 31.945 đĐ ư\u0301".normalize("NFD"), "kh\u00adó kh\u200dăn dân\u200bvận"]) {
      expect(foldedSyllables(text)).toEqual(canonicalSyllables(text).map(foldSyllable));
    }
  });
});
