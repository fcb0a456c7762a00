/**
 * The command menus Telegram shows (setMyCommands), in Vietnamese (default) and English, for private
 * chats, groups, group admins and operators. The commands themselves are handled in features/commands.ts.
 */
import type { Api } from "grammy";
import { DEFAULT_LOCALE, LOCALES, type Translations } from "./i18n.js";

export const PRIVATE_COMMANDS = ["start", "ask", "questions", "article", "subscribe", "unsubscribe", "status", "help"] as const;
export const GROUP_COMMANDS = ["ask", "questions", "article", "status", "help"] as const;
/** Group admins also see the commands that change alerts. */
export const GROUP_ADMIN_COMMANDS = ["ask", "questions", "article", "subscribe", "unsubscribe", "status", "help"] as const;
export const OPERATOR_COMMANDS = [...PRIVATE_COMMANDS, "stats"] as const;

export async function registerCommandMenus(api: Api, i18n: Translations, operators: readonly number[] = []): Promise<void> {
  for (const locale of LOCALES) {
    const describe = (commands: readonly string[]) => commands.map((command) => ({ command, description: i18n.t(locale, `cmd-${command}`) }));
    // The default locale is also the menu for every language without its own.
    const languages = locale === DEFAULT_LOCALE ? [undefined, locale] : [locale];
    for (const language_code of languages) {
      const lang = language_code ? { language_code } : {};
      await api.setMyCommands(describe(PRIVATE_COMMANDS), { scope: { type: "all_private_chats" }, ...lang });
      await api.setMyCommands(describe(GROUP_COMMANDS), { scope: { type: "all_group_chats" }, ...lang });
      await api.setMyCommands(describe(GROUP_ADMIN_COMMANDS), { scope: { type: "all_chat_administrators" }, ...lang });
      for (const chat_id of operators) {
        // An operator who never opened a chat with the bot has no chat yet: skip, do not fail the start.
        await api.setMyCommands(describe(OPERATOR_COMMANDS), { scope: { type: "chat", chat_id }, ...lang }).catch(() => undefined);
      }
    }
  }
}
