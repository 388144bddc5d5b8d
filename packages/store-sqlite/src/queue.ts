import { randomUUID } from "node:crypto";
import type { QueueItemId } from "@ingot/protocol";
import { type NewQueueItem, type QueueItem, QueueLane, type QueueStore } from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import { json, queueItemFromRow, type Row, type Statements } from "./rows.js";

/** Queue writes that run inside another write (a commit, an event accept). */
export class QueueWriter {
  constructor(private readonly sql: Statements) {}

  insertAll(items: readonly NewQueueItem[], now: number): QueueItem[] {
    const inserted: QueueItem[] = [];
    const statement = this.sql.get(
      `INSERT OR IGNORE INTO queue (id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const item of items) {
      const availableAt = item.claim ? now + item.claim.leaseMs : item.availableAt;
      const owner = item.claim?.owner ?? null;
      const token = item.claim ? randomUUID() : null;
      const result = statement.run(
        item.id,
        item.lane,
        item.kind,
        item.runId,
        json(item.payload),
        availableAt,
        owner,
        token,
        item.dedupeKey ?? null,
        now,
      );
      if (result.changes === 0) continue;
      if (item.claim && item.lane === QueueLane.Sdk && item.runId !== null)
        this.markStarted(item.runId, now);
      inserted.push({
        id: item.id,
        lane: item.lane,
        kind: item.kind,
        runId: item.runId,
        payload: item.payload,
        availableAt,
        leaseOwner: owner,
        leaseToken: token,
        createdAt: now,
      });
    }
    return inserted;
  }

  markStarted(runId: string, now: number): void {
    this.sql
      .get(
        "UPDATE runs SET status = 'Running', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'Queued'",
      )
      .run(now, runId);
  }
}

export class SqliteQueue implements QueueStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
    private readonly queueWriter: QueueWriter,
  ) {}

  claim(input: {
    lanes: readonly QueueLane[];
    now: number;
    limit: number;
    owner: string;
    leaseMs: number;
  }): Promise<QueueItem[]> {
    return this.writer.write(() => {
      const placeholders = input.lanes.map(() => "?").join(", ");
      const rows = this.sql
        .get(
          `SELECT * FROM queue WHERE lane IN (${placeholders}) AND lease_owner IS NULL AND available_at <= ? ORDER BY available_at LIMIT ?`,
        )
        .all(...input.lanes, input.now, input.limit) as Row[];
      const until = input.now + input.leaseMs;
      const lease = this.sql.get(
        "UPDATE queue SET available_at = ?, lease_owner = ?, lease_token = ? WHERE id = ?",
      );
      return rows.map((row) => {
        const token = randomUUID();
        lease.run(until, input.owner, token, row.id);
        const item = queueItemFromRow(row);
        if (item.lane === QueueLane.Sdk && item.runId !== null)
          this.queueWriter.markStarted(item.runId, input.now);
        return { ...item, availableAt: until, leaseOwner: input.owner, leaseToken: token };
      });
    });
  }

  extend(input: {
    ids: readonly QueueItemId[];
    owner: string;
    until: number;
  }): Promise<QueueItemId[]> {
    return this.writer.write(() => {
      const statement = this.sql.get(
        "UPDATE queue SET available_at = ? WHERE id = ? AND lease_owner = ?",
      );
      return input.ids.filter((id) => statement.run(input.until, id, input.owner).changes === 0);
    });
  }

  release(input: { ids: readonly QueueItemId[]; owner: string; at: number }): Promise<void> {
    return this.writer.write(() => {
      const statement = this.sql.get(
        "UPDATE OR REPLACE queue SET available_at = ?, lease_owner = NULL, lease_token = NULL WHERE id = ? AND lease_owner = ?",
      );
      for (const id of input.ids) statement.run(input.at, id, input.owner);
    });
  }

  nextDueAt(lanes: readonly QueueLane[]): Promise<number | undefined> {
    const placeholders = lanes.map(() => "?").join(", ");
    const row = this.sql
      .get(
        `SELECT MIN(available_at) AS at FROM queue WHERE lane IN (${placeholders}) AND lease_owner IS NULL`,
      )
      .get(...lanes) as Row;
    return Promise.resolve(row.at === null ? undefined : Number(row.at));
  }

  reapExpired(now: number): Promise<number> {
    return this.writer.write(
      () =>
        this.sql
          .get(
            "UPDATE OR REPLACE queue SET lease_owner = NULL, lease_token = NULL WHERE lease_owner IS NOT NULL AND available_at <= ?",
          )
          .run(now).changes,
    );
  }

  /** One process owns a SQLite file (the server holds a lock), so other owners are gone. */
  recover(owner: string, now: number): Promise<number> {
    return this.writer.write(
      () =>
        this.sql
          .get(
            "UPDATE OR REPLACE queue SET lease_owner = NULL, lease_token = NULL, available_at = MIN(available_at, ?) WHERE lease_owner IS NOT NULL AND lease_owner != ?",
          )
          .run(now, owner).changes,
    );
  }

  get(id: QueueItemId): Promise<QueueItem | undefined> {
    const row = this.sql.get("SELECT * FROM queue WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? queueItemFromRow(row) : undefined);
  }

  countByLane(): Promise<Record<string, number>> {
    const rows = this.sql.get("SELECT lane, COUNT(*) AS n FROM queue GROUP BY lane").all() as Row[];
    return Promise.resolve(
      Object.fromEntries(rows.map((row) => [String(row.lane), Number(row.n)])),
    );
  }
}
