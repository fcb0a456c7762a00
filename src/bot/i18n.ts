/**
 * Replies in Vietnamese by default, in English for users whose Telegram language is English.
 * Messages are Fluent files in locales/ (vi.ftl, en.ftl), formatted by @fluent/bundle — the engine
 * of grammY's i18n plugin, used directly: the plugin itself pulls in a Deno shim (~15 MB of
 * memory in every bot process) and negotiates the locale again for every message it formats.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource } from "@fluent/bundle";

export const LOCALES = ["vi", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "vi";

export function localeOf(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith("en") ? "en" : DEFAULT_LOCALE;
}

/** Formats a message of the user's locale by key, with variables. */
export type Translate = (key: string, variables?: Record<string, string | number>) => string;

/** The repository's locales/ folder: two levels up from src/bot/ and from the built dist/bot/. */
const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

export class Translations {
  private readonly bundles = new Map<Locale, FluentBundle>();
  private readonly translators: Readonly<Record<Locale, Translate>> = { vi: this.bind("vi"), en: this.bind("en") };

  /**
   * Reads `<locale>.ftl` of every locale. A message defined twice stops the start; one Fluent cannot
   * parse is skipped (it would show as `{key}`): tests/bot/i18n.test.ts formats every message.
   */
  constructor(directory = LOCALES_DIR) {
    for (const locale of LOCALES) {
      const file = `${directory}/${locale}.ftl`;
      // Fluent would wrap variables in Unicode isolation marks; Telegram shows them as noise.
      const bundle = new FluentBundle(locale, { useIsolating: false });
      const errors = bundle.addResource(new FluentResource(readFileSync(file, "utf8")));
      if (errors.length > 0) throw new Error(`${file}: ${errors.map((e) => e.message).join("; ")}`);
      this.bundles.set(locale, bundle);
    }
  }

  /** The message in that locale, else in the default one; `{key}` when neither has it. */
  t(locale: Locale, key: string, variables?: Record<string, string | number>): string {
    for (const bundle of [this.bundles.get(locale)!, this.bundles.get(DEFAULT_LOCALE)!]) {
      const message = bundle.getMessage(key);
      if (message?.value) return bundle.formatPattern(message.value, variables);
    }
    return `{${key}}`;
  }

  /** The translator bound to a locale. */
  translator(locale: Locale): Translate {
    return this.translators[locale];
  }

  /** Messages without variables are formatted once per locale. */
  private bind(locale: Locale): Translate {
    const fixed = new Map<string, string>();
    return (key, variables) => {
      if (variables) return this.t(locale, key, variables);
      let text = fixed.get(key);
      if (text === undefined) fixed.set(key, (text = this.t(locale, key)));
      return text;
    };
  }
}
