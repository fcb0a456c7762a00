/**
 * Telegram's HTML parse mode, ported from tdlib's `parse_html` (td/telegram/MessageEntity.cpp) so
 * that the emulator rejects what Telegram rejects, with the same error texts and UTF-8 byte offsets.
 *
 * `strict` mode adds errors where real Telegram silently repairs the text (unknown `&name;`
 * entities are kept literally, entities nested in code/pre or in a blockquote are dropped, `<a>`
 * without href takes its text as the URL): a bot that passes strict mode is safe on the real thing.
 */
import type { MessageEntity } from "grammy/types";

export type ValidationMode = "strict" | "telegram";

export interface ParsedText {
  text: string;
  entities: MessageEntity[];
}

/** A parse failure; `message` is the detail that follows "can't parse entities: ". */
export class HtmlParseError extends Error {}

const ALLOWED_TAGS = new Set([
  "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
  "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
]);

const NAMED_ENTITIES: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };

/** tdlib's is_space treats the terminating NUL as a space; `at()` returns "\0" past the end. */
const isSpace = (c: string): boolean =>
  c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\0" || c === "\v";
const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isHex = (c: string): boolean => /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

export const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");

interface DecodedEntity {
  code: number;
  end: number;
  /** Name of an unsupported `&name;` reference, reported only so strict mode can reject it. */
  unknownName?: string;
}

function decodeEntity(s: string, pos: number): DecodedEntity | undefined {
  const at = (i: number): string => s[i] ?? "\0";
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === "#") {
    end++;
    if (at(pos + 2) === "x") {
      end++;
      while (isHex(at(end))) code = code * 16 + parseInt(at(end++), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + Number(at(end++));
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    const name = s.slice(pos + 1, end);
    const known = NAMED_ENTITIES[name];
    if (known === undefined) {
      return name !== "" && at(end) === ";" ? { code: 0, end: end + 1, unknownName: name } : undefined;
    }
    code = known;
  }
  if (at(end) === ";") end++;
  return { code, end };
}

interface OpenTag {
  name: string;
  argument: string;
  hasHref: boolean;
  offset: number;
  resultPos: number;
  bytePos: number;
}

/** Loose link check in the spirit of tdlib's get_checked_link; invalid links are dropped there. */
export function checkedLink(url: string): string | undefined {
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return undefined;
  }
  const protocol = parsed.protocol.toLowerCase();
  if (protocol === "tg:" || protocol === "ton:" || protocol === "tonsite:") return candidate;
  if (protocol !== "http:" && protocol !== "https:") return undefined;
  return parsed.hostname.includes(".") || parsed.hostname === "localhost" ? candidate : undefined;
}

export function parseHtml(html: string, mode: ValidationMode = "strict"): ParsedText {
  if (html.includes("\0")) throw new HtmlParseError("Text must not contain null bytes");
  const at = (i: number): string => html[i] ?? "\0";
  const byteOffset = (i: number): number => utf8Length(html.slice(0, i));
  const out: string[] = [];
  let outLength = 0; // UTF-16 units emitted so far = the entity offset
  const append = (chunk: string): void => {
    out.push(chunk);
    outLength += chunk.length;
  };
  const entities: RawEntity[] = [];
  const stack: OpenTag[] = [];
  const n = html.length;

  for (let i = 0; i < n; i++) {
    const c = html[i] as string;
    if (c === "&") {
      const decoded = decodeEntity(html, i);
      if (decoded?.unknownName !== undefined) {
        if (mode === "strict") {
          throw new HtmlParseError(
            `Unsupported HTML entity "&${decoded.unknownName};" at byte offset ${byteOffset(i)}`,
          );
        }
      } else if (decoded !== undefined) {
        if (decoded.code >= 0xd800 && decoded.code <= 0xdfff) {
          throw new HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
          );
        }
        append(String.fromCodePoint(decoded.code));
        i = decoded.end - 1;
        continue;
      }
    }
    if (c !== "<") {
      append(c);
      continue;
    }

    const begin = i++;
    if (at(i) !== "/") {
      while (!isSpace(at(i)) && at(i) !== ">") i++;
      if (i >= n) throw new HtmlParseError(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tag = html.slice(begin + 1, i).toLowerCase();
      if (!ALLOWED_TAGS.has(tag)) {
        throw new HtmlParseError(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
      }

      let argument = "";
      let hasHref = false;
      while (at(i) !== ">") {
        while (i < n && isSpace(at(i))) i++;
        if (at(i) === ">") break;
        const attrBegin = i;
        while (!isSpace(at(i)) && !"=>/\"'".includes(at(i))) i++;
        const attrName = html.slice(attrBegin, i);
        if (attrName === "") {
          throw new HtmlParseError(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        }
        while (i < n && isSpace(at(i))) i++;
        if (at(i) !== "=") {
          if (i >= n) throw new HtmlParseError(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
          if (tag === "blockquote" && attrName === "expandable") argument = "1";
          continue;
        }
        i++;
        while (i < n && isSpace(at(i))) i++;
        if (i >= n) throw new HtmlParseError(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);

        let value = "";
        const quote = at(i);
        if (quote !== "'" && quote !== '"') {
          const tokenBegin = i;
          while (isAlnum(at(i)) || at(i) === "." || at(i) === "-") i++;
          value = html.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(at(i)) && at(i) !== ">") {
            throw new HtmlParseError(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        } else {
          i++;
          while (i < n && at(i) !== quote) {
            if (at(i) === "&") {
              const decoded = decodeEntity(html, i);
              if (decoded !== undefined && decoded.unknownName === undefined) {
                value += String.fromCodePoint(decoded.code);
                i = decoded.end;
                continue;
              }
            }
            value += at(i++);
          }
          if (at(i) === quote) i++;
        }
        if (i >= n) throw new HtmlParseError(`Unclosed start tag at byte offset ${byteOffset(begin)}`);

        if (tag === "a" && attrName === "href") {
          argument = value;
          hasHref = true;
        } else if (tag === "code" && attrName === "class" && value.startsWith("language-")) {
          argument = value.slice("language-".length);
        } else if (tag === "span" && attrName === "class" && value.startsWith("tg-")) {
          argument = value.slice("tg-".length);
        } else if (tag === "tg-emoji" && attrName === "emoji-id") {
          argument = value;
        } else if (tag === "blockquote" && attrName === "expandable") {
          argument = "1";
        }
      }

      if (tag === "span" && argument !== "spoiler") {
        throw new HtmlParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      if (mode === "strict") checkStrictNesting(tag, hasHref, stack, byteOffset(begin));
      stack.push({ name: tag, argument, hasHref, offset: outLength, resultPos: out.length, bytePos: begin });
    } else {
      if (stack.length === 0) throw new HtmlParseError(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      while (!isSpace(at(i)) && at(i) !== ">") i++;
      const endTag = html.slice(begin + 2, i).toLowerCase();
      while (i < n && isSpace(at(i))) i++;
      if (at(i) !== ">") throw new HtmlParseError(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      const open = stack[stack.length - 1] as OpenTag;
      if (endTag !== "" && endTag !== open.name) {
        throw new HtmlParseError(
          `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.name}>", found "</${endTag}>"`,
        );
      }
      if (outLength > open.offset) {
        addEntity(entities, open, outLength - open.offset, out.slice(open.resultPos).join(""));
      }
      stack.pop();
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) {
    throw new HtmlParseError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: out.join(""), entities: entities.map(finishEntity) };
}

/** The extra rules of strict mode; real Telegram drops such entities instead of failing. */
function checkStrictNesting(tag: string, hasHref: boolean, stack: readonly OpenTag[], byteOffset: number): void {
  if (tag === "a" && !hasHref) {
    throw new HtmlParseError(`Tag "a" must have attribute "href" at byte offset ${byteOffset}`);
  }
  const parent = stack[stack.length - 1];
  const codeAncestor = stack.find((t) => t.name === "code" || t.name === "pre");
  if (codeAncestor !== undefined) {
    const codeInPre = tag === "code" && parent?.name === "pre" && !stack.some((t) => t.name === "code");
    if (!codeInPre) {
      throw new HtmlParseError(
        `Tag "${tag}" can't be nested in tag "${codeAncestor.name}" at byte offset ${byteOffset}`,
      );
    }
  }
  if (tag === "blockquote" && stack.some((t) => t.name === "blockquote")) {
    throw new HtmlParseError(`Tag "blockquote" can't be nested in tag "blockquote" at byte offset ${byteOffset}`);
  }
}

/** An entity under construction; a `code` keeps its language until a matching `pre` closes. */
interface RawEntity {
  type: MessageEntity["type"];
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  codeLanguage?: string;
}

const SIMPLE_TAGS: Record<string, MessageEntity["type"]> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler",
};

function addEntity(entities: RawEntity[], open: OpenTag, length: number, innerText: string): void {
  const offset = open.offset;
  const last = entities[entities.length - 1];
  const sameRange = last !== undefined && last.offset === offset && last.length === length;
  const simple = SIMPLE_TAGS[open.name];
  if (simple !== undefined) {
    entities.push({ type: simple, offset, length });
    return;
  }
  switch (open.name) {
    case "tg-emoji":
      if (!/^[0-9]{1,19}$/.test(open.argument) || /^0+$/.test(open.argument)) {
        throw new HtmlParseError("Invalid custom emoji identifier specified");
      }
      entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: open.argument });
      return;
    case "a": {
      const url = checkedLink(open.argument === "" ? innerText : open.argument);
      if (url !== undefined) entities.push({ type: "text_link", offset, length, url });
      return;
    }
    case "pre":
      if (sameRange && last.type === "code" && last.codeLanguage !== undefined) {
        entities[entities.length - 1] = { type: "pre", offset, length, language: last.codeLanguage };
      } else {
        entities.push({ type: "pre", offset, length });
      }
      return;
    case "code":
      if (sameRange && last.type === "pre" && open.argument !== "") {
        entities[entities.length - 1] = { type: "pre", offset, length, language: open.argument };
      } else {
        entities.push({ type: "code", offset, length, ...(open.argument !== "" && { codeLanguage: open.argument }) });
      }
      return;
    case "blockquote":
      entities.push({ type: open.argument === "" ? "blockquote" : "expandable_blockquote", offset, length });
      return;
    default:
      throw new Error(`unreachable tag ${open.name}`);
  }
}

function finishEntity({ codeLanguage: _language, ...entity }: RawEntity): MessageEntity {
  return entity as MessageEntity;
}

/**
 * Best-effort plain text of a message body: parsed when it is valid HTML, otherwise tags are
 * stripped and the four entities decoded (for showing broken text in test failures).
 */
export function htmlToPlain(html: string): string {
  try {
    return parseHtml(html, "telegram").text;
  } catch {
    return html
      .replace(/<[^>]*>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
  }
}

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && WORD_CHAR.test(ch);
const isCommandChar = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z0-9_]$/.test(ch);

/** The code point ending just before UTF-16 index `i`. */
function charBefore(s: string, i: number): string | undefined {
  if (i <= 0) return undefined;
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) return s.slice(i - 2, i);
  return s[i - 1];
}

/** The code point starting at UTF-16 index `i`. */
function charAt(s: string, i: number): string | undefined {
  const cp = s.codePointAt(i);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

/**
 * The entities Telegram finds by itself in a user's text: bot commands (`/cmd`, `/cmd@bot`) and
 * @mentions, with tdlib's boundary rules.
 */
export function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (let i = text.indexOf("/"); i !== -1; i = text.indexOf("/", i + 1)) {
    const prev = charBefore(text, i);
    if (isWordChar(prev) || prev === "/" || prev === "<" || prev === ">") continue;
    let j = i + 1;
    while (isCommandChar(text[j])) j++;
    if (j - i - 1 < 1 || j - i - 1 > 64) continue;
    if (text[j] === "@") {
      let k = j + 1;
      while (isCommandChar(text[k])) k++;
      if (k - j - 1 < 3 || k - j - 1 > 32) continue;
      j = k;
    }
    const next = charAt(text, j);
    if (isWordChar(next) || next === "/" || next === "<" || next === ">") continue;
    entities.push({ type: "bot_command", offset: i, length: j - i });
  }
  for (let i = text.indexOf("@"); i !== -1; i = text.indexOf("@", i + 1)) {
    if (isWordChar(charBefore(text, i))) continue;
    let j = i + 1;
    while (isCommandChar(text[j])) j++;
    if (j - i - 1 < 2 || j - i - 1 > 32) continue;
    if (isWordChar(charAt(text, j))) continue;
    entities.push({ type: "mention", offset: i, length: j - i });
  }
  return entities.sort((a, b) => a.offset - b.offset);
}
