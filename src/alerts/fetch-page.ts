/**
 * Fetches pages and feeds from the newspapers' sites, as a browser would ask for them, within
 * limits a hostile site cannot push past: a time limit, a few redirects, a cap on the bytes read
 * however they are sent, and no request into this machine or its network unless an operator
 * allowed it (a feed's links are written by its publisher).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { SourceError } from "./source-error.js";

/** A page or feed could not be fetched: HTTP error, timeout, network, too large, refused address, not a web page. */
export class FetchError extends SourceError {}

export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
export const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_BYTES = 10 * 1024 * 1024;

export interface FetchOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Aborts the request early (the poller stopping). */
  readonly signal?: AbortSignal;
  readonly accept?: string;
  /**
   * Whether the URL and every redirect may lead to loopback, private, link-local or metadata
   * addresses. Off by default: a feed's item links are written by its publisher. The first URL
   * is still fetched when `trustedUrl` says an operator typed it (a feed of FEED_URLS, ingest).
   */
  readonly allowPrivate?: boolean;
  readonly trustedUrl?: boolean;
  /** Bytes read at most (decoded); 10 MB by default. */
  readonly maxBytes?: number;
}

/** Redirects followed at most. */
const MAX_REDIRECTS = 5;

/**
 * GETs a page as text, decoded by its declared charset, within the time limit. Throws FetchError
 * naming the URL: HTTP error status, timeout, network failure.
 */
export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  return (await fetchPage(url, options)).text;
}

/** GETs a web page (HTML or XHTML) as text: a text file, an image or a PDF is refused with FetchError. */
export async function fetchWebPage(url: string, options: FetchOptions = {}): Promise<string> {
  const { text, contentType } = await fetchPage(url, options);
  if (contentType && !/^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) {
    throw new FetchError(url, `not a web page (${contentType.split(";")[0]!.trim()})`);
  }
  return text;
}

/**
 * The body is read as it streams and the read stops past MAX_BYTES of decoded content: a gzip
 * bomb or an endless page costs at most that much memory, however it is sent.
 */
async function fetchPage(url: string, options: FetchOptions): Promise<{ text: string; contentType: string | null }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const doFetch = options.fetch ?? globalThis.fetch;
  try {
    let current = url;
    let response: Response;
    for (let hop = 0; ; hop += 1) {
      if (!options.allowPrivate && !(hop === 0 && options.trustedUrl)) await refuseInternal(current, url);
      response = await doFetch(current, {
        signal,
        redirect: "manual",
        headers: {
          "user-agent": BROWSER_USER_AGENT,
          accept: options.accept ?? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "accept-language": "vi-VN,vi;q=0.9,en;q=0.5",
        },
      });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (!location) break;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new FetchError(url, `more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current).toString();
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new FetchError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    }
    const maxBytes = options.maxBytes ?? MAX_BYTES;
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new FetchError(url, `too large (${length} bytes, the limit is ${maxBytes})`);
    }
    const contentType = response.headers.get("content-type");
    return { text: decode(await readCapped(url, response, maxBytes), contentType), contentType };
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (timeout.aborted) throw new FetchError(url, `no answer within ${Math.round(timeoutMs / 100) / 10}s`);
    if (options.signal?.aborted) throw new FetchError(url, "cancelled");
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    throw new FetchError(url, `cannot fetch (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
}

/**
 * Refuses a URL whose host is, or resolves to, an address inside this machine or its network:
 * loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local and metadata
 * (169.254/16, fe80::/10), carrier-grade NAT, unspecified, multicast and reserved ranges.
 */
async function refuseInternal(target: string, original: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    throw new FetchError(original, `not a URL (${target})`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new FetchError(original, `not an http(s) link (${parsed.protocol})`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new FetchError(original, `cannot fetch (${host} has no address)`);
  const internal = addresses.find(isInternalAddress);
  if (internal) throw new FetchError(original, `refused: ${target === original ? "it" : `a redirect to ${parsed.host}`} leads to an internal address (${internal})`);
}

/** Whether an IP address is one a fetch from outside content must not reach. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isInternalAddress(mapped);
  if (isIP(address) === 4) {
    const [a, b] = address.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19));
  }
  const lower = address.toLowerCase();
  return lower === "::" || lower === "::1" || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || /^ff/.test(lower) || /^64:ff9b:/.test(lower) || /^2001:db8:/.test(lower);
}

async function readCapped(url: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FetchError(url, `too large (more than ${maxBytes} bytes once decoded): stopped reading`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function decode(bytes: Uint8Array, contentType: string | null): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1] ??
    /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ??
    /<\?xml[^>]+encoding=["']([\w-]+)/i.exec(head)?.[1] ??
    "utf-8";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}
