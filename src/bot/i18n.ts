/** Replies in Vietnamese by default, in English for users whose Telegram language is English. */
import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import type { BotContext } from "./context.js";

export const LOCALES = ["vi", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "vi";

export function localeOf(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith("en") ? "en" : DEFAULT_LOCALE;
}

export function createI18n(): I18n<BotContext> {
  return new I18n<BotContext>({
    defaultLocale: DEFAULT_LOCALE,
    // The repository's locales/ folder: two levels up from src/bot/ and from the built dist/bot/.
    directory: fileURLToPath(new URL("../../locales", import.meta.url)),
    // Fluent would wrap variables in Unicode isolation marks; Telegram shows them as noise.
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => localeOf(ctx.from?.language_code),
  });
}
