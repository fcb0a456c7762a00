/**
 * Callback data of the answer buttons: short ids only (Telegram allows 64 bytes), parsed strictly
 * so a stale or forged button is recognised and answered politely.
 */

export type ButtonAction =
  /** The whole interview answer the passage belongs to. */
  | { readonly kind: "full"; readonly passageId: string }
  /** Hit number `index` of a recent question. */
  | { readonly kind: "next"; readonly key: string; readonly index: number }
  /** The interview questions of an article. */
  | { readonly kind: "questions"; readonly articleId: string }
  /** The answer to one interview question. */
  | { readonly kind: "question"; readonly articleId: string; readonly section: number };

const ID = "[A-Za-z0-9_-]{1,40}";
const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => ButtonAction][] = [
  [new RegExp(`^f:(${ID})$`), (m) => ({ kind: "full", passageId: m[1]! })],
  [new RegExp(`^n:(${ID}):(\\d{1,3})$`), (m) => ({ kind: "next", key: m[1]!, index: Number(m[2]) })],
  [new RegExp(`^qs:(${ID})$`), (m) => ({ kind: "questions", articleId: m[1]! })],
  [new RegExp(`^q:(${ID}):(\\d{1,3})$`), (m) => ({ kind: "question", articleId: m[1]!, section: Number(m[2]) })],
];

export function encodeAction(action: ButtonAction): string {
  switch (action.kind) {
    case "full":
      return `f:${action.passageId}`;
    case "next":
      return `n:${action.key}:${action.index}`;
    case "questions":
      return `qs:${action.articleId}`;
    case "question":
      return `q:${action.articleId}:${action.section}`;
  }
}

export function decodeAction(data: string): ButtonAction | undefined {
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(data);
    if (match) return build(match);
  }
  return undefined;
}
