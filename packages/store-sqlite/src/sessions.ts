import type { SessionStore } from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import type { Statements } from "./rows.js";

export class SqliteSessions implements SessionStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
  ) {}

  create(input: { digest: string; createdAt: number; expiresAt: number }): Promise<void> {
    return this.writer.write(() => {
      this.sql
        .get("INSERT INTO dashboard_sessions (digest, created_at, expires_at) VALUES (?, ?, ?)")
        .run(input.digest, input.createdAt, input.expiresAt);
    });
  }

  valid(digest: string, now: number): Promise<boolean> {
    const row = this.sql
      .get("SELECT 1 FROM dashboard_sessions WHERE digest = ? AND expires_at > ?")
      .get(digest, now);
    return Promise.resolve(row !== undefined);
  }

  revoke(digest: string): Promise<boolean> {
    return this.writer.write(
      () => this.sql.get("DELETE FROM dashboard_sessions WHERE digest = ?").run(digest).changes > 0,
    );
  }

  sweep(now: number, limit = -1): Promise<number> {
    // LIMIT -1: no limit.
    return this.writer.write(
      () =>
        this.sql
          .get(
            `DELETE FROM dashboard_sessions WHERE digest IN (
               SELECT digest FROM dashboard_sessions WHERE expires_at <= ? LIMIT ?)`,
          )
          .run(now, limit).changes,
      { durable: false },
    );
  }
}
