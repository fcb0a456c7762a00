/**
 * Replies in Vietnamese by default, in English for users whose Telegram language is English.
 * The i18n plugin loads the Fluent files and formats messages; each update gets the translator
 * of its user's locale from the bot's context (create-bot.ts), not from the plugin's middleware,
 * which negotiates the locale again on every message it formats.
 */
import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import type { BotContext } from "./context.js";

export const LOCALES = ["vi", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "vi";

export function localeOf(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith("en") ? "en" : DEFAULT_LOCALE;
}

/** Formats a message of the user's locale by key, with variables. */
export type Translate = (key: string, variables?: Record<string, string | number>) => string;

export function createI18n(): I18n<BotContext> {
  return new I18n<BotContext>({
    defaultLocale: DEFAULT_LOCALE,
    // The repository's locales/ folder: two levels up from src/bot/ and from the built dist/bot/.
    directory: fileURLToPath(new URL("../../locales", import.meta.url)),
    // Fluent would wrap variables in Unicode isolation marks; Telegram shows them as noise.
    fluentBundleOptions: { useIsolating: false },
  });
}

/** One translator per locale; messages without variables are formatted once. */
export function translators(i18n: I18n<BotContext>): Readonly<Record<Locale, Translate>> {
  const forLocale = (locale: Locale): Translate => {
    const fixed = new Map<string, string>();
    return (key, variables) => {
      if (variables) return i18n.t(locale, key, variables);
      let text = fixed.get(key);
      if (text === undefined) fixed.set(key, (text = i18n.t(locale, key)));
      return text;
    };
  };
  return { vi: forLocale("vi"), en: forLocale("en") };
}
