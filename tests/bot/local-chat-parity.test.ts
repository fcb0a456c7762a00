/**
 * The local chat shows exactly what Telegram would accept: every message, keyboard and inline
 * result built from the hostile-input corpus gets the same answer from the local chat's Telegram
 * (in process) as from the end-to-end emulator (over HTTP): accepted with the same text and
 * entities, or refused with the same error.
 */
import { Api, GrammyError } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localChatTelegram } from "../../src/bot/local-chat.js";
import type { SimulatedTelegram } from "../../src/telegram-sim/telegram.js";
import { simulatedTelegramTransformer } from "../../src/telegram-sim/transformer.js";
import { startEmulator, type Emulator } from "../../testkit/emulator.js";
import { COMBINING, EMOJI, HTML_NOISE, RTL, SPACES, SYMBOLS, WORDS, ZERO_WIDTH } from "../../testkit/hostile-text.js";

const USER = { id: 5151, is_bot: false, first_name: "An" };
const PIECES = [...HTML_NOISE, ...EMOJI, ...RTL, ...ZERO_WIDTH, ...COMBINING, ...SYMBOLS, ...SPACES, ...WORDS];
const WRAPPERS = [
  (p: string) => p,
  (p: string) => `<b>${p}</b>`,
  (p: string) => `x ${p}<i>y</i>`,
  (p: string) => `<blockquote expandable>${p}</blockquote>`,
  (p: string) => `<a href="https://t.me/x">${p}</a>`,
  (p: string) => `<a>${p}</a>`,
  (p: string) => `<code>${p}</code> &${p};`,
];

type Answer = { ok: true; text?: string; entities?: unknown } | { ok: false; description: string };

async function answer(call: () => Promise<unknown>): Promise<Answer> {
  try {
    const result = (await call()) as { text?: string; entities?: unknown } | true;
    return result === true ? { ok: true } : { ok: true, text: result.text ?? "", entities: result.entities ?? [] };
  } catch (error) {
    if (error instanceof GrammyError) return { ok: false, description: error.description };
    throw error;
  }
}

describe("the local chat refuses exactly what the emulator refuses", () => {
  let emulator: Emulator;
  let local: SimulatedTelegram;
  const sides: { name: string; api: Api; telegram: SimulatedTelegram }[] = [];

  beforeAll(async () => {
    local = localChatTelegram();
    emulator = await startEmulator({ token: local.token });
    sides.push({ name: "local chat", api: new Api(local.token), telegram: local });
    sides[0]!.api.config.use(simulatedTelegramTransformer(local));
    sides.push({ name: "emulator", api: new Api(emulator.token, { apiRoot: emulator.apiRoot }), telegram: emulator });
    for (const side of sides) side.telegram.addChat({ id: USER.id, type: "private", first_name: USER.first_name });
  });
  afterAll(async () => {
    await emulator.close();
    await local.close();
  });

  async function both(call: (api: Api, telegram: SimulatedTelegram) => Promise<unknown>): Promise<Answer> {
    const [inProcess, overHttp] = await Promise.all(sides.map((side) => answer(() => call(side.api, side.telegram))));
    expect(inProcess).toEqual(overHttp);
    return inProcess!;
  }

  it("messages in HTML: the same text and entities, or the same error", async () => {
    const outcomes: Answer[] = [];
    for (const piece of PIECES) {
      for (const wrap of WRAPPERS) outcomes.push(await both((api) => api.sendMessage(USER.id, wrap(piece), { parse_mode: "HTML" })));
      outcomes.push(await both((api) => api.sendMessage(USER.id, piece)));
    }
    for (const text of ["a".repeat(4096), "a".repeat(4097), "😀".repeat(2048), "😀".repeat(2049), "", " ", "<b></b>"]) {
      outcomes.push(await both((api) => api.sendMessage(USER.id, text, { parse_mode: "HTML" })));
    }
    const refused = outcomes.filter((o) => !o.ok).length;
    // Both sides accept most of the corpus and refuse a good part of it: the comparison has teeth.
    expect(refused).toBeGreaterThan(100);
    expect(outcomes.length - refused).toBeGreaterThan(100);
    // Telegram itself repairs <a> without href; the strict rules refuse it, in the local chat too.
    expect(await both((api) => api.sendMessage(USER.id, "<a>link</a>", { parse_mode: "HTML" }))).toMatchObject({ ok: false });
  });

  it("keyboards and edits: the same buttons accepted or refused", async () => {
    for (const piece of PIECES.slice(0, 60)) {
      const markup = { inline_keyboard: [[{ text: piece, callback_data: piece.repeat(8) }], [{ text: "x", url: `https://t.me/${piece}` }]] };
      const sent = await both((api) => api.sendMessage(USER.id, "menu", { reply_markup: markup }));
      if (!sent.ok) continue;
      const [message] = await Promise.all(sides.map((side) => side.telegram.chatHistory(USER.id).at(-1)!.message_id));
      await both((api) => api.editMessageText(USER.id, message!, `<i>${piece}</i>`, { parse_mode: "HTML" }));
    }
  });

  it("inline results: the same results accepted or refused", async () => {
    for (const piece of PIECES.slice(0, 80)) {
      await both((api, telegram) => {
        const queryId = telegram.update(telegram.sendInlineQuery(USER, piece))!.inline_query!.id;
        return api.answerInlineQuery(queryId, [
          { type: "article", id: piece.slice(0, 64) || "x", title: piece, input_message_content: { message_text: `<b>${piece}</b>`, parse_mode: "HTML" } },
        ]);
      });
    }
  });
});
