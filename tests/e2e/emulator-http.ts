/**
 * Request plumbing of the Bot API emulator: body parsing and typed access to parameters.
 *
 * The real Bot API server flattens every request (JSON, urlencoded, multipart, query string) to
 * string arguments and decodes nested JSON fields itself, so a field may arrive either as a JSON
 * value or as a JSON-encoded string. The accessors here accept both.
 */
import type { IncomingMessage } from "node:http";
import type { ResponseParameters } from "grammy/types";

export type Payload = Record<string, unknown>;

/** A file part of a multipart request; the emulator only records it. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  size: number;
}

/** The error body of a failed Bot API call. */
export interface ApiErrorBody {
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

/** Thrown by method handlers; becomes `{ok:false, error_code, description, parameters}`. */
export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }

  toBody(): ApiErrorBody {
    return {
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters !== undefined && { parameters: this.parameters }),
    };
  }
}

export const badRequest = (detail: string, parameters?: ResponseParameters): ApiError =>
  new ApiError(400, `Bad Request: ${detail}`, parameters);

export const forbidden = (detail: string): ApiError => new ApiError(403, `Forbidden: ${detail}`);

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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string argument the way the Bot API server sees it: scalars stringified, objects as JSON. */
export function optString(p: Payload, name: string): string | undefined {
  const value = p[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** An integer argument; `undefined` when absent or not an integer. */
export function optInt(p: Payload, name: string): number | undefined {
  const value = p[name];
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

export function optBool(p: Payload, name: string): boolean {
  const value = p[name];
  return value === true || value === "true" || value === "True" || value === "1" || value === 1;
}

/** A JSON argument, decoded if it came as a string; `undefined` when absent or empty. */
export function optJson(p: Payload, name: string, onInvalid: () => ApiError): unknown {
  const value = p[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw onInvalid();
  }
}
