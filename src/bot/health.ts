/**
 * GET /health for a bot that has no webhook server (long polling in a container): a small HTTP
 * server on HOST:PORT that reports what the report function says, 200 when healthy, 503 when not.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HealthReport {
  readonly status: "ok" | "degraded" | "stopping";
  readonly [field: string]: unknown;
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
    res.writeHead(body ? (body.status === "ok" ? 200 : 503) : 404, { "content-type": body ? "application/json" : "text/plain", "content-length": Buffer.byteLength(text) });
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
