import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { CONFIG_VARIABLES, ConfigError, TELEGRAM_API_ROOT, parseConfig } from "../src/config.js";

const TOKEN = "123456:ABC-def_ghiJKLmnopQRStuvWXyz0123456";

describe("parseConfig", () => {
  it("defaults – an empty environment runs the local chat over ./knowledge", () => {
    expect(parseConfig({})).toEqual({
      knowledgeDir: "./knowledge",
      cacheDir: "./.cache",
      logLevel: "info",
      logFormat: "json",
      bot: { mode: "local" },
      alerts: { databasePath: "./data/hoibao.db", feedUrls: [], feedIntervalMs: 900_000, alertRate: 25, adminUserIds: [], allowPrivateAddresses: false },
    });
    expect(parseConfig({}, true).logFormat).toBe("pretty");
  });

  it("blank values count as unset, as in a .env copied from .env.example", () => {
    expect(parseConfig({ BOT_TOKEN: "", KNOWLEDGE_DIR: "  ", LOG_LEVEL: "" }).bot).toEqual({ mode: "local" });
  });

  it("polling with a token, Telegram's API root unless told otherwise", () => {
    expect(parseConfig({ BOT_TOKEN: TOKEN }).bot).toEqual({ mode: "polling", token: TOKEN, apiRoot: TELEGRAM_API_ROOT });
    expect(parseConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "http://127.0.0.1:8081/" }).bot).toMatchObject({ apiRoot: "http://127.0.0.1:8081" });
    // PORT set while polling: a health check listens there (a container's).
    expect(parseConfig({ BOT_TOKEN: TOKEN, PORT: "9000" }).bot).toMatchObject({ mode: "polling", health: { host: "0.0.0.0", port: 9000 } });
  });

  it("webhook mode needs its URL and secret", () => {
    const env = { BOT_TOKEN: TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://bot.example.org/hook", WEBHOOK_SECRET: "s3cret_-x" };
    expect(parseConfig({ ...env, PORT: "8443" }).bot).toEqual({
      mode: "webhook",
      token: TOKEN,
      apiRoot: TELEGRAM_API_ROOT,
      webhookUrl: "https://bot.example.org/hook",
      webhookSecret: "s3cret_-x",
      host: "0.0.0.0",
      port: 8443,
    });
    expect(() => parseConfig({ ...env, WEBHOOK_URL: "" })).toThrow("config: WEBHOOK_URL is required");
    expect(() => parseConfig({ ...env, WEBHOOK_SECRET: "has space" })).toThrow("config: WEBHOOK_SECRET");
  });

  it("alerts: database, feeds, interval, rate and operators", () => {
    const alerts = parseConfig({
      DATABASE_PATH: ":memory:",
      FEED_URLS: "https://a.example/rss, https://b.example/atom.xml ,",
      FEED_INTERVAL: "90s",
      ALERT_RATE: "10",
      ADMIN_USER_IDS: "111,222",
    }).alerts;
    expect(alerts).toEqual({
      databasePath: ":memory:",
      feedUrls: ["https://a.example/rss", "https://b.example/atom.xml"],
      feedIntervalMs: 90_000,
      alertRate: 10,
      adminUserIds: [111, 222],
      allowPrivateAddresses: false,
    });
    expect(parseConfig({ FEED_INTERVAL: "15m" }).alerts.feedIntervalMs).toBe(900_000);
    expect(parseConfig({ FEED_INTERVAL: "3600" }).alerts.feedIntervalMs).toBe(3_600_000);
  });

  it("bad values fail naming the variable", () => {
    const cases: [Record<string, string>, string][] = [
      [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
      [{ LOG_FORMAT: "xml" }, "LOG_FORMAT"],
      [{ FEED_URLS: "not a url" }, "FEED_URLS"],
      [{ FEED_INTERVAL: "soon" }, "FEED_INTERVAL"],
      [{ ALERT_RATE: "5000" }, "ALERT_RATE"],
      [{ ADMIN_USER_IDS: "12,abc" }, "ADMIN_USER_IDS"],
      [{ BOT_TOKEN: "not-a-token" }, "BOT_TOKEN"],
      [{ BOT_TOKEN: TOKEN, BOT_MODE: "push" }, "BOT_MODE"],
      [{ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "ftp://x" }, "TELEGRAM_API_ROOT"],
      [{ BOT_TOKEN: TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://x.org", WEBHOOK_SECRET: "s", PORT: "70000" }, "PORT"],
    ];
    for (const [env, variable] of cases) {
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(`config: ${variable} `);
    }
  });

  it("every variable is checked in every mode, and every problem is reported at once", () => {
    // Without a token the bot runs the local chat, yet a bad PORT or BOT_MODE is still a mistake.
    expect(() => parseConfig({ PORT: "70000" })).toThrow("config: PORT ");
    expect(() => parseConfig({ BOT_MODE: "push" })).toThrow("config: BOT_MODE ");
    expect(() => parseConfig({ TELEGRAM_API_ROOT: "ftp://x" })).toThrow("config: TELEGRAM_API_ROOT ");
    try {
      parseConfig({ LOG_LEVEL: "loud", PORT: "x", FEED_INTERVAL: "soon", BOT_TOKEN: TOKEN, BOT_MODE: "webhook" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(["LOG_LEVEL", "PORT", "WEBHOOK_URL", "WEBHOOK_SECRET", "FEED_INTERVAL"]);
      expect((error as Error).message.split("\n")).toHaveLength(5);
    }
  });

  it(".env.example and the README list every variable the configuration reads, and nothing else", () => {
    const example = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
    const exampleNames = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    expect([...exampleNames].sort()).toEqual([...CONFIG_VARIABLES].sort());
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf("## Environment"), readme.indexOf("## Articles"));
    for (const name of CONFIG_VARIABLES) expect(table, name).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, "m"));
  });

  it("credentials in a URL never appear in a config error", () => {
    expect(() => parseConfig({ FEED_URLS: "ftp://user:pass@x.example/rss" })).toThrow('got "ftp://***@x.example/rss"');
  });

  it("the token never appears in a config error", () => {
    try {
      parseConfig({ BOT_TOKEN: "123:has spaces secret" });
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});
