import type { SessionStore } from "@ingot/store";
import type { Database } from "./database.js";

export class PostgresSessions implements SessionStore {
  constructor(private readonly db: Database) {}

  async create(input: { digest: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db.query(
      "INSERT INTO dashboard_sessions (digest, created_at, expires_at) VALUES ($1, $2, $3)",
      [input.digest, input.createdAt, input.expiresAt],
    );
  }

  async valid(digest: string, now: number): Promise<boolean> {
    const { rows } = await this.db.query(
      "SELECT 1 FROM dashboard_sessions WHERE digest = $1 AND expires_at > $2",
      [digest, now],
    );
    return rows.length > 0;
  }

  async revoke(digest: string): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM dashboard_sessions WHERE digest = $1", [
      digest,
    ]);
    return rowCount > 0;
  }

  /** `LIMIT NULL` is no limit. Rows another node is sweeping are skipped, not waited for. */
  async sweep(now: number, limit?: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM dashboard_sessions WHERE digest IN (
         SELECT digest FROM dashboard_sessions WHERE expires_at <= $1
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, limit ?? null],
    );
    return rowCount;
  }
}
