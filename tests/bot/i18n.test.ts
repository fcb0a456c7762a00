import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES, Translations, localeOf } from "../../src/bot/i18n.js";

const LOCALES_DIR = path.resolve(import.meta.dirname, "../../locales");
const keysOf = (locale: string) =>
  readFileSync(path.join(LOCALES_DIR, `${locale}.ftl`), "utf8")
    .split("\n")
    .map((line) => /^([a-z][a-z0-9-]*)\s*=/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined)
    .sort();

describe("translations", () => {
  it("every message exists in Vietnamese and English, and formats without a placeholder", () => {
    expect(keysOf("en")).toEqual(keysOf("vi"));
    const translations = new Translations();
    for (const locale of LOCALES) {
      const text = readFileSync(path.join(LOCALES_DIR, `${locale}.ftl`), "utf8");
      const variables = Object.fromEntries([...text.matchAll(/\$([a-z_]+)/g)].map((m) => [m[1]!, "x"]));
      for (const key of keysOf(locale)) expect(translations.t(locale, key, variables), `${locale} ${key}`).not.toMatch(/^\{.*\}$/);
    }
  });

  it("English users get English, everyone else Vietnamese; variables are filled in", () => {
    const translations = new Translations();
    expect(localeOf("en-GB")).toBe("en");
    expect(localeOf("fr")).toBe("vi");
    expect(localeOf(undefined)).toBe("vi");
    expect(translations.translator("en")("error")).toContain("Something went wrong");
    expect(translations.translator("vi")("error")).toContain("Có lỗi");
    expect(translations.t("vi", "help", { bot: "hoibao_bot" })).toContain("@hoibao_bot");
    expect(translations.t("vi", "no-such-message")).toBe("{no-such-message}");
  });

  it("a message missing in English falls back to Vietnamese; a message defined twice stops the start", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hoibao-locales-"));
    writeFileSync(path.join(dir, "vi.ftl"), "only-vi = Chỉ tiếng Việt\n");
    writeFileSync(path.join(dir, "en.ftl"), "hello = Hello\n");
    expect(new Translations(dir).t("en", "only-vi")).toBe("Chỉ tiếng Việt");
    writeFileSync(path.join(dir, "en.ftl"), "hello = Hello\nhello = Hi\n");
    expect(() => new Translations(dir)).toThrow(/en\.ftl/);
  });
});
