import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StorageError, openDatabase } from "../../src/storage/database.js";

const temp = () => mkdtempSync(path.join(tmpdir(), "hoibao-db-"));

describe("opening DATABASE_PATH", () => {
  it("a corrupt file or a folder: a StorageError naming DATABASE_PATH and what to do, not a raw stack", () => {
    const corrupt = path.join(temp(), "hoibao.db");
    writeFileSync(corrupt, Buffer.alloc(8192, 0x5a));
    expect(() => openDatabase(corrupt)).toThrow(StorageError);
    expect(() => openDatabase(corrupt)).toThrow(`DATABASE_PATH=${corrupt}: not a usable SQLite database`);
    const folder = path.join(temp(), "a-folder.db");
    mkdirSync(folder);
    expect(() => openDatabase(folder)).toThrow(/^DATABASE_PATH=.*a-folder\.db: cannot be opened/);
  });

  it("a database another process holds locked is tried again, then opens once it is free", () => {
    const file = path.join(temp(), "hoibao.db");
    openDatabase(file).close();
    const other = new Database(file);
    other.pragma("journal_mode = DELETE");
    other.exec("BEGIN EXCLUSIVE");
    const attempts: number[] = [];
    let released = false;
    const db = openDatabase(file, {
      retryDelayMs: 50,
      onLocked: (attempt) => {
        attempts.push(attempt);
        if (attempt === 2 && !released) {
          other.exec("COMMIT");
          other.close();
          released = true;
        }
      },
    });
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(db.pragma("user_version", { simple: true })).toBeGreaterThan(0);
    db.close();
  });
});
