/** Plain-text helpers shared by the bot, the knowledge base and the command line. */

/** A word boundary this far back from the limit at most is used; further back, the word is cut. */
const WORD_BOUNDARY_REACH = 0.3;

/**
 * Cuts text to at most `limit` UTF-16 units (the unit Telegram's limits count), adding "…". The cut
 * falls at the last white space when one is near the end, and never inside a surrogate pair or
 * before a combining mark (a decomposed "ó" keeps its accent or loses the whole letter).
 */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  if (limit < 1) return "";
  let cut = limit - 1; // room for "…"
  while (cut > 0 && splitsCharacter(text, cut)) cut -= 1;
  const nearest = Math.ceil(cut * (1 - WORD_BOUNDARY_REACH));
  for (let at = cut; at > nearest; at -= 1) {
    if (/\s/u.test(text[at]!)) {
      cut = at;
      break;
    }
  }
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** Whether cutting before `index` would separate a low surrogate or a combining mark from what it belongs to. */
function splitsCharacter(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code >= 0xdc00 && code <= 0xdfff) || /\p{M}/u.test(text[index]!);
}
