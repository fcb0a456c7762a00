/**
 * A small Vietnamese news site for tests: article pages with the furniture real sites put around
 * the text (menus, ads, related links, comments, footer), RSS 2.0 and Atom feeds, and a local
 * node:http server on 127.0.0.1 that serves them (and can fail or hang on purpose).
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface PageSpec {
  /** The article's title as the page prints it in its h1. */
  readonly title: string;
  /** How the page declares its date. */
  readonly date:
    | { readonly kind: "meta"; readonly value: string }
    | { readonly kind: "json-ld"; readonly value: string }
    | { readonly kind: "time"; readonly value: string }
    | { readonly kind: "text"; readonly value: string }
    | { readonly kind: "none" };
  /** The lead printed above the body ("sapo"), part of the article. */
  readonly sapo?: string;
  /** The article's paragraphs as HTML (inline markup allowed). */
  readonly body: readonly string[];
}

/** Text of a paragraph as it must end up in the article file. */
export function plain(html: string): string {
  return html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();
}

const MENU = ["Trang chủ", "Thời sự", "Chính trị", "Kinh tế", "Văn hóa - Xã hội", "Thể thao", "Pháp luật", "Khmer ngữ"];
const RELATED = [
  "Sóc Trăng tổ chức Hội nghị tổng kết công tác dân vận năm 2024",
  "Huyện Trần Đề ra quân xây dựng nông thôn mới nâng cao",
  "Ngã Năm: Nông dân phấn khởi vì lúa Thu Đông được giá",
];
export const COMMENT = "Bạn đọc Trần Văn Hùng: Bài viết rất hay và bổ ích, mong báo tiếp tục có nhiều bài phản ánh đời sống của bà con vùng sâu, vùng xa trong tỉnh nhà như thế này.";
export const AD = "Quảng cáo: Khuyến mãi lớn cuối năm, mua điện thoại trả góp lãi suất 0% tại hệ thống cửa hàng trên toàn tỉnh";
export const FOOTER = "Cơ quan chủ quản: Tỉnh ủy Sóc Trăng. Giấy phép số 123/GP-BTTTT. Địa chỉ: 2 Nguyễn Trung Trực, phường 1, TP. Sóc Trăng";
/** Words of the furniture that must never reach an article file. */
export const FURNITURE_TEXTS = [COMMENT, AD, FOOTER, ...RELATED, "Khmer ngữ", "Đọc nhiều", "Bản quyền", "Gửi cho bạn bè", "Tin liên quan", "Ảnh: T.L"];

export function articlePage(spec: PageSpec): string {
  const head: string[] = [
    `<meta charset="utf-8">`,
    `<title>${spec.title} - Báo Sóc Trăng</title>`,
    `<meta property="og:title" content="${spec.title.replace(/"/g, "&quot;")} - Báo Sóc Trăng">`,
    `<meta property="og:site_name" content="Báo Sóc Trăng">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
  ];
  let dateHtml = `<span class="view-count">1.234 lượt xem</span>`;
  if (spec.date.kind === "meta") head.push(`<meta property="article:published_time" content="${spec.date.value}">`);
  if (spec.date.kind === "json-ld") {
    head.push(`<script type="application/ld+json">${JSON.stringify({ "@context": "https://schema.org", "@graph": [{ "@type": "WebSite", name: "Báo Sóc Trăng" }, { "@type": "NewsArticle", headline: spec.title, datePublished: spec.date.value }] })}</script>`);
  }
  if (spec.date.kind === "time") dateHtml = `<time datetime="${spec.date.value}">Đăng lúc 7 giờ 30</time>`;
  if (spec.date.kind === "text") dateHtml = `<span class="post-date">${spec.date.value}</span>`;
  const [first, ...rest] = spec.body;
  return `<!DOCTYPE html>
<html lang="vi">
<head>
${head.join("\n")}
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date());</script>
<style>.top-bar{background:#036}</style>
</head>
<body>
<div class="top-bar"><span class="current-date">Thứ Hai, 25/11/2024</span> | <a href="/lien-he">Liên hệ</a> | <a href="/rss">RSS</a></div>
<header class="site-header"><a class="logo" href="/"><img src="/logo.png" alt="Báo Sóc Trăng"></a>
  <form class="search"><input name="q" placeholder="Tìm kiếm"></form></header>
<nav class="main-menu"><ul>${MENU.map((m) => `<li><a href="/${encodeURIComponent(m)}">${m}</a></li>`).join("")}</ul></nav>
<div class="container">
  <div class="col-main">
    <div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/chinh-tri">Chính trị</a></div>
    <div class="article-detail">
      <h1 class="article-title">${spec.title}</h1>
      <div class="article-meta">${dateHtml}
        <span class="share-tools"><a href="#">Chia sẻ</a> <a href="#">Zalo</a> <a href="javascript:print()">In bài viết</a></span></div>
      ${spec.sapo ? `<div class="sapo">${spec.sapo}</div>` : ""}
      <div class="qc-inline"><a href="https://ads.example/click"><img src="/qc.gif"></a><p>${AD}</p></div>
      <div class="article-content">
        <p>${first ?? ""}</p>
        <table class="image center"><tbody><tr><td><img src="/uploads/anh-1.jpg" alt=""></td></tr>
          <tr><td class="image_desc"><p>Quang cảnh buổi làm việc tại cơ sở. Ảnh: T.L</p></td></tr></tbody></table>
        ${rest.map((p) => `<p>${p}</p>`).join("\n        ")}
        <p style="text-align:right"><strong>Bài, ảnh: THANH HẰNG</strong></p>
      </div>
      <div class="article-tools"><a href="#">Gửi cho bạn bè</a> | <a href="#">In bài viết</a> | <a href="#">Về đầu trang</a></div>
      <div class="tags">Từ khóa: <a href="/tag/dan-van">dân vận</a>, <a href="/tag/soc-trang">Sóc Trăng</a></div>
      <div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>${RELATED.map((r, i) => `<li><a href="/tin-${i}.html">${r}</a></li>`).join("")}</ul></div>
      <div class="binh-luan" id="comments"><h3>Bình luận</h3>
        <div class="comment-item"><p>${COMMENT}</p><span class="comment-date">24/11/2024 20:15</span></div>
        <form><textarea name="noi-dung" placeholder="Ý kiến của bạn"></textarea><button>Gửi bình luận</button></form></div>
    </div>
  </div>
  <aside class="sidebar"><div class="doc-nhieu"><h3>Đọc nhiều</h3><ol>${RELATED.map((r) => `<li><a href="#">${r}</a></li>`).join("")}</ol></div>
    <div class="banner-qc"><a href="https://ads.example/"><img src="/banner.jpg" alt="Quảng cáo"></a></div></aside>
</div>
<footer class="site-footer"><p>${FOOTER}</p><p>© Bản quyền thuộc Báo Sóc Trăng. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></footer>
<script src="/js/app.js"></script>
</body>
</html>`;
}

/** An interview, after the real article of the knowledge folder. */
export const INTERVIEW: PageSpec = {
  title: "Sóc Trăng: Phong trào thi đua “Dân vận khéo” tạo sự đồng thuận trong nhân dân",
  date: { kind: "meta", value: "2024-11-23T07:30:00+07:00" },
  body: [
    "<strong>Phóng viên:</strong> Trong những năm qua, phong trào “Dân vận khéo” đã phát huy được hiệu quả, tạo sức mạnh tổng hợp trong nhân dân. Đồng chí cho biết về những kết quả của phong trào này?",
    "<strong>Đồng chí Dương Sà Kha:</strong> Thời gian qua, công tác dân vận của hệ thống chính trị Sóc Trăng từ tỉnh đến cơ sở tiếp tục được đổi mới, đạt kết quả tích cực. Phong trào thi đua “Dân vận khéo” đã trở thành nội dung thi đua trong hệ thống chính trị từ tỉnh đến cơ sở.",
    "Hiện nay toàn tỉnh có 31.945 mô hình, điển hình tập thể, cá nhân tiêu biểu trên các lĩnh vực, góp phần tạo sự chuyển biến tích cực về kinh tế - xã hội.",
    "<strong>Phóng viên:</strong> Thưa đồng chí, quá trình thực hiện công tác dân vận thời gian qua còn những khó khăn, hạn chế gì?",
    "<strong>Đồng chí Dương Sà Kha:</strong> Công tác nắm bắt và dự báo tình hình nhân dân, việc thông tin, báo cáo vấn đề nảy sinh của một số cơ sở có lúc chưa kịp thời.",
    "<strong>Phóng viên:</strong> Xin cảm ơn đồng chí về cuộc trao đổi này!",
  ],
};

/** Plain news with a lead; the date only in JSON-LD. */
export const RICE: PageSpec = {
  title: "Nông dân Ngã Năm phấn khởi vì lúa Thu Đông trúng mùa, được giá",
  date: { kind: "json-ld", value: "2024-11-24T06:15:00+07:00" },
  sapo: "Những ngày này, nông dân thị xã Ngã Năm đang tất bật thu hoạch lúa Thu Đông. Năng suất bình quân đạt 6,5 tấn/ha, giá lúa tươi tại ruộng từ 7.800 đến 8.200 đồng/kg.",
  body: [
    "Theo Phòng Kinh tế thị xã Ngã Năm, vụ Thu Đông năm nay toàn thị xã xuống giống hơn 15.000 ha, đến nay đã thu hoạch được khoảng 60% diện tích.",
    "Ông Lâm Văn Tài, ngụ phường 3, cho biết: “Năm nay gia đình tôi làm 3 ha lúa ST25, nhờ áp dụng quy trình <em>một phải năm giảm</em> nên chi phí giảm, lợi nhuận khoảng 25 triệu đồng/ha”.",
    "Ngành nông nghiệp khuyến cáo bà con thu hoạch đến đâu, vệ sinh đồng ruộng đến đó, chuẩn bị cho vụ Đông Xuân 2024 - 2025 đúng lịch thời vụ.",
  ],
};

/** The date only in a <time datetime> element. */
export const FESTIVAL: PageSpec = {
  title: "Rộn ràng Lễ hội Oóc Om Bóc - Đua ghe Ngo đồng bào Khmer",
  date: { kind: "time", value: "2024-11-15" },
  body: [
    "Tối 14/11, tại bờ sông Maspéro, hàng chục nghìn người dân và du khách đã về dự lễ cúng trăng, thả đèn nước trong không khí vui tươi.",
    "Sáng 15/11, giải đua ghe Ngo với 60 đội tranh tài thu hút đông đảo người xem hai bên bờ sông cổ vũ.",
  ],
};

/** No date on the page but the one printed next to the title. */
export const ROAD: PageSpec = {
  title: "Khởi công tuyến đường nối Quốc lộ 1 với cảng Trần Đề",
  date: { kind: "text", value: "Thứ Tư, 20/11/2024 09:00" },
  body: [
    "Sáng 20/11, UBND tỉnh tổ chức lễ khởi công tuyến đường dài 14 km nối Quốc lộ 1 với khu vực cảng biển Trần Đề.",
    "Công trình có tổng mức đầu tư hơn 1.200 tỷ đồng, dự kiến hoàn thành vào cuối năm 2026, góp phần phát triển kinh tế - xã hội vùng ven biển.",
  ],
};

/** No date on the page at all: the feed item's date is used. */
export const NO_DATE: PageSpec = {
  title: "Sóc Trăng: Hội thi tiếng hát dân ca Khmer năm 2024",
  date: { kind: "none" },
  body: [
    "Hội thi quy tụ 25 thí sinh đến từ các huyện, thị xã, thành phố trong tỉnh, biểu diễn các làn điệu dân ca truyền thống của đồng bào Khmer.",
    "Ban tổ chức đã trao 1 giải nhất, 2 giải nhì, 3 giải ba và nhiều giải khuyến khích cho các thí sinh xuất sắc.",
  ],
};

export interface FeedEntry {
  readonly title: string;
  readonly link: string;
  readonly guid?: string;
  /** RFC 822 (RSS) or ISO (Atom). */
  readonly date?: string;
}

export function rss(title: string, items: readonly FeedEntry[]): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${escape(title)}</title><link>http://example.invalid/</link><description>Tin mới</description>
${items
  .map(
    (i) => `<item><title>${escape(i.title)}</title><link>${escape(i.link)}</link>${i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : ""}${i.date ? `<pubDate>${i.date}</pubDate>` : ""}<description><![CDATA[<p>${i.title}</p>]]></description></item>`,
  )
  .join("\n")}
</channel></rss>`;
}

export function atom(title: string, entries: readonly FeedEntry[]): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>${escape(title)}</title><id>urn:test:atom</id><updated>2024-11-25T00:00:00Z</updated>
${entries
  .map(
    (e) => `<entry><title>${escape(e.title)}</title><link rel="alternate" href="${escape(e.link)}"/><id>${e.guid ?? e.link}</id>${e.date ? `<published>${e.date}</published><updated>${e.date}</updated>` : ""}<summary>${escape(e.title)}</summary></entry>`,
  )
  .join("\n")}
</feed>`;
}

export type Route =
  | { readonly status?: number; readonly type?: string; readonly body: string }
  /** Accepts the request and never answers. */
  | "hang";

export interface NewsSite {
  readonly url: string;
  /** Routes by path; change them between polls. */
  readonly routes: Map<string, Route>;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startNewsSite(routes: Record<string, Route>): Promise<NewsSite> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    const route = table.get(pathname);
    if (route === "hang") return; // the socket stays open until the client gives up
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(route.status ?? 200, { "content-type": route.type ?? "text/html; charset=utf-8" }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes: table,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An endless page: chunked, no length, 64 KB at a time until the client stops reading (bounded by
 * `maxBytes`, so a test or bench never sends without end).
 */
export function sendEndlessPage(response: ServerResponse, maxBytes: number): void {
  response.writeHead(200, { "content-type": "text/html" });
  const chunk = Buffer.alloc(64 * 1024, "a");
  let sent = 0;
  const pump = (): void => {
    while (sent < maxBytes && !response.destroyed) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end();
  };
  response.on("close", () => (sent = Number.POSITIVE_INFINITY));
  pump();
}
