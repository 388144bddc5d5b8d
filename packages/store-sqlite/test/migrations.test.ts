import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS, SqliteStore, SqliteStoreError } from "../src/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "ingot-migrations-"));
  dirs.push(dir);
  return join(dir, "ingot.db");
}

function appliedIds(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { id: number }>("SELECT id FROM schema_migrations ORDER BY id")
      .all()
      .map((row) => row.id);
  } finally {
    db.close();
  }
}

describe("SQLite migrations across versions", () => {
  it("brings a store written by an older version up to date", async () => {
    const path = dbPath();
    const old = new Database(path);
    old.exec(
      "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const first = MIGRATIONS[0]!;
    old.exec(first.sql);
    old.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(first.id, first.name, 1);
    old.close();

    const store = new SqliteStore({ path });
    await store.close();
    expect(appliedIds(path)).toEqual(MIGRATIONS.map((migration) => migration.id));
  });

  it("refuses a store written by a newer version, and leaves it as it was", async () => {
    const path = dbPath();
    await new SqliteStore({ path }).close();
    const newer = new Database(path);
    newer.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(999, "from-the-future", 1);
    newer.close();

    let refused: unknown;
    try {
      new SqliteStore({ path });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SqliteStoreError);
    expect(refused).toMatchObject({ code: "schema_too_new" });
    expect(String(refused)).toMatch(/migrations this Ingot does not know \(999\).*newer version/);
    expect(appliedIds(path)).toEqual([...MIGRATIONS.map((migration) => migration.id), 999]);
  });
});
