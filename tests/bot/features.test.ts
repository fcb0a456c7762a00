import { GrammyError } from "grammy";
import { describe, expect, it } from "vitest";
import { seedIndex } from "../knowledge/helpers.js";
import { BOT_INFO, buttons, harness, sent, textOf } from "./harness.js";

const knowledge = seedIndex();

describe("private chat: any text is a question", () => {
  it("answers with the interview question, the quoted passage with highlights, speaker and source", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("kho khan"));
    const text = textOf(reply);
    expect(text).toContain("❓ <b>Phóng viên:</b> <i>Thưa đồng chí, quá trình thực hiện công tác dân vận");
    expect(text).toMatch(/<blockquote>Tuy nhiên, .*<b>khó khăn<\/b>, hạn chế/s);
    expect(text).toContain("— <b>Đồng chí Dương Sà Kha</b>");
    expect(text).toContain('<a href="https://baosoctrang.org.vn">Phong trào thi đua “Dân vận khéo”');
    expect(text).toContain("23/11/2024 · baosoctrang.org.vn");
    expect(reply!.payload.parse_mode).toBe("HTML");
    const labels = buttons(reply).map((b) => b.text);
    expect(labels).toEqual(["📖 Toàn bộ câu trả lời", "➡️ Kết quả tiếp theo", "❓ Câu hỏi khác", "📤 Chia sẻ"]);
    expect(buttons(reply).find((b) => b.switch_inline_query)?.switch_inline_query).toMatch(/^\w+-4$/);
  });

  it("a figure question: the sentence holding the figure first, in bold, then the whole passage quoted", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("Hiện nay toàn tỉnh có bao nhiêu mô hình, điển hình?"));
    const text = textOf(reply);
    const sentence = text.match(/💬 <b>([^<]*)<\/b>/)?.[1];
    expect(sentence).toMatch(/^Hiện nay toàn tỉnh có 31\.945 mô hình/);
    expect(text.indexOf("💬")).toBeLessThan(text.indexOf("<blockquote"));
    expect(text).toMatch(/<blockquote[^>]*>Hiện nay toàn tỉnh có <b>31\.945<\/b>|<blockquote[^>]*>.*31\.945/s);
  });

  it("unsure: the closest passages, labelled as possibly not answering", async () => {
    const h = harness(knowledge);
    // On the subject (the movement's models), but asking for something the article never says.
    const [reply] = sent(await h.message("Mô hình dân vận khéo nào được Trung ương khen thưởng năm 2030?"));
    const text = textOf(reply);
    expect(text).toContain("🤔 Tôi không chắc bài báo trả lời đúng câu này");
    expect(text).toContain("<blockquote");
    expect(buttons(reply).map((b) => b.text)).toContain("📤 Chia sẻ");
  });

  it("a long passage is quoted in an expandable blockquote", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("What are the tasks ahead?"));
    expect(textOf(reply)).toContain("<blockquote expandable>");
  });

  it("not in the article: an honest reply with the article's questions as buttons", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("Giá vàng hôm nay?"));
    expect(textOf(reply)).toContain("Bài báo không nói về “Giá vàng hôm nay?”");
    expect(buttons(reply).map((b) => b.callback_data)).toEqual([expect.stringMatching(/^q:\w+:1$/), expect.stringMatching(/:2$/), expect.stringMatching(/:3$/)]);
  });

  it("user text is escaped everywhere, and every message passes Telegram's HTML rules", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("<script>alert(1)</script> & <b>"));
    expect(textOf(reply)).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;");
  });

  it("replies in English to users whose Telegram language is English", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("What difficulties remain?", { from: h.user(7, "en") }));
    expect(buttons(reply).map((b) => b.text)).toContain("📖 Full answer");
    const [declined] = sent(await h.message("weather", { from: h.user(7, "en-GB") }));
    expect(textOf(declined)).toContain("The article does not say anything about");
  });
});

describe("commands", () => {
  it("/start welcomes with what the bot knows and the questions as buttons", async () => {
    const h = harness(knowledge);
    const [reply] = sent(await h.message("/start"));
    expect(textOf(reply)).toContain("Tôi đang có 1 bài báo");
    expect(buttons(reply)).toHaveLength(3);
  });

  it("/start <passage id> (deep link) opens that passage; an unknown id says so and welcomes", async () => {
    const h = harness(knowledge);
    const id = knowledge.article(knowledge.articleHeads[0]!.id)!.passages[1]!.id;
    const [reply] = sent(await h.message(`/start ${id}`));
    expect(textOf(reply)).toContain("31.945 mô hình");
    const replies = sent(await h.message("/start nope-99"));
    expect(textOf(replies[0])).toContain("Không tìm thấy đoạn trích");
    expect(textOf(replies[1])).toContain("Xin chào");
  });

  it("/start help (inline mode's nothing-found button) shows the help", async () => {
    const h = harness(knowledge);
    const replies = sent(await h.message("/start help"));
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0])).toContain("Cách dùng Hỏi báo");
  });

  it("/help, /questions, /article", async () => {
    const h = harness(knowledge);
    expect(textOf(sent(await h.message("/help"))[0])).toContain("@hoibao_bot");
    const questions = sent(await h.message("/questions"))[0];
    expect(textOf(questions)).toContain("3. Để phong trào thi đua");
    const article = sent(await h.message("/article"))[0];
    expect(textOf(article)).toContain("Sóc Trăng · Ngày 23/11/2024");
    expect(textOf(article)).toContain("3 câu hỏi phỏng vấn, 7 đoạn.");
  });

  it("/help names every command a user can type; English counts in words, not article(s)", async () => {
    const h = harness(knowledge);
    const help = textOf(sent(await h.message("/help"))[0]);
    for (const command of ["/start", "/questions", "/article", "/ask", "/subscribe", "/unsubscribe", "/status", "/help"]) expect(help).toContain(command);
    const en = h.user(8, "en");
    expect(textOf(sent(await h.message("/start", { from: en }))[0])).toContain("I know one article. The latest:");
    expect(textOf(sent(await h.message("/help", { from: en }))[0])).toContain("How to use Hỏi báo");
    expect(textOf(sent(await h.message("/article", { from: en }))[0])).toContain("3 interview questions, 7 passages.");
  });

  it("an unknown command is named as such, with the way to /help (escaped: it is the user's text)", async () => {
    const h = harness(knowledge);
    expect(textOf(sent(await h.message("/weather"))[0])).toBe("Tôi không biết lệnh /weather. Gõ /help để xem các lệnh; tin nhắn khác là câu hỏi.");
    expect(textOf(sent(await h.message("/x<b>"))[0])).toContain("lệnh /x.");
  });

  it("/ask with nothing asks for a question; /ask <question> answers", async () => {
    const h = harness(knowledge);
    expect(textOf(sent(await h.message("/ask"))[0])).toContain("Bạn muốn hỏi gì?");
    expect(textOf(sent(await h.message("/ask bao nhiêu mô hình?"))[0])).toContain("31.945");
  });
});

describe("groups: only /ask, mentions and replies to the bot", () => {
  const group = { id: -100123, type: "supergroup" as const, title: "Nhóm" };

  it("answers /ask@bot and mentions, as a reply to the asker; ignores other chatter", async () => {
    const h = harness(knowledge);
    const [ask] = sent(await h.message("/ask@hoibao_bot khó khăn", { chat: group }));
    expect(textOf(ask)).toContain("khó khăn");
    expect(ask!.payload.reply_parameters).toMatchObject({ allow_sending_without_reply: true });
    const [mention] = sent(await h.message("@hoibao_bot bao nhiêu mô hình?", { chat: group }));
    expect(textOf(mention)).toContain("31.945");
    expect(sent(await h.message("hôm nay ăn gì mọi người", { chat: group }))).toEqual([]);
    expect(sent(await h.message("@someone_else khó khăn", { chat: group }))).toEqual([]);
  });

  it("a reply to one of the bot's messages is a question", async () => {
    const h = harness(knowledge);
    const botMessage = { message_id: 1, date: 0, chat: group, from: { id: BOT_INFO.id, is_bot: true, first_name: "Hỏi báo" }, text: "…" };
    const [reply] = sent(await h.message("còn hạn chế gì?", { chat: group, replyTo: botMessage as never }));
    expect(textOf(reply)).toContain("hạn chế");
  });

  it("every reply in a group is threaded to the message it answers: /help, an empty /ask, /start with a lost passage", async () => {
    const h = harness(knowledge);
    for (const text of ["/help@hoibao_bot", "/ask", "/start gone-passage-id", "/status"]) {
      const replies = sent(await h.message(text, { chat: group }));
      expect(replies.length, text).toBeGreaterThan(0);
      for (const reply of replies) expect(reply.payload.reply_parameters, text).toMatchObject({ allow_sending_without_reply: true });
    }
  });

  it("a command that mentions the bot or replies to it is run as the command, not asked", async () => {
    const h = harness(knowledge);
    const botMessage = { message_id: 1, date: 0, chat: group, from: { id: BOT_INFO.id, is_bot: true, first_name: "Hỏi báo" }, text: "…" };
    const byReply = sent(await h.message("/article", { chat: group, replyTo: botMessage as never }));
    expect(byReply).toHaveLength(1);
    expect(textOf(byReply[0])).toContain("3 câu hỏi phỏng vấn, 7 đoạn.");
    const byMention = sent(await h.message("/questions @hoibao_bot", { chat: group }));
    expect(byMention).toHaveLength(1);
    expect(textOf(byMention[0])).toContain("3. Để phong trào thi đua");
  });
});

describe("buttons", () => {
  it("every press is answered; full answer, next match (edit), other questions, a question", async () => {
    const h = harness(knowledge);
    const [answer] = sent(await h.message("kho khan"));
    const data = buttons(answer).flatMap((b) => (b.callback_data ? [b.callback_data] : []));
    for (const d of data) {
      const calls = await h.press(d);
      expect(calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    }
    const full = sent(await h.press(data[0]!))[0];
    expect(textOf(full)).toContain("Tỉnh ủy luôn quan tâm");
    expect(textOf(full)).toContain("công tác nắm bắt");
    const next = sent(await h.press(data[1]!), "editMessageText")[0];
    expect(textOf(next)).toContain("Kết quả 2/2");
  });

  it("a forged, stale or unknown button gets a polite note, never an error", async () => {
    const h = harness(knowledge);
    for (const data of ["zz:evil", "n:expired1:1", "f:nope-1", "q:nope:1", "qs:nope", "<b>"]) {
      const calls = await h.press(data);
      const answers = calls.filter((c) => c.method === "answerCallbackQuery");
      expect(answers, data).toHaveLength(1);
      expect(String(answers[0]!.payload.text)).toMatch(/hết hạn|Không tìm thấy/);
    }
  });

  it("the callback query is answered even when sending the reply fails", async () => {
    const h = harness(knowledge, {
      failWith: (method) => (method === "sendMessage" ? new GrammyError("boom", { ok: false, error_code: 500, description: "Internal" }, "sendMessage", {}) : undefined),
    });
    const calls = await h.press(`qs:${knowledge.articleHeads[0]!.id}`);
    expect(calls.map((c) => c.method)).toContain("answerCallbackQuery");
  });
});

describe("inline mode", () => {
  it("lists matching passages: title = question, description = the answering sentence, posts the quote with its source", async () => {
    const h = harness(knowledge);
    const [call] = await h.inline("khó khăn");
    const results = call!.payload.results as { id: string; title: string; description: string; input_message_content: { message_text: string } }[];
    expect(results[0]!.title).toMatch(/khó khăn, hạn chế gì\?$/);
    expect(results[0]!.description).toMatch(/^Tuy nhiên/);
    expect(results[0]!.input_message_content.message_text).toContain("baosoctrang.org.vn");
    const [figure] = await h.inline("bao nhiêu mô hình");
    const first = (figure!.payload.results as { description: string; input_message_content: { message_text: string } }[])[0]!;
    expect(first.description).toMatch(/^Hiện nay toàn tỉnh có 31\.945 mô hình/);
    expect(first.input_message_content.message_text).toMatch(/💬 <b>Hiện nay toàn tỉnh có 31\.945 mô hình/);
  });

  it("an empty query lists the interview questions; a passage id (share button) gives that passage", async () => {
    const h = harness(knowledge);
    const [empty] = await h.inline("");
    expect((empty!.payload.results as unknown[]).length).toBe(3);
    const id = knowledge.article(knowledge.articleHeads[0]!.id)!.passages[6]!.id;
    const [shared] = await h.inline(id);
    expect((shared!.payload.results as { id: string }[]).map((r) => r.id)).toEqual([id]);
  });

  it("nothing found: an empty list with a button to the bot", async () => {
    const h = harness(knowledge);
    const [call] = await h.inline("thời tiết");
    expect(call!.payload.results).toEqual([]);
    expect(call!.payload.button).toMatchObject({ start_parameter: "help" });
  });
});

describe("robustness", () => {
  it("a handler error is caught: the user gets an apology, the bot keeps going", async () => {
    let fail = true;
    const h = harness(knowledge, {
      failWith: (method) => {
        if (method === "sendMessage" && fail) {
          fail = false;
          return new Error("network down");
        }
        return undefined;
      },
    });
    const calls = await h.message("kho khan");
    expect(textOf(sent(calls)[1])).toContain("Có lỗi khi trả lời");
    expect(textOf(sent(await h.message("kho khan"))[0])).toContain("khó khăn");
  });
});

describe("flood limit", () => {
  it("a user sending too fast is told to slow down once; others are unaffected", async () => {
    const h = harness(knowledge, { rateLimit: { timeFrameMs: 60_000, limit: 3 } });
    const replies: string[] = [];
    for (let i = 0; i < 6; i += 1) replies.push(...sent(await h.message("kho khan")).map(textOf));
    expect(replies.filter((t) => t.includes("khó khăn"))).toHaveLength(3);
    expect(replies.filter((t) => t.includes("gửi hơi nhanh"))).toHaveLength(1);
    expect(textOf(sent(await h.message("kho khan", { from: h.user(99) }))[0])).toContain("khó khăn");
  });
});
