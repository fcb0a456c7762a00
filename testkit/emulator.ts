/**
 * The Telegram Bot API emulator for end-to-end tests and benchmarks: the simulated Telegram
 * (src/telegram-sim) behind a real HTTP server on 127.0.0.1, which grammY reaches with
 * `new Bot(token, { client: { apiRoot: emulator.apiRoot } })`, and which posts webhook deliveries
 * over keep-alive connections. Everything else (chats, validation, update delivery rules, what
 * tests drive and inspect) is the model's.
 */
import {
  Agent as HttpAgent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { Payload } from "../src/telegram-sim/payload.js";
import {
  SimulatedTelegram,
  type DeliveryResult,
  type Outcome,
  type SimulatedTelegramOptions,
  type WebhookTarget,
  type WebhookTransport,
} from "../src/telegram-sim/telegram.js";
import { parsePayload, readBody } from "./emulator-request.js";

export type * from "../src/telegram-sim/telegram.js";

export type EmulatorOptions = Omit<SimulatedTelegramOptions, "webhookTransport">;

/** The bot the end-to-end tests run as, unless a test names another. */
const TEST_BOT = { first_name: "Hỏi báo (test)", username: "hoibao_test_bot" };

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.listen();
  return emulator;
}

export class Emulator extends SimulatedTelegram {
  private readonly server: Server;
  private readonly webhooks: HttpWebhookTransport;
  private root = "";

  constructor(options: EmulatorOptions = {}) {
    const webhooks = new HttpWebhookTransport(options.webhook?.timeoutMs ?? 10_000);
    super({ ...options, bot: { ...TEST_BOT, ...options.bot }, webhookTransport: webhooks });
    this.webhooks = webhooks;
    this.server = createServer((req, res) => void this.onRequest(req, res));
  }

  /** Base URL for grammY's `client.apiRoot`, e.g. "http://127.0.0.1:40123". */
  get apiRoot(): string {
    return this.root;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.root = `http://127.0.0.1:${port}`;
  }

  /** Stops the server and cuts open connections (pending long polls too) and webhook deliveries. */
  override async close(): Promise<void> {
    await super.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(url.pathname);
    if (match === null) {
      writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(match[1] ?? "");
    const method = match[2] ?? "";
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) abort.abort();
    });
    let payload: Payload = {};
    let outcome: Outcome;
    try {
      const body = await readBody(req);
      payload = parsePayload(req.headers["content-type"], body, url.searchParams);
      outcome = await this.call(method, payload, token, abort.signal);
    } catch (error) {
      outcome = this.recordFailure(method, payload, error);
    }
    writeOutcome(req, res, outcome);
  }
}

function writeOutcome(req: IncomingMessage, res: ServerResponse, outcome: Outcome): void {
  if (res.writableEnded || res.destroyed) return;
  switch (outcome.kind) {
    case "ok":
      writeJson(res, 200, {
        ok: true,
        result: outcome.result,
        ...(outcome.description !== undefined && { description: outcome.description }),
      });
      return;
    case "error":
      writeJson(res, outcome.error.error_code, { ok: false, ...outcome.error });
      return;
    case "raw":
      res.writeHead(outcome.status, { "content-type": "text/html" }).end(outcome.body);
      return;
    case "network":
      req.socket.destroy();
      return;
    case "aborted":
      return;
  }
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

/** Posts webhook deliveries over keep-alive connections, one agent per webhook, as Telegram does. */
class HttpWebhookTransport implements WebhookTransport {
  private readonly agents = new Map<WebhookTarget, HttpAgent>();
  private readonly requests = new Set<{ destroy(): void }>();

  constructor(private readonly timeoutMs: number) {}

  post(target: WebhookTarget, body: string): Promise<DeliveryResult> {
    const url = new URL(target.url);
    const https = url.protocol === "https:";
    const send = https ? httpsRequest : httpRequest;
    let agent = this.agents.get(target);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: target.connectionLimit };
      agent = https ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(target, agent);
    }
    return new Promise((resolve) => {
      let settled = false;
      let responded = false;
      const req = send(
        url,
        {
          method: "POST",
          agent,
          timeout: this.timeoutMs,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(target.secretToken !== undefined && { "x-telegram-bot-api-secret-token": target.secretToken }),
          },
        },
        (res) => {
          responded = true;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (e) => done({ ok: false, error: e.message }));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status <= 299;
            done({
              ok,
              status,
              body: Buffer.concat(chunks).toString("utf8"),
              ...(!ok && { error: `Wrong response from the webhook: ${status} ${res.statusMessage ?? ""}`.trimEnd() }),
            });
          });
          res.on("close", () => done({ ok: false, error: "Connection closed" }));
        },
      );
      const done = (result: DeliveryResult): void => {
        if (settled) return;
        settled = true;
        this.requests.delete(req);
        resolve(result);
      };
      this.requests.add(req);
      req.on("timeout", () => req.destroy(new Error("Read timeout expired")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && e.code === "ECONNRESET" && !responded;
        done({ ok: false, error: e.code === "ECONNREFUSED" ? "Connection refused" : e.message, ...(stale && { staleSocket: true }) });
      });
      req.on("close", () => {
        if (!responded) done({ ok: false, error: "Connection closed" });
      });
      req.end(body);
    });
  }

  release(target: WebhookTarget): void {
    this.agents.get(target)?.destroy();
    this.agents.delete(target);
  }

  close(): void {
    for (const req of this.requests) req.destroy();
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
