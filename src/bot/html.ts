/**
 * Telegram HTML: escaping and length-safe message building. Telegram counts the text after tags
 * are removed and entities decoded; counting UTF-16 units (as JavaScript does) is the stricter,
 * safe reading of its 4,096-character limit.
 */

export const MESSAGE_LIMIT = 4096;

/** Escapes text for Telegram HTML: only &, < and > (and " in attributes) need it. */
export function escapeHtml(text: string): string {
  if (!/[&<>"]/.test(text)) return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The visible length of Telegram HTML: tags removed, the four entities decoded. */
export function visibleLength(html: string): number {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(?:lt|gt|amp|quot);/g, "_").length;
}
