import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type LocalChatOptions, runLocalChat } from "../../src/bot/local-chat.js";
import { renderEntities } from "../../src/bot/terminal-render.js";
import { parseHtml } from "../../src/telegram-sim/html.js";
import { createLogger } from "../../src/logger.js";
import { REPO_ROOT, builtCli } from "../../testkit/build.js";
import { seedIndex } from "../knowledge/helpers.js";

const deps = { knowledge: seedIndex(), logger: createLogger({ level: "silent", format: "json" }) };

/** Runs a scripted local chat over in-memory streams; returns everything it printed. */
async function chat(lines: readonly string[], options: Partial<LocalChatOptions> = {}): Promise<string> {
  let text = "";
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  await runLocalChat({ deps, input: Readable.from([lines.map((l) => `${l}\n`).join("")]), output, ...options });
  return text;
}

/** The part of a transcript from the echo of `line` to the next echo. */
function turn(transcript: string, line: string, nth = 0): string {
  const parts = transcript.split(/^(?=> )/m).filter((p) => p.startsWith(`> ${line}\n`));
  return parts[nth] ?? "";
}

describe("local chat (scripted)", () => {
  it("answers a question with the quoted passage, who said it, the source link and numbered buttons", async () => {
    const out = await chat(["kho khan"]);
    expect(out).toContain("local chat");
    expect(out).toContain("BOT_TOKEN");
    const answer = turn(out, "kho khan");
    expect(answer).toContain("🤖 Hỏi báo:");
    expect(answer).toContain("Kết quả 1/2");
    expect(answer).toContain("❓ Phóng viên: Thưa đồng chí, quá trình thực hiện công tác dân vận thời gian qua còn những khó khăn, hạn chế gì?");
    expect(answer).toMatch(/^ {2}│ Tuy nhiên, bên cạnh những kết quả đạt được, .*khó khăn, hạn chế nhất định/m);
    expect(answer).toContain("— Đồng chí Dương Sà Kha");
    expect(answer).toContain("(https://baosoctrang.org.vn)");
    expect(answer).toContain("[1] 📖 Toàn bộ câu trả lời  [2] ➡️ Kết quả tiếp theo\n  [3] ❓ Câu hỏi khác  [4] 📤 Chia sẻ\n");
    // Scripted output is plain: no ANSI codes, no prompt, no HTML.
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).not.toContain("bạn>");
    expect(out).not.toMatch(/<\/?(b|i|a|blockquote)\b/);
  });

  it("says honestly what is not in the article, with the questions as buttons; a button number shows that answer", async () => {
    const out = await chat(["thời tiết", "2"]);
    const declined = turn(out, "thời tiết");
    expect(declined).toContain("🤷 Bài báo không nói về “thời tiết”.");
    expect(declined).toContain("[1] 1. Trong những năm qua");
    expect(declined).toContain("[2] 2. Thưa đồng chí, quá trình thực hiện công tác dân vận");
    expect(declined).toContain("[3] 3. Để phong trào thi đua");
    const pressed = turn(out, "2");
    expect(pressed).toContain("(pressed “2. Thưa đồng chí");
    expect(pressed).toContain("│ Thời gian qua, Tỉnh ủy luôn quan tâm");
    expect(pressed).toContain("[1] 📖 Toàn bộ câu trả lời");
  });

  it("edits the answer in place for the next match, and the full answer joins the passages", async () => {
    const out = await chat(["kho khan", "2", "#1"]);
    const next = turn(out, "2");
    expect(next).toContain("(pressed “➡️ Kết quả tiếp theo”)");
    expect(next).toContain("🤖 Hỏi báo (edited):");
    expect(next).toContain("Kết quả 2/2");
    expect(next).not.toMatch(/\[\d\] ➡️/); // the last match has no "next" button
    const full = turn(out, "#1");
    expect(full).toContain("(pressed “📖 Toàn bộ câu trả lời”)");
    expect(full).toMatch(/│ Thời gian qua, Tỉnh ủy[\s\S]*\n {2}│\n {2}│ Tuy nhiên, bên cạnh/);
  });

  it("shows English UI strings to an English-speaking user", async () => {
    const out = await chat(["thời tiết", "/help", "kho khan"], { languageCode: "en" });
    expect(turn(out, "thời tiết")).toContain("🤷 The article does not say anything about “thời tiết”.");
    expect(turn(out, "/help")).toContain("How to use Hỏi báo");
    expect(turn(out, "kho khan")).toContain("[1] 📖 Full answer  [2] ➡️ Next match");
    expect(out).not.toContain("Toàn bộ câu trả lời");
  });

  it("runs /start, /questions and /article as typed", async () => {
    const out = await chat(["/start", "/questions", "/article"]);
    expect(turn(out, "/start")).toContain("👋 Xin chào! Tôi là Hỏi báo");
    expect(turn(out, "/questions")).toContain("❓ Các câu hỏi của bài phỏng vấn");
    expect(turn(out, "/article")).toContain("Nguồn: baosoctrang.org.vn (https://baosoctrang.org.vn)");
  });

  it("share shows what inline mode offers; picking a result shows the posted message and its deep link opens the bot", async () => {
    const out = await chat(["bao nhieu mo hinh", "3", "1", "1"]);
    const share = turn(out, "3");
    expect(share).toContain("(pressed “📤 Chia sẻ”)");
    expect(share).toContain("📤 Share:");
    expect(share).toMatch(/\[1\] Trong những năm qua, phong trào[^\n]*\n {6}Hiện nay toàn tỉnh có 31\.945 mô hình/);
    const posted = turn(out, "1", 0);
    expect(posted).toContain("📨 Posted by you via @hoibao_bot");
    expect(posted).toContain("│ Hiện nay toàn tỉnh có 31.945 mô hình");
    expect(posted).toContain("[1] 🔎 Xem trong bot ↗");
    const opened = turn(out, "1", 1);
    expect(opened).toMatch(/🔗 https:\/\/t\.me\/hoibao_bot\?start=[A-Za-z0-9_-]+/);
    expect(opened).toContain("│ Hiện nay toàn tỉnh có 31.945 mô hình");
  });

  it("/inline lists inline results with title and description", async () => {
    const out = await chat(["/inline kho khan", "/inline xyzzy"]);
    const found = turn(out, "/inline kho khan");
    expect(found).toContain("🔎 Inline mode: @hoibao_bot kho khan");
    expect(found).toContain("[1] Thưa đồng chí, quá trình thực hiện công tác dân vận thời gian qua còn những khó khăn, hạn chế gì?");
    expect(found).toContain("      Tuy nhiên, bên cạnh những kết quả");
    const none = turn(out, "/inline xyzzy");
    expect(none).toContain("(no results)");
    expect(none).toContain("[1] Không có đoạn nào khớp");
  });

  it("shows answerCallbackQuery notes as a toast line (a stale or forged button via /press)", async () => {
    const out = await chat(["kho khan", "/press n:gone1234:1", "/press nonsense"]);
    expect(turn(out, "/press n:gone1234:1")).toBe("> /press n:gone1234:1\n  ⓘ Nút này đã hết hạn, bạn hãy hỏi lại nhé.\n\n");
    expect(turn(out, "/press nonsense")).toContain("ⓘ Nút này đã hết hạn");
  });

  it("tells the user when a number matches no button", async () => {
    const out = await chat(["kho khan", "7", "#0"]);
    expect(turn(out, "7")).toContain("(no button 7: the buttons on screen are 1–4)");
    expect(turn(out, "#0")).toContain("(no button 0");
  });

  it("/quit ends the chat; the rest of the input is not read", async () => {
    const out = await chat(["/quit", "kho khan"]);
    expect(out).toContain("> /quit");
    expect(out).not.toContain("> kho khan");
  });

  it("is deterministic", async () => {
    const script = ["kho khan", "2", "thời tiết", "1", "/inline", "2"];
    expect(await chat(script)).toBe(await chat(script));
  });
});

describe("Telegram HTML in the terminal", () => {
  it("parses HTML into text and entities as the Bot API does, and refuses what it refuses", () => {
    expect(parseHtml('a <b>b</b> &lt;&amp;&gt; <a href="https://x.vn/?a=1&amp;b=2">link</a>')).toEqual({
      text: "a b <&> link",
      entities: [
        { type: "bold", offset: 2, length: 1 },
        { type: "text_link", offset: 8, length: 4, url: "https://x.vn/?a=1&b=2" },
      ],
    });
    expect(parseHtml("<blockquote expandable>q</blockquote>").entities).toEqual([{ type: "expandable_blockquote", offset: 0, length: 1 }]);
    expect(() => parseHtml("<p>x</p>")).toThrow('Unsupported start tag "p"');
    expect(() => parseHtml("<b>x")).toThrow('Can\'t find end tag corresponding to start tag "b"');
    expect(() => parseHtml("<b><i>x</b></i>")).toThrow('expected "</i>", found "</b>"');
  });

  it("renders bold as ANSI only with color, quotes with a bar, links as text (url)", () => {
    const { text, entities } = parseHtml('<i>head</i>\n<blockquote>one <b>two</b>\n\nthree</blockquote>\n<a href="https://e.vn">site</a>');
    expect(renderEntities(text, entities, { color: false })).toEqual(["head", "│ one two", "│", "│ three", "site (https://e.vn)"]);
    const colored = renderEntities(text, entities, { color: true });
    expect(colored[0]).toBe("\x1b[3mhead\x1b[0m");
    expect(colored[1]).toContain("\x1b[1mtwo\x1b[0m");
    expect(renderEntities("word ".repeat(12).trim(), [{ type: "blockquote", offset: 0, length: 59 }], { color: false, width: 24 })).toEqual([
      "│ word word word word",
      "│ word word word word",
      "│ word word word word",
    ]);
  });
});

describe("npm start without BOT_TOKEN", () => {
  const env = { ...process.env, BOT_TOKEN: "", CACHE_DIR: mkdtempSync(path.join(tmpdir(), "hoibao-local-")), LOG_LEVEL: "info", NO_COLOR: "1" };

  for (const name of ["start", "chat"] as const) {
    it(`npm run ${name} runs the local chat on stdin and exits 0 at the end of input`, () => {
      const run = spawnSync(process.execPath, [builtCli(name)], { cwd: REPO_ROOT, env, input: "kho khan\n1\n", encoding: "utf8", timeout: 30_000 });
      expect(run.stderr).not.toContain("Error");
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("> kho khan");
      expect(run.stdout).toContain("│ Tuy nhiên, bên cạnh những kết quả đạt được");
      expect(run.stdout).toContain("(pressed “📖 Toàn bộ câu trả lời”)");
      expect(run.stdout).not.toContain('"level"'); // logs go to stderr
      expect(run.stderr).toContain("knowledge base ready");
    });
  }
});
