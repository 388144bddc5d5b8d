import type pg from "pg";
import { PostgresStoreError, type Row } from "./database.js";
import { MIGRATIONS } from "./migrations/index.js";

/** Session advisory lock key (one-bigint form) held while migrating: 'ingot' in ASCII. */
export const MIGRATION_LOCK = 0x696e676f74;

/**
 * Applies the migrations not applied yet, each in its own transaction, holding a session-level
 * advisory lock of the database: nodes starting at once take turns, and the later ones find
 * everything applied. The lock goes away with the session if this process dies mid-way.
 */
export async function migrate(client: pg.PoolClient, now: number): Promise<number[]> {
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    );
    const { rows } = await client.query<Row>("SELECT id FROM schema_migrations");
    const applied = new Set(rows.map((row) => Number(row.id)));
    const known = new Set(MIGRATIONS.map((migration) => migration.id));
    const unknown = [...applied].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new PostgresStoreError(
        "schema_too_new",
        `the database has migrations this Ingot does not know (${unknown.join(", ")}): it was upgraded by a newer version; run that version (or newer) on every node`,
      );
    }
    const ran: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          "INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)",
          [migration.id, migration.name, now],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`migration ${migration.id} (${migration.name}) failed`, { cause: error });
      }
      ran.push(migration.id);
    }
    return ran;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
  }
}
