/**
 * The webhook: a node:http server that takes Telegram's POSTs (secret token checked, duplicates
 * dropped, slow updates answered early) and answers GET /health, until a signal stops it: no new
 * connections, the requests and updates in flight finish, then the promise resolves. Signals and
 * exit codes are the caller's (src/cli/start.ts).
 *
 * Secrets: the bot token and the webhook secret are never logged; errors go through
 * {@link describeError}, which scrubs the token from messages and URLs.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Bot, type Context, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { type Logger, scrubToken } from "../logger.js";
import { ALLOWED_UPDATES, DEFAULT_SHUTDOWN_TIMEOUT_MS, apiSignal, endFailedRun, whenAborted } from "./delivery.js";
import { describeError } from "./errors.js";
import { type HealthSource, healthStatus } from "./health.js";

export interface WebhookOptions {
  /** The public URL Telegram posts to; its path is the path the server answers on. */
  readonly webhookUrl: string;
  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; requests without it get 401. */
  readonly webhookSecret: string;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** For /health. */
  readonly knowledge: HealthSource;
  /** See {@link WebhookServerOptions.answerWithinMs}. */
  readonly answerWithinMs?: number;
  /** How long to wait for the requests and updates in flight when stopping (default 30 s). */
  readonly shutdownTimeoutMs?: number;
}

/**
 * Listens on host:port, points Telegram's webhook at webhookUrl (with the secret, the allowed
 * updates, and pending updates kept), and serves until `signal` aborts. Stopping closes the
 * server: no new connections, the requests and updates in flight finish. The webhook stays set,
 * so Telegram keeps updates for the next start. Rejects with a {@link DeliveryError} if the
 * server cannot listen or Telegram refuses the webhook.
 */
export async function runWebhook<C extends Context>(bot: Bot<C>, options: WebhookOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  let server: WebhookServer | undefined;
  try {
    signal.throwIfAborted();
    await bot.init(apiSignal(signal));
    server = await startWebhookServer(bot, {
      path: new URL(options.webhookUrl).pathname,
      secret: options.webhookSecret,
      host: options.host,
      port: options.port,
      logger,
      knowledge: options.knowledge,
      ...(options.answerWithinMs !== undefined && { answerWithinMs: options.answerWithinMs }),
    });
    await bot.api.setWebhook(
      options.webhookUrl,
      { secret_token: options.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false },
      apiSignal(signal),
    );
    logger.info(
      { bot: bot.botInfo.username, mode: "webhook", url: scrubToken(options.webhookUrl), host: options.host, port: server.port },
      "webhook started",
    );
    await whenAborted(signal);
    const started = Date.now();
    await server.close(options.shutdownTimeoutMs);
    server = undefined;
    logger.info({ ms: Date.now() - started }, "webhook stopped");
  } catch (error) {
    endFailedRun("webhook", error, signal, logger);
  } finally {
    await server?.close(1_000);
  }
}

export interface WebhookServerOptions {
  /** The path Telegram posts updates to, e.g. "/telegram/hook". */
  readonly path: string;
  readonly secret: string;
  readonly host: string;
  /** 0 picks a free port (tests); see {@link WebhookServer.port}. */
  readonly port: number;
  readonly logger: Logger;
  /** For /health. */
  readonly knowledge: HealthSource;
  /**
   * An update still being handled after this long is answered 200 anyway and finished in the
   * background, so Telegram does not time out and send it again (default 8 s).
   */
  readonly answerWithinMs?: number;
  /** How many recent update ids are remembered to drop Telegram's re-deliveries (default 10,000). */
  readonly rememberUpdates?: number;
  /** Larger request bodies get 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export interface WebhookServer {
  readonly server: Server;
  /** The port listened on (the real one when 0 was asked). */
  readonly port: number;
  /** http://host:port, without a path. */
  readonly origin: string;
  /** Webhook requests being read or handled, including updates answered early. */
  readonly inFlight: number;
  /**
   * Stops accepting connections, waits up to `timeoutMs` (default 30 s) for the requests and
   * updates in flight, then closes every connection. Idempotent.
   */
  close(timeoutMs?: number): Promise<void>;
}

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** The node:http server behind {@link runWebhook}: POST <path> → grammY, GET /health, else 404. */
export async function startWebhookServer<C extends Context>(bot: Bot<C>, options: WebhookServerOptions): Promise<WebhookServer> {
  const { logger, knowledge } = options;
  const answerWithinMs = options.answerWithinMs ?? 8_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const recent = new RecentIds(options.rememberUpdates ?? 10_000);
  const startedAt = Date.now();
  const inFlight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  // grammY checks the secret again and runs the update. Its own timeout is off: when it fires,
  // grammY answers but lets go of the update, which a shutdown must still wait for. The timer in
  // onHook answers Telegram early instead, and onHook's promise lasts until the update is done.
  const handle = webhookCallback(bot, adapter, {
    secretToken: options.secret,
    onTimeout: "return",
    timeoutMilliseconds: Number.POSITIVE_INFINITY,
  });

  async function onHook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const header = headerValue(req.headers[SECRET_HEADER]);
    if (!sameSecret(header, options.secret)) {
      logger.warn({ remote: req.socket.remoteAddress }, "webhook request refused: wrong or missing secret token");
      refuse(req, res, 401, '"unauthorized"');
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === "too large") return reply(res, 413, "payload too large");
    const update = parseUpdate(body);
    if (!update) return reply(res, 400, "not an update");
    const id = update.update_id;
    if (!recent.add(id)) {
      // Telegram sends an update again when it did not get a 2xx in time; it was (or is being) handled.
      logger.info({ update_id: id }, "duplicate update ignored");
      return reply(res, 200);
    }
    const early = setTimeout(() => {
      if (res.headersSent) return;
      logger.warn({ update_id: id, ms: answerWithinMs }, "slow update: answered Telegram, still handling it");
      reply(res, 200);
    }, answerWithinMs);
    try {
      await handle(res, update, header);
    } catch (error) {
      recent.delete(id); // not handled: let Telegram's retry through
      logger.error({ update_id: id, error: describeError(error) }, "webhook update failed");
      reply(res, 500, "update failed");
    } finally {
      clearTimeout(early);
    }
  }

  function onHealth(res: ServerResponse): void {
    const report = {
      status: closing ? "stopping" : "ok",
      articles: knowledge.articleCount,
      passages: knowledge.passageCount,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    } as const;
    reply(res, healthStatus(report), JSON.stringify(report), "application/json");
  }

  const server = createServer((req, res) => {
    if (closing) res.setHeader("connection", "close");
    const pathname = pathOf(req.url);
    if (pathname === "/health" && req.method === "GET") return onHealth(res);
    if (pathname !== options.path || req.method !== "POST") return refuse(req, res, 404, "not found");
    // Telegram will deliver it again, to the next instance.
    if (closing) return refuse(req, res, 503, "shutting down");
    const task = onHook(req, res).catch((error: unknown) => {
      logger.error({ error: describeError(error) }, "webhook request failed");
      reply(res, 500, "request failed");
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  // Node's defaults (60 s for headers, 300 s for a request, no cap on connections) let a client hold
  // sockets for minutes; Telegram sends small updates over at most 100 connections.
  server.headersTimeout = WEBHOOK_HEADERS_TIMEOUT_MS;
  server.requestTimeout = WEBHOOK_REQUEST_TIMEOUT_MS;
  server.maxConnections = WEBHOOK_MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;

  async function shutdown(timeoutMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + timeoutMs;
    while (inFlight.size > 0 && Date.now() < deadline) {
      const timer = timeout(deadline - Date.now());
      await Promise.race([Promise.allSettled([...inFlight]), timer.promise]);
      timer.cancel();
    }
    if (inFlight.size > 0) logger.warn({ inFlight: inFlight.size }, "shutdown timeout: webhook requests still in flight are cut");
    server.closeIdleConnections();
    // A client keeping a connection open with nothing in flight does not hold the shutdown up.
    const cut = setTimeout(() => server.closeAllConnections(), inFlight.size > 0 ? 0 : 1_000);
    await closed;
    clearTimeout(cut);
  }

  return {
    server,
    port,
    origin,
    get inFlight() {
      return inFlight.size;
    },
    close(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) {
      closing ??= shutdown(timeoutMs);
      return closing;
    },
  };
}

/** grammY's side of one request: the update we already read, and how to answer. */
function adapter(res: ServerResponse, update: Update, header: string | undefined) {
  return {
    update: Promise.resolve(update),
    header,
    end: () => reply(res, 200),
    respond: (json: string) => reply(res, 200, json, "application/json"),
    unauthorized: () => reply(res, 401, '"unauthorized"'),
  };
}

const WEBHOOK_HEADERS_TIMEOUT_MS = 10_000;
const WEBHOOK_REQUEST_TIMEOUT_MS = 30_000;
const WEBHOOK_MAX_CONNECTIONS = 256;

/**
 * Answers a request the bot will not read, and closes its connection once the answer is out:
 * reading a refused body would let a client hold the socket as long as it keeps sending.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.setHeader("connection", "close");
  res.once("finish", () => req.socket.destroy());
  reply(res, status, body);
}

function reply(res: ServerResponse, status: number, body = "", contentType = "text/plain; charset=utf-8"): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) }).end(body);
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Compares in constant time (for equal lengths), so the secret cannot be guessed byte by byte. */
function sameSecret(header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | "too large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return "too large";
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseUpdate(body: string): Update | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== "object" || value === null) return undefined;
    const id = (value as { update_id?: unknown }).update_id;
    return Number.isSafeInteger(id) ? (value as Update) : undefined;
  } catch {
    return undefined;
  }
}

/** The last `capacity` update ids, oldest dropped first. */
class RecentIds {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity: number) {}

  /** False when the id was already there. */
  add(id: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }

  delete(id: number): void {
    this.ids.delete(id);
  }
}

/** A timer that can be cancelled, so a finished wait leaves nothing keeping the process alive. */
function timeout(ms: number): { promise: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(handle) };
}
