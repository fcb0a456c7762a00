/**
 * Text and entities (a message as Telegram stores it) rendered for a terminal: what the local chat
 * shows for each message the bot sends.
 */
import type { MessageEntity } from "grammy/types";

const BOLD = 1;
const ITALIC = 2;
const UNDERLINE = 4;
const STRIKE = 8;
const SPOILER = 16;
const CODE = 32;
const FAINT = 64;

const STYLE_OF: Partial<Record<MessageEntity["type"], number>> = {
  bold: BOLD,
  italic: ITALIC,
  underline: UNDERLINE,
  strikethrough: STRIKE,
  spoiler: SPOILER,
  code: CODE,
  pre: CODE,
  text_link: UNDERLINE,
};

interface Cell {
  readonly ch: string;
  readonly style: number;
}

interface Line {
  readonly quote: boolean;
  readonly cells: Cell[];
}

export interface RenderOptions {
  /** ANSI styles; plain text otherwise. */
  readonly color: boolean;
  /** Wraps lines at words to this many columns (quote lines keep their bar); no wrapping otherwise. */
  readonly width?: number;
}

/**
 * A message as a Telegram user sees it, for a terminal: bold, italic and the rest as ANSI styles
 * (or plain), block quotes as lines with a "│ " bar, links as "text (url)".
 */
export function renderEntities(text: string, entities: readonly MessageEntity[], options: RenderOptions): string[] {
  const style = new Array<number>(text.length).fill(0);
  const quoted = new Array<boolean>(text.length).fill(false);
  const linkEnds = new Map<number, string[]>();
  for (const e of entities) {
    const end = Math.min(text.length, e.offset + e.length);
    const bit = STYLE_OF[e.type] ?? 0;
    for (let i = e.offset; i < end; i++) {
      style[i] = (style[i] ?? 0) | bit;
      if (e.type === "blockquote" || e.type === "expandable_blockquote") quoted[i] = true;
    }
    if (e.type === "text_link" && e.url !== text.slice(e.offset, end)) linkEnds.set(end, [...(linkEnds.get(end) ?? []), e.url]);
  }

  const lines: Line[] = [];
  let line: Line = { quote: quoted[0] ?? false, cells: [] };
  const push = (next: Line): void => {
    lines.push(line);
    line = next;
  };
  let at = 0;
  for (const ch of text) {
    if (ch === "\n") {
      push({ quote: quoted[at + 1] ?? false, cells: [] });
    } else {
      const q = quoted[at] ?? false;
      // A block quote is a block: text before or after it on the same line goes on its own line.
      if (q !== line.quote) {
        if (line.cells.length) push({ quote: q, cells: [] });
        else line = { quote: q, cells: line.cells };
      }
      line.cells.push({ ch, style: style[at] ?? 0 });
    }
    at += ch.length;
    for (const url of linkEnds.get(at) ?? []) for (const c of ` (${url})`) line.cells.push({ ch: c, style: FAINT });
  }
  lines.push(line);

  const bar = options.color ? "\x1b[90m│\x1b[39m " : "│ ";
  return lines.flatMap((l) => {
    const prefix = l.quote ? bar : "";
    const room = options.width ? Math.max(20, options.width - (l.quote ? 2 : 0)) : undefined;
    return (room ? wrap(l.cells, room) : [l.cells]).map((cells) => (cells.length ? prefix + serialize(cells, options.color) : prefix.trimEnd()));
  });
}

function serialize(cells: readonly Cell[], color: boolean): string {
  if (!color) return cells.map((c) => c.ch).join("");
  let out = "";
  let current = 0;
  for (const cell of cells) {
    if (cell.style !== current) {
      if (current) out += "\x1b[0m";
      if (cell.style) out += sgr(cell.style);
      current = cell.style;
    }
    out += cell.ch;
  }
  return current ? `${out}\x1b[0m` : out;
}

function sgr(style: number): string {
  const codes: number[] = [];
  if (style & BOLD) codes.push(1);
  if (style & FAINT) codes.push(2);
  if (style & ITALIC) codes.push(3);
  if (style & UNDERLINE) codes.push(4);
  if (style & SPOILER) codes.push(7);
  if (style & STRIKE) codes.push(9);
  if (style & CODE) codes.push(36);
  return `\x1b[${codes.join(";")}m`;
}

/** Greedy word wrap by display width; a word longer than the line is cut. */
function wrap(cells: readonly Cell[], width: number): Cell[][] {
  const out: Cell[][] = [];
  let current: Cell[] = [];
  let used = 0;
  let i = 0;
  while (i < cells.length) {
    if (cells[i]!.ch === " ") {
      let j = i;
      while (j < cells.length && cells[j]!.ch === " ") j++;
      const spaces = cells.slice(i, j);
      let k = j;
      while (k < cells.length && cells[k]!.ch !== " ") k++;
      const word = cells.slice(j, k);
      const w = spaces.length + displayWidth(word);
      if (used + w > width && used > 0) {
        out.push(current);
        current = [];
        used = 0;
      } else {
        current.push(...spaces);
        used += spaces.length;
      }
      i = j;
      continue;
    }
    const cell = cells[i]!;
    const w = charWidth(cell.ch);
    if (used + w > width && used > 0) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(cell);
    used += w;
    i++;
  }
  out.push(current);
  return out;
}

function displayWidth(cells: readonly Cell[]): number {
  return cells.reduce((sum, c) => sum + charWidth(c.ch), 0);
}

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || /\p{M}/u.test(ch)) return 0;
  if (/\p{Emoji_Presentation}/u.test(ch)) return 2;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}
