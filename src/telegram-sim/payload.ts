/**
 * Bot API call arguments and errors, as the Bot API server sees them.
 *
 * The real Bot API server flattens every request (JSON, urlencoded, multipart, query string) to
 * string arguments and decodes nested JSON fields itself, so a field may arrive either as a JSON
 * value or as a JSON-encoded string. The accessors here accept both.
 */
import type { ResponseParameters } from "grammy/types";

export type Payload = Record<string, unknown>;

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
