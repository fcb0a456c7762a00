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
  // The language alerts are written in, as the bot negotiated it with whoever subscribed; NULL
  // (subscriptions made before it was kept) reads as the bot's default.
  `
  ALTER TABLE subscriptions ADD COLUMN language TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database could not be opened: the message names DATABASE_PATH and says why. */
export class StorageError extends Error {
  constructor(file: string, reason: string) {
    super(`DATABASE_PATH=${file}: ${reason}`);
    this.name = "StorageError";
  }
}

/**
 * How long one statement waits for a lock held by another process. better-sqlite3 is synchronous:
 * the wait holds every answer, so it stays short; the callers retry later.
 */
const BUSY_TIMEOUT_MS = 250;
/** Attempts to open a database another process has locked, 1 s apart. */
const OPEN_ATTEMPTS = 10;

/**
 * Opens (creating if needed) the database at `file`, or in memory for ":memory:", and migrates it.
 * A database locked by another process is tried again for ~10 s; one that cannot be used
 * (corrupt, not a database, a folder, unreadable) throws a StorageError naming DATABASE_PATH.
 */
export function openDatabase(file: string, options: { onLocked?: (attempt: number) => void; retryDelayMs?: number } = {}): Db {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return openOnce(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if ((code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") && attempt < OPEN_ATTEMPTS) {
        options.onLocked?.(attempt);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, options.retryDelayMs ?? 1000); // before anything else runs
        continue;
      }
      if (error instanceof StorageError) throw error;
      throw new StorageError(file, describeOpenError(code, (error as Error).message));
    }
  }
}

function describeOpenError(code: string, message: string): string {
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") return `not a usable SQLite database (${message}); move it away to start with a new one, or restore a backup`;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return `locked by another process for too long (${message}); is another hoibao running on it?`;
  if (code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY" || code === "SQLITE_PERM") return `cannot be opened for writing (${message}); check that it is a file this user may write, in a folder that exists`;
  if (code === "SQLITE_FULL") return `the disk is full (${message})`;
  return `cannot be opened (${code ? `${code}: ` : ""}${message})`;
}

function openOnce(file: string): Db {
  if (file !== ":memory:") {
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (error) {
      throw new StorageError(file, `its folder cannot be created (${(error as Error).message})`);
    }
  }
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL: readers never wait for the writer, and a crash never leaves a half-written commit.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("foreign_keys = ON");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
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
