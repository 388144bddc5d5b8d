import { type EventId, type RunId, StepId } from "@ingot/protocol";
import type {
  HistoryRecord,
  MemoizedStep,
  RunFilter,
  RunRecord,
  RunState,
  RunStore,
  StepRecord,
} from "@ingot/store";
import { historyFromRow, type Row, runFromRow, type Statements, stepFromRow } from "./rows.js";

export class SqliteRuns implements RunStore {
  constructor(private readonly sql: Statements) {}

  get(id: RunId): Promise<RunRecord | undefined> {
    return Promise.resolve(this.getSync(id));
  }

  getSync(id: RunId): RunRecord | undefined {
    const row = this.sql.get("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? runFromRow(row) : undefined;
  }

  loadState(id: RunId): Promise<RunState | undefined> {
    const run = this.getSync(id);
    if (!run) return Promise.resolve(undefined);
    const rows = this.sql
      .get("SELECT step_id, status, race FROM steps WHERE run_id = ?")
      .all(id) as Row[];
    const steps = rows.map((row) => ({
      stepId: StepId(String(row.step_id)),
      status: String(row.status),
      race: Number(row.race) === 1,
    }));
    return Promise.resolve({ run, steps });
  }

  memoized(id: RunId): Promise<MemoizedStep[]> {
    const rows = this.sql
      .get("SELECT step_id, output FROM steps WHERE run_id = ? AND seq IS NOT NULL ORDER BY seq")
      .all(id) as Row[];
    return Promise.resolve(
      rows.map((row) => ({ stepId: StepId(String(row.step_id)), outputJson: String(row.output) })),
    );
  }

  steps(id: RunId): Promise<StepRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM steps WHERE run_id = ? ORDER BY seq IS NULL, seq, created_at")
      .all(id) as Row[];
    return Promise.resolve(rows.map(stepFromRow));
  }

  history(id: RunId): Promise<HistoryRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM history WHERE run_id = ? ORDER BY id")
      .all(id) as Row[];
    return Promise.resolve(rows.map(historyFromRow));
  }

  byEvent(eventId: EventId): Promise<RunRecord[]> {
    const rows = this.sql
      .get(
        "SELECT runs.* FROM run_events JOIN runs ON runs.id = run_events.run_id WHERE run_events.event_id = ? ORDER BY runs.id",
      )
      .all(eventId) as Row[];
    return Promise.resolve(rows.map(runFromRow));
  }

  list(filter: RunFilter): Promise<RunRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.functionIds && filter.functionIds.length > 0) {
      clauses.push(`function_id IN (${filter.functionIds.map(() => "?").join(", ")})`);
      params.push(...filter.functionIds);
    }
    if (filter.statuses && filter.statuses.length > 0) {
      clauses.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
      params.push(...filter.statuses);
    }
    if (filter.from !== undefined) {
      clauses.push("created_at >= ?");
      params.push(filter.from);
    }
    if (filter.until !== undefined) {
      clauses.push("created_at < ?");
      params.push(filter.until);
    }
    if (filter.beforeId !== undefined) {
      clauses.push("id < ?");
      params.push(filter.beforeId);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const rows = this.sql
      .get(`SELECT * FROM runs ${where} ORDER BY id DESC LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    return Promise.resolve(rows.map(runFromRow));
  }
}
