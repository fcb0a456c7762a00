/**
 * Runs the bot on Telegram: long polling with @grammyjs/runner, or a webhook behind a node:http
 * server. Both stop gracefully on SIGINT/SIGTERM (or an AbortSignal): no new updates are taken,
 * the updates in flight are finished, then the promise resolves. A second signal exits at once.
 *
 * Secrets: the bot token and the webhook secret are never logged; errors go through
 * {@link describeError}, which scrubs the token from messages and URLs.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { run } from "@grammyjs/runner";
import { type Bot, type Context, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import { type Logger, scrubToken } from "../logger.js";
import { describeError } from "./errors.js";

/** The update types the bot handles; Telegram sends nothing else (and channel posts on request). */
export const ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "callback_query",
  "inline_query",
  "chosen_inline_result",
  "my_chat_member",
  "channel_post",
] as const satisfies readonly Exclude<keyof Update, "update_id">[];

/** How long a graceful shutdown waits for the updates in flight before giving up on them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

export interface StopOptions {
  /** Stops the bot when aborted (tests, embedding); the promise then resolves once it has stopped. */
  readonly signal?: AbortSignal;
  /** Also stop on SIGINT/SIGTERM, and exit at once on a second one (default true). */
  readonly handleSignals?: boolean;
  /** How long to wait for updates in flight when stopping (default 30 s). */
  readonly shutdownTimeoutMs?: number;
}

export interface PollingOptions extends StopOptions {
  readonly logger: Logger;
  /** Told of every getUpdates answer (ok or not) and of updates received: what /health reports. */
  readonly onPoll?: (event: { readonly ok: boolean; readonly updates: number; readonly error?: string }) => void;
}

// ---------------------------------------------------------------------------------------------
// Long polling

/**
 * Deletes any webhook, then long-polls with @grammyjs/runner (updates are handled concurrently)
 * until stopped. Stopping ends the long poll, waits for the updates in flight, and confirms them
 * to Telegram so a restart does not receive them again. Rejects if polling fails for good (a
 * revoked token, another instance polling).
 */
export async function runPolling<C extends Context>(bot: Bot<C>, options: PollingOptions): Promise<void> {
  const { logger } = options;
  const stop = stopTrigger(options, logger);
  try {
    await bot.init();
    await bot.api.deleteWebhook({ drop_pending_updates: false }, apiSignal(stop.signal));
    if (stop.signal.aborted) return;

    const seen = watchGetUpdates(bot, logger, options.onPoll);
    const runner = run(bot, {
      // silent: the runner would print fetch errors (with the request URL, hence the token) to the
      // console; watchGetUpdates logs them scrubbed instead.
      runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 }, silent: true },
    });
    logger.info({ bot: bot.botInfo.username, mode: "polling" }, "polling started");

    const ended = runner.task()?.then(() => "ended" as const) ?? Promise.resolve("ended" as const);
    const outcome = await Promise.race([ended, whenAborted(stop.signal).then(() => "stop" as const)]);
    if (outcome === "ended") {
      logger.warn("polling ended by itself");
      return;
    }

    const started = Date.now();
    await runner.stop(); // ends the pending long poll; updates already fetched keep running
    const drained = await waitUntil(() => runner.size() === 0, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    if (drained) {
      await confirmUpdates(bot, seen.lastUpdateId(), logger);
    } else {
      logger.warn({ inFlight: runner.size() }, "shutdown timeout: updates still in flight are abandoned");
    }
    logger.info({ ms: Date.now() - started }, "polling stopped");
  } catch (error) {
    if (stop.signal.aborted) {
      logger.info("polling stopped before it started");
      return;
    }
    const details = describeError(error);
    logger.error({ err: details }, "polling failed");
    throw new Error(`polling failed: ${summary(details)}`);
  } finally {
    stop.dispose();
  }
}

/** Logs failed getUpdates calls (scrubbed) and remembers the last update id fetched. */
function watchGetUpdates<C extends Context>(bot: Bot<C>, logger: Logger, onPoll?: PollingOptions["onPoll"]): { lastUpdateId(): number | undefined } {
  let last: number | undefined;
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const response = await prev(method, payload, signal);
      onPoll?.(response.ok ? { ok: true, updates: (response.result as Update[]).length } : { ok: false, updates: 0, error: `${response.error_code} ${response.description}` });
      if (response.ok) {
        for (const update of response.result as Update[]) last = Math.max(last ?? update.update_id, update.update_id);
      } else if (response.error_code === 409) {
        logger.error(
          { err: { code: 409, description: response.description } },
          "another process is receiving this bot's updates (409 Conflict): stop the other instance, or remove its webhook",
        );
      } else if (!signal?.aborted) {
        logger.warn({ err: { code: response.error_code, description: response.description } }, "getUpdates failed");
      }
      return response;
    } catch (error) {
      if (!signal?.aborted) {
        logger.warn({ error: describeError(error) }, "getUpdates failed");
        onPoll?.({ ok: false, updates: 0, error: String(describeError(error).message ?? describeError(error).description ?? "failed") });
      }
      throw error;
    }
  });
  return { lastUpdateId: () => last };
}

/**
 * Tells Telegram the fetched updates were handled. The runner confirms a batch only with its next
 * getUpdates call, which never comes for a batch fetched just before the stop; grammY's own
 * bot.stop() ends the same way.
 */
async function confirmUpdates<C extends Context>(bot: Bot<C>, lastUpdateId: number | undefined, logger: Logger): Promise<void> {
  if (lastUpdateId === undefined) return;
  try {
    await bot.api.getUpdates({ offset: lastUpdateId + 1, limit: 1, timeout: 0 }, apiSignal(AbortSignal.timeout(5_000)));
  } catch (error) {
    logger.warn({ error: describeError(error) }, "could not confirm the last updates; Telegram may send them again");
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook

export interface WebhookOptions extends StopOptions {
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
}

/**
 * Listens on host:port, points Telegram's webhook at webhookUrl (with the secret, the allowed
 * updates, and pending updates kept), and serves until stopped. Stopping closes the server:
 * no new connections, the requests and updates in flight finish. The webhook stays set, so
 * Telegram keeps updates for the next start.
 */
export async function runWebhook<C extends Context>(bot: Bot<C>, options: WebhookOptions): Promise<void> {
  const { logger } = options;
  const stop = stopTrigger(options, logger);
  let server: WebhookServer | undefined;
  try {
    await bot.init();
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
      apiSignal(stop.signal),
    );
    logger.info(
      { bot: bot.botInfo.username, mode: "webhook", url: scrubToken(options.webhookUrl), host: options.host, port: server.port },
      "webhook started",
    );
    await whenAborted(stop.signal);
    const started = Date.now();
    await server.close(options.shutdownTimeoutMs);
    server = undefined;
    logger.info({ ms: Date.now() - started }, "webhook stopped");
  } catch (error) {
    if (stop.signal.aborted) {
      logger.info("webhook stopped before it started");
      return;
    }
    const details = describeError(error);
    logger.error({ err: details }, "webhook failed");
    throw new Error(`webhook failed: ${summary(details)}`);
  } finally {
    await server?.close(1_000);
    stop.dispose();
  }
}

/** What /health reports: the knowledge index, or anything with the same two counts. */
export type HealthSource = Pick<KnowledgeIndex, "articles" | "passageCount">;

export interface WebhookServerOptions {
  /** The path Telegram posts updates to, e.g. "/telegram/hook". */
  readonly path: string;
  readonly secret: string;
  readonly host: string;
  /** 0 picks a free port (tests); see {@link WebhookServer.port}. */
  readonly port: number;
  readonly logger: Logger;
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
    const body = {
      status: closing ? "stopping" : "ok",
      articles: knowledge.articles.length,
      passages: knowledge.passageCount,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    reply(res, closing ? 503 : 200, JSON.stringify(body), "application/json");
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

// ---------------------------------------------------------------------------------------------
// Stopping

interface StopTrigger {
  /** Aborted by the caller's signal or the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  dispose(): void;
}

function stopTrigger(options: StopOptions, logger: Logger): StopTrigger {
  const controller = new AbortController();
  const external = options.signal;
  const onExternal = () => controller.abort();
  if (external?.aborted) controller.abort();
  else external?.addEventListener("abort", onExternal, { once: true });

  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal: name }, "second signal: exiting now");
      process.exit(1);
    }
    logger.info({ signal: name }, "stopping: finishing the updates in flight (send the signal again to exit now)");
    controller.abort();
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  return {
    signal: controller.signal,
    dispose() {
      external?.removeEventListener("abort", onExternal);
      if (handleSignals) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    },
  };
}

/** grammY types its signal parameter with the abort-controller shim; the built-in one is what it uses. */
function apiSignal(signal: AbortSignal): Parameters<Bot["api"]["getUpdates"]>[1] {
  return signal as Parameters<Bot["api"]["getUpdates"]>[1];
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A timer that can be cancelled, so a finished wait leaves nothing keeping the process alive. */
function timeout(ms: number): { promise: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(handle) };
}

/** Resolves true once `done()` holds, false when `timeoutMs` passed first. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await delay(20);
  }
  return true;
}

function summary(details: Record<string, unknown>): string {
  return [details.type, details.method, details.code, details.description ?? details.message]
    .filter((part) => part !== undefined && part !== "")
    .join(" ");
}
