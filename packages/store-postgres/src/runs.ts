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
import type { Database } from "./database.js";
import { historyFromRow, runFromRow, s, stepFromRow } from "./rows.js";

export class PostgresRuns implements RunStore {
  constructor(private readonly db: Database) {}

  async get(id: RunId): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM runs WHERE id = $1", [id]);
    return rows[0] ? runFromRow(rows[0]) : undefined;
  }

  /** The run and its steps in one statement, so both come from one snapshot. */
  async loadState(id: RunId): Promise<RunState | undefined> {
    const { rows } = await this.db.query(
      `SELECT runs.*, steps.step_ids, steps.statuses, steps.races
       FROM runs LEFT JOIN LATERAL (
         SELECT array_agg(step_id) AS step_ids, array_agg(status) AS statuses, array_agg(race) AS races
         FROM steps WHERE steps.run_id = runs.id
       ) AS steps ON TRUE
       WHERE runs.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const stepIds = textArray(row.step_ids);
    const statuses = textArray(row.statuses);
    const races = Array.isArray(row.races) ? row.races : [];
    return {
      run: runFromRow(row),
      steps: stepIds.map((stepId, index) => ({
        stepId: StepId(stepId),
        status: statuses[index] ?? "",
        race: races[index] === true,
      })),
    };
  }

  async memoized(id: RunId): Promise<MemoizedStep[]> {
    const { rows } = await this.db.query(
      "SELECT step_id, output FROM steps WHERE run_id = $1 AND seq IS NOT NULL ORDER BY seq",
      [id],
    );
    return rows.map((row) => ({ stepId: StepId(s(row.step_id)), outputJson: s(row.output) }));
  }

  async steps(id: RunId): Promise<StepRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM steps WHERE run_id = $1 ORDER BY seq NULLS LAST, created_at, step_id",
      [id],
    );
    return rows.map(stepFromRow);
  }

  async history(id: RunId): Promise<HistoryRecord[]> {
    const { rows } = await this.db.query("SELECT * FROM history WHERE run_id = $1 ORDER BY id", [
      id,
    ]);
    return rows.map(historyFromRow);
  }

  async byEvent(eventId: EventId): Promise<RunRecord[]> {
    const { rows } = await this.db.query(
      `SELECT runs.* FROM run_events JOIN runs ON runs.id = run_events.run_id
       WHERE run_events.event_id = $1 ORDER BY runs.id`,
      [eventId],
    );
    return rows.map(runFromRow);
  }

  async list(filter: RunFilter): Promise<RunRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.functionIds && filter.functionIds.length > 0) {
      clauses.push(`function_id = ANY(${param(filter.functionIds)}::text[])`);
    }
    if (filter.statuses && filter.statuses.length > 0) {
      clauses.push(`status = ANY(${param(filter.statuses)}::text[])`);
    }
    if (filter.from !== undefined) clauses.push(`created_at >= ${param(filter.from)}`);
    if (filter.until !== undefined) clauses.push(`created_at < ${param(filter.until)}`);
    if (filter.beforeId !== undefined) clauses.push(`id < ${param(filter.beforeId)}`);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const { rows } = await this.db.query(
      `SELECT * FROM runs ${where} ORDER BY id DESC LIMIT ${param(filter.limit)}`,
      params,
    );
    return rows.map(runFromRow);
  }
}

const textArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((item) => s(item)) : [];
