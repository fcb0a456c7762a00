/**
 * SQLite storage (better-sqlite3: embedded, synchronous, no server). All SQL of hoibao lives in
 * this folder: the schema and its migrations here, small typed repositories beside it.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

/**
 * Schema migrations, applied in order once each; `PRAGMA user_version` records how many ran.
 * Never edit a released step: add a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE subscriptions (
    chat_id       INTEGER PRIMARY KEY,
    chat_type     TEXT    NOT NULL,
    title         TEXT,
    subscribed_by INTEGER,
    created_at    INTEGER NOT NULL
  );
  -- Every article that was ever announced, by each identity it may arrive with.
  CREATE TABLE announced_articles (
    article_id    TEXT PRIMARY KEY,
    url           TEXT,
    content_hash  TEXT NOT NULL,
    title         TEXT NOT NULL,
    announced_at  INTEGER NOT NULL
  );
  CREATE INDEX announced_by_url ON announced_articles(url) WHERE url IS NOT NULL;
  CREATE INDEX announced_by_hash ON announced_articles(content_hash);
  -- One row per alert to send: the durable queue of the broadcaster.
  CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL,
    article_id    TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    not_before    INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    UNIQUE (chat_id, article_id)
  );
  CREATE INDEX outbox_due ON outbox(status, not_before);
  CREATE TABLE feeds (
    url             TEXT PRIMARY KEY,
    last_checked_at INTEGER,
    last_ok_at      INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_check_at   INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
  );
  CREATE TABLE feed_items (
    feed_url  TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (feed_url, item_key)
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (creating if needed) the database at `file`, or in memory for ":memory:", and migrates it. */
export function openDatabase(file: string): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  // WAL: readers never wait for the writer, and a crash never leaves a half-written commit.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`storage: the database has schema version ${current}, newer than this hoibao (${MIGRATIONS.length}); upgrade hoibao`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
