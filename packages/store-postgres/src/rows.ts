import {
  AppId,
  EventId,
  type FunctionConfig,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  type SerializedError,
  StepId,
  type StoredEvent,
} from "@ingot/protocol";
import {
  type AppRecord,
  type FunctionRecord,
  type HistoryRecord,
  type QueueItem,
  QueueLane,
  type RunRecord,
  type StepRecord,
  type WaitKind,
  type WaitRecord,
} from "@ingot/store";
import { keysOf, PARKED } from "./concurrency.js";
import type { Row } from "./database.js";

export const json = (value: unknown): string => JSON.stringify(value === undefined ? null : value);

/** JSON columns were written by this store from JSON values, so parsing restores them. */
export function parseJson(text: unknown): unknown {
  return typeof text === "string" ? JSON.parse(text) : null;
}

/** Text columns come back as strings; `BIGINT`s too (pg keeps 64-bit integers exact as text). */
export const s = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "bigint"
      ? value.toString()
      : "";
export const sn = (value: unknown): string | null =>
  value === null || value === undefined ? null : s(value);
/** Epoch ms and counters fit in a double (2^53 ms is year 287,396). */
export const n = (value: unknown): number => Number(value);
export const nn = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

const RUN_STATUSES: ReadonlySet<string> = new Set(Object.values(RunStatus));
const LANES: ReadonlySet<string> = new Set(Object.values(QueueLane));
const WAIT_KINDS: ReadonlySet<string> = new Set(["event", "signal", "invoke", "cancel"]);

export const isLane = (value: unknown): value is QueueLane =>
  typeof value === "string" && LANES.has(value);

function runStatus(value: unknown): RunStatus {
  const status = s(value);
  if (!RUN_STATUSES.has(status)) throw new Error(`unknown run status in the database: ${status}`);
  return status as RunStatus;
}

/** A parked item goes back to the `sdk` lane when a slot frees, so it is shown there. */
function lane(value: unknown): QueueLane {
  if (value === PARKED) return QueueLane.Sdk;
  if (!isLane(value)) throw new Error(`unknown queue lane in the database: ${s(value)}`);
  return value;
}

function waitKind(value: unknown): WaitKind {
  const kind = s(value);
  if (!WAIT_KINDS.has(kind)) throw new Error(`unknown wait kind in the database: ${kind}`);
  return kind as WaitKind;
}

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
    data: parseJson(row.data) as Record<string, unknown>, // written by accept() from an object
    ts: n(row.ts),
    receivedAt: n(row.received_at),
  };
  if (row.user_data !== null && row.user_data !== undefined) {
    event.user = parseJson(row.user_data) as Record<string, unknown>;
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
  const eventIds = parseJson(row.event_ids);
  return {
    id: RunId(s(row.id)),
    functionId: FunctionId(s(row.function_id)),
    appId: AppId(s(row.app_id)),
    status: runStatus(row.status),
    eventIds: Array.isArray(eventIds) ? eventIds.map((id) => EventId(s(id))) : [],
    output: row.output === null ? null : parseJson(row.output),
    error: row.error === null ? null : (parseJson(row.error) as SerializedError),
    createdAt: n(row.created_at),
    startedAt: nn(row.started_at),
    endedAt: nn(row.ended_at),
    requestVersion: n(row.request_version),
    forceStepPlan: row.force_step_plan === true,
    priorityMs: n(row.priority_ms ?? 0),
    concurrency: keysOf(row.concurrency),
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
    race: row.race === true,
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
    lane: lane(row.lane),
    kind: s(row.kind),
    runId: row.run_id === null ? null : RunId(s(row.run_id)),
    payload: parseJson(row.payload),
    availableAt: n(row.available_at),
    leaseOwner: sn(row.lease_owner),
    leaseToken: sn(row.lease_token),
    concurrency: keysOf(row.concurrency),
    createdAt: n(row.created_at),
  };
}

export function waitFromRow(row: Row): WaitRecord {
  return {
    id: s(row.id),
    runId: RunId(s(row.run_id)),
    stepId: row.step_id === null ? null : StepId(s(row.step_id)),
    kind: waitKind(row.kind),
    key: s(row.key),
    condition: sn(row.condition),
    matchPath: sn(row.match_path),
    matchValue: sn(row.match_value),
    expiresAt: n(row.expires_at),
    createdAt: n(row.created_at),
  };
}
