/**
 * GET /health. The webhook server answers it beside the webhook (webhook.ts); a bot without one
 * (long polling in a container) gets a small HTTP server on HOST:PORT that reports what the report
 * function says. 200 when healthy, 503 when not.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { KnowledgeIndex } from "../knowledge/search-index.js";
import type { Logger } from "../logger.js";
import type { Storage } from "../storage/repositories.js";
import type { PollEvent } from "./polling.js";

export interface HealthReport {
  readonly status: "ok" | "degraded" | "stopping";
  readonly [field: string]: unknown;
}

/** The knowledge part of a report: the index, or anything with the same two counts. */
export type HealthSource = Pick<KnowledgeIndex, "articleCount" | "passageCount">;

/** The HTTP status of a report: 200 when healthy, 503 otherwise (a load balancer takes the instance out). */
export function healthStatus(report: HealthReport): 200 | 503 {
  return report.status === "ok" ? 200 : 503;
}

export interface HealthServer {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: { host: string; port: number; report: () => HealthReport }): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const body = path === "/health" && req.method === "GET" ? options.report() : undefined;
    const text = body ? JSON.stringify(body) : "not found";
    res.setHeader("connection", "close");
    res.writeHead(body ? healthStatus(body) : 404, { "content-type": body ? "application/json" : "text/plain", "content-length": Buffer.byteLength(text) });
    res.end(text);
    req.resume();
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface PollingHealthServer {
  /** Give it every getUpdates answer (runPolling's onPoll). */
  readonly onPoll: (event: PollEvent) => void;
  close(): Promise<void>;
}

/**
 * GET /health while long polling (PORT set): Telegram reachable (a getUpdates answered within the
 * last 90 s, a long poll lasting 30), the last update's time, the alert outbox and the database.
 */
export async function startPollingHealthServer(
  where: { host: string; port: number },
  parts: { knowledge: HealthSource; storage: Storage; logger: Logger },
): Promise<PollingHealthServer> {
  const startedAt = Date.now();
  let lastAnswerAt: number | undefined;
  let lastUpdateAt: number | undefined;
  let lastError: string | undefined;
  const server = await startHealthServer({
    ...where,
    report: () => {
      let database: string;
      let outbox: unknown;
      try {
        outbox = parts.storage.outbox.counts();
        database = "ok";
      } catch (error) {
        database = `error: ${(error as Error).message}`;
      }
      const reachable = lastAnswerAt !== undefined && Date.now() - lastAnswerAt < 90_000;
      return {
        status: reachable && database === "ok" ? "ok" : "degraded",
        mode: "polling",
        telegram: { reachable, lastAnswerAt: lastAnswerAt && new Date(lastAnswerAt).toISOString(), ...(lastError ? { lastError } : {}) },
        lastUpdateAt: lastUpdateAt && new Date(lastUpdateAt).toISOString(),
        outbox,
        database,
        articles: parts.knowledge.articleCount,
        passages: parts.knowledge.passageCount,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      };
    },
  });
  parts.logger.info({ health: `${server.origin}/health` }, "health check listening");
  return {
    onPoll: (event) => {
      if (event.ok) {
        lastAnswerAt = Date.now();
        lastError = undefined;
        if (event.updates > 0) lastUpdateAt = Date.now();
      } else {
        lastError = event.error;
      }
    },
    close: server.close,
  };
}
