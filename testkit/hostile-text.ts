/**
 * The hostile-input corpus: pieces of text that break naive handling (HTML and entity noise,
 * emoji and astral characters, right-to-left and zero-width marks, combining marks, odd spaces),
 * and words of the first article. The hostile-input end-to-end test builds its messages from them;
 * the local chat's parity test builds the bot's messages from them.
 */

export const HTML_NOISE = [
  "<b>", "</b>", "<i>", "</blockquote>", "<blockquote>", "<blockquote expandable>", '<a href="javascript:x">', "</a>",
  "&amp;", "&nbsp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x1F600;", "&#0;", "&#xD800;", "&", "&amp", "&;", "&#",
  "<", ">", "<3", "<<>>", "<>", "</", "<i", "<b><i>", "</i></b>", "<p>", "<br>", "<br/>", "<script>alert(1)</script>",
  '<span class="tg-spoiler">', "<tg-spoiler>", "<code>", "</pre>", "<pre><code class=\"language-js\">", "<!-- x -->",
  "<![CDATA[x]]>", '"', "'", "`", "<a href='https://t.me/x'>", '"><img src=x onerror=alert(1)>', "<u><s>",
  "{ $query }", "{$title}", "%s", "%d", "\\", "\\n", "${x}", "</b></b></b>", "<tg-emoji emoji-id=\"1\">",
];
export const EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇻🇳", "🏳️‍🌈", "1️⃣", "𝕏", "𠀀", "🤷", "❤️", "🧑🏿‍🚀", "😀😀", "🀄", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"];
export const RTL = ["\u202E", "\u202D", "\u202C", "\u200F", "\u200E", "\u2067", "\u2069", "\u061C", "مرحبا بالعالم", "שלום עולם", "\u202Eكم عدد\u202C", "ما هو؟", "עברית 123"];
export const ZERO_WIDTH = ["\u200B", "\u200C", "\u200D", "\uFEFF", "\u2060", "\u00AD", "\u180E"];
export const COMBINING = ["e\u0301", "a\u0323\u0302", "Z̤̈a̸l̶g̵o̴", "\u0301", "\u0300\u0300\u0300", "ư\u0309\u0309"];
export const SYMBOLS = ["<", ">", "&", "<<>>", "</>", "&&", "\"", "'", "`", "&#;", "<!---->", "=>", "</ >", "«»", "‹›", "<>&\""];
export const SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u3000", "\u2028", "\u202F"];
export const WORDS = [
  "khó khăn", "dân vận", "phong trào", "kết quả", "Sóc Trăng", "nhiệm vụ", "thời gian tới", "hạn chế", "mô hình",
  "kho khan", "dan van", "what", "results", "the", "là gì", "bao nhiêu", "ai", "khi nào", "thời tiết", "giá vàng",
  "bóng đá", "xin chào", "hello", "🙂", "ok", "31.945", "2024", "đ", "Đ", "ơ", "ư",
];
