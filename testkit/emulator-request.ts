/**
 * Request plumbing of the HTTP Bot API emulator: reads a request's body into call arguments.
 */
import type { IncomingMessage } from "node:http";
import { ApiError, badRequest, isObject, type Payload } from "../src/telegram-sim/payload.js";

/** A file part of a multipart request; the emulator only records it. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  size: number;
}

const MAX_BODY_BYTES = 60 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, "Request Entity Too Large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function parsePayload(contentType: string | undefined, body: Buffer, query: URLSearchParams): Payload {
  const payload: Payload = Object.fromEntries(query);
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return payload;
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON request body");
    }
    if (!isObject(parsed)) throw badRequest("JSON request body must be an Object");
    return { ...payload, ...parsed };
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return { ...payload, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  }
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
    const value = boundary?.[1] ?? boundary?.[2];
    if (value === undefined) throw badRequest("multipart boundary is missing");
    return { ...payload, ...parseMultipart(body, value.trim()) };
  }
  return payload;
}

function parseMultipart(body: Buffer, boundary: string): Payload {
  const result: Payload = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part is "\r\n<headers>\r\n\r\n<content>\r\n" between two delimiters.
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        result[name] =
          filename === undefined
            ? content.toString("utf8")
            : ({
                filename,
                contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream",
                size: content.length,
              } satisfies UploadedFile);
      }
    }
    start = next;
  }
  return result;
}
