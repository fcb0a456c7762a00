import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchArticle, fetchText } from "../../src/alerts/extract-article.js";

// A hostile publisher on 127.0.0.1: what a feed's item links may point at.
const BOMB = gzipSync(Buffer.alloc(128 * 1024 * 1024), { level: 9 }); // ~128 KB on the wire, 128 MB unpacked
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/bomb") {
      response.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip", "content-length": BOMB.length });
      response.end(BOMB);
    } else if (request.url === "/endless") {
      // Chunked, no length: 64 KB at a time until the client stops reading (bounded by 100 MB here).
      response.writeHead(200, { "content-type": "text/html" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = (): void => {
        while (sent < 100 * 1024 * 1024 && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.on("close", () => (sent = Number.POSITIVE_INFINITY));
      pump();
    } else if (request.url === "/text") {
      response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      response.end("Thứ Hai, 02/12/2024\nnot a web page\n");
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("pages from outside are read with a cap while they stream", () => {
  it("a gzip bomb stops at the cap once decoded, with memory bounded", async () => {
    const before = process.memoryUsage().rss;
    await expect(fetchText(`${base}/bomb`, { timeoutMs: 10_000 })).rejects.toThrow(/too large \(more than 10485760 bytes once decoded\)/);
    // The whole 128 MB is never held: the read stops at 10 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it("an endless chunked page stops at the cap instead of filling memory", async () => {
    const before = process.memoryUsage().rss;
    await expect(fetchText(`${base}/endless`, { timeoutMs: 10_000 })).rejects.toThrow(/too large/);
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
  });

  it("a URL that is not a web page is refused with its type, not a parser's stack", async () => {
    await expect(fetchArticle(`${base}/text`, { timeoutMs: 5_000 })).rejects.toThrow(/not a web page \(text\/plain\)/);
  });
});
