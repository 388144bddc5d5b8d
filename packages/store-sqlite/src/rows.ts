import {
  AppId,
  EventId,
  type FunctionConfig,
  FunctionId,
  QueueItemId,
  RunId,
  type RunStatus,
  type SerializedError,
  StepId,
  type StoredEvent,
} from "@ingot/protocol";
import type {
  AppRecord,
  FunctionRecord,
  HistoryRecord,
  QueueItem,
  QueueLane,
  RunRecord,
  StepRecord,
  WaitKind,
  WaitRecord,
} from "@ingot/store";
import type Database from "better-sqlite3";
import type { Db } from "./database.js";

/** Prepared statements, created once per SQL text. */
export type Statement = Database.Statement<unknown[]>;

export class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(readonly db: Db) {}
  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

export const json = (value: unknown): string => JSON.stringify(value === undefined ? null : value);

/** JSON columns were written by this store from JSON values, so parsing restores them. */
export function parseJson(text: unknown): unknown {
  return typeof text === "string" ? JSON.parse(text) : null;
}

export type Row = Record<string, unknown>;

/** Text columns hold strings; numbers only where SQLite coerced them. */
const s = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "bigint"
      ? value.toString()
      : "";
const sn = (value: unknown): string | null =>
  value === null || value === undefined ? null : s(value);
const n = (value: unknown): number => Number(value);
const nn = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

export function appFromRow(row: Row): AppRecord {
  return {
    id: AppId(s(row.id)),
    url: s(row.url),
    sdk: sn(row.sdk),
    framework: sn(row.framework),
    appVersion: sn(row.app_version),
    error: sn(row.error),
    syncedAt: n(row.synced_at),
    createdAt: n(row.created_at),
  };
}

export function functionFromRow(row: Row): FunctionRecord {
  return {
    id: FunctionId(s(row.id)),
    uuid: s(row.uuid),
    appId: AppId(s(row.app_id)),
    name: s(row.name),
    config: parseJson(row.config) as FunctionConfig, // written by sync() from a parsed config
    createdAt: n(row.created_at),
    updatedAt: n(row.updated_at),
    archivedAt: nn(row.archived_at),
  };
}

export function eventFromRow(row: Row): StoredEvent {
  const event: StoredEvent = {
    id: EventId(s(row.id)),
    name: s(row.name),
    data: parseJson(row.data) as Record<string, unknown>,
    ts: n(row.ts),
    receivedAt: n(row.received_at),
  };
  if (row.user !== null && row.user !== undefined) {
    event.user = parseJson(row.user) as Record<string, unknown>;
  }
  if (row.v !== null && row.v !== undefined) event.v = s(row.v);
  if (row.idempotency_key !== null && row.idempotency_key !== undefined) {
    event.idempotencyKey = s(row.idempotency_key);
  }
  if (row.routed_at !== null && row.routed_at !== undefined) {
    event.routing = { at: n(row.routed_at), functions: n(row.functions_triggered ?? 0) };
  }
  return event;
}

export function runFromRow(row: Row): RunRecord {
  return {
    id: RunId(s(row.id)),
    functionId: FunctionId(s(row.function_id)),
    appId: AppId(s(row.app_id)),
    status: s(row.status) as RunStatus,
    eventIds: (parseJson(row.event_ids) as string[]).map(EventId),
    output: row.output === null ? null : parseJson(row.output),
    error: row.error === null ? null : (parseJson(row.error) as SerializedError),
    createdAt: n(row.created_at),
    startedAt: nn(row.started_at),
    endedAt: nn(row.ended_at),
    requestVersion: n(row.request_version),
    forceStepPlan: n(row.force_step_plan) === 1,
    priorityMs: n(row.priority_ms ?? 0),
    concurrency:
      row.concurrency === null || row.concurrency === undefined
        ? null
        : (parseJson(row.concurrency) as { key: string; limit: number }[]),
    version: n(row.version),
    correlationId: sn(row.correlation_id),
  };
}

export function stepFromRow(row: Row): StepRecord {
  return {
    runId: RunId(s(row.run_id)),
    stepId: StepId(s(row.step_id)),
    seq: nn(row.seq),
    status: s(row.status),
    op: s(row.op),
    displayName: sn(row.display_name),
    userlandId: sn(row.userland_id),
    race: n(row.race) === 1,
    outputJson: sn(row.output),
    attempts: n(row.attempts),
    createdAt: n(row.created_at),
    endedAt: nn(row.ended_at),
    durationMs: nn(row.duration_ms),
  };
}

export function historyFromRow(row: Row): HistoryRecord {
  return {
    id: n(row.id),
    runId: RunId(s(row.run_id)),
    at: n(row.at),
    type: s(row.type),
    stepId: row.step_id === null ? null : StepId(s(row.step_id)),
    attempt: nn(row.attempt),
    data: parseJson(row.data),
  };
}

export function queueItemFromRow(row: Row): QueueItem {
  return {
    id: QueueItemId(s(row.id)),
    // Parked items sit in a lane of their own; they belong to the sdk lane (as in Postgres).
    lane: (row.parked_on !== null && row.parked_on !== undefined
      ? "sdk"
      : s(row.lane)) as QueueLane,
    kind: s(row.kind),
    runId: row.run_id === null ? null : RunId(s(row.run_id)),
    payload: parseJson(row.payload),
    availableAt: n(row.available_at),
    leaseOwner: sn(row.lease_owner),
    leaseToken: sn(row.lease_token),
    concurrency:
      row.concurrency === null || row.concurrency === undefined
        ? null
        : (parseJson(row.concurrency) as { key: string; limit: number }[]),
    createdAt: n(row.created_at),
  };
}

export function waitFromRow(row: Row): WaitRecord {
  return {
    id: s(row.id),
    runId: RunId(s(row.run_id)),
    stepId: row.step_id === null ? null : StepId(s(row.step_id)),
    kind: s(row.kind) as WaitKind,
    key: s(row.key),
    condition: sn(row.condition),
    matchPath: sn(row.match_path),
    matchValue: sn(row.match_value),
    expiresAt: n(row.expires_at),
    createdAt: n(row.created_at),
  };
}
