import type {
  AppId,
  EventId,
  FunctionConfig,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  StepId,
  StoredEvent,
} from "@ingot/protocol";
import type { Changeset, CommitResult, NewQueueItem } from "./changeset.js";
import type {
  AiCallRecord,
  AppRecord,
  FunctionRecord,
  HistoryRecord,
  MemoizedStep,
  QueueItem,
  QueueLane,
  RunRecord,
  StepRecord,
  WaitKind,
  WaitRecord,
} from "./records.js";

/**
 * The one persistence interface. Backends: SQLite (`@ingot/store-sqlite`) and Postgres
 * (`@ingot/store-postgres`); both pass `packages/store/test/conformance.ts`.
 * All times are epoch ms passed in by the caller (invariant 5: `now` is a parameter).
 */
export interface Store {
  readonly dialect: "sqlite" | "postgres";
  readonly apps: AppStore;
  readonly events: EventStore;
  readonly runs: RunStore;
  readonly queue: QueueStore;
  readonly waits: WaitStore;
  readonly aiCalls: AiCallStore;
  readonly flow: FlowStore;
  readonly sessions: SessionStore;
  /** Applies a changeset atomically. */
  commit(changes: Changeset): Promise<CommitResult>;
  close(): Promise<void>;
}

export interface AppSync {
  app: Omit<AppRecord, "createdAt">;
  functions: { id: FunctionId; name: string; config: FunctionConfig; uuid: string }[];
  now: number;
}

export interface AppStore {
  /** Replaces the app's function set: listed functions are upserted, the rest archived. */
  sync(sync: AppSync): Promise<{ added: number; updated: number; archived: number }>;
  recordError(id: AppId, error: string, now: number): Promise<void>;
  get(id: AppId): Promise<AppRecord | undefined>;
  list(): Promise<AppRecord[]>;
  remove(id: AppId, now: number): Promise<boolean>;
  functions(options?: { includeArchived?: boolean }): Promise<FunctionRecord[]>;
  getFunction(id: FunctionId): Promise<FunctionRecord | undefined>;
  /** Latest `updatedAt` over apps and functions, to notice syncs made by other nodes. */
  lastChangeAt(): Promise<number>;
}

export interface AcceptResult {
  id: EventId;
  /** The event was seen before (same id, or same idempotency key within the window). */
  duplicate: boolean;
}

export interface EventStore {
  /**
   * Durably accepts events (invariant 3). Duplicates — an id already stored, or an idempotency
   * key seen within `dedupeWindowMs` — are not stored again. `then` builds the follow-up queue
   * items for the new events, committed in the same transaction.
   */
  accept(input: {
    events: StoredEvent[];
    now: number;
    dedupeWindowMs: number;
    then: (accepted: StoredEvent[]) => NewQueueItem[];
  }): Promise<{ results: AcceptResult[]; enqueued: QueueItem[] }>;
  get(id: EventId): Promise<StoredEvent | undefined>;
  getMany(ids: readonly EventId[]): Promise<StoredEvent[]>;
  list(filter: EventFilter): Promise<StoredEvent[]>;
}

export interface EventFilter {
  name?: string;
  /** Leave out Ingot's own `inngest/…` events. */
  excludeInternal?: boolean;
  /** Only events received before this instant (cursor for paging backwards). */
  before?: number;
  /** With `before`: also events received exactly at `before` whose id sorts below this one. */
  beforeId?: string;
  after?: number;
  limit: number;
}

export interface RunFilter {
  functionIds?: FunctionId[];
  statuses?: RunStatus[];
  /** Created at or after. */
  from?: number;
  /** Created before. */
  until?: number;
  /** Cursor: only runs with id < this (ids are ULIDs, so this pages backwards in time). */
  beforeId?: RunId;
  limit: number;
}

export interface RunState {
  run: RunRecord;
  steps: Pick<StepRecord, "stepId" | "status" | "race">[];
}

export interface RunStore {
  get(id: RunId): Promise<RunRecord | undefined>;
  /** The run and its steps' statuses: what the engine decides on. */
  loadState(id: RunId): Promise<RunState | undefined>;
  /** Memoized steps in stack order, for building an execution request. */
  memoized(id: RunId): Promise<MemoizedStep[]>;
  steps(id: RunId): Promise<StepRecord[]>;
  history(id: RunId): Promise<HistoryRecord[]>;
  byEvent(eventId: EventId): Promise<RunRecord[]>;
  list(filter: RunFilter): Promise<RunRecord[]>;
}

export interface QueueStore {
  /**
   * Leases up to `limit` due, unleased items of the lanes to `owner`; marks the runs of claimed
   * `sdk` items Running.
   */
  claim(input: {
    lanes: readonly QueueLane[];
    now: number;
    limit: number;
    owner: string;
    leaseMs: number;
  }): Promise<QueueItem[]>;
  /** Extends the leases this owner holds; returns the ids it no longer holds. */
  extend(input: {
    ids: readonly QueueItemId[];
    owner: string;
    until: number;
  }): Promise<QueueItemId[]>;
  /** Gives leased items back (e.g. on shutdown), claimable again at `at`. */
  release(input: { ids: readonly QueueItemId[]; owner: string; at: number }): Promise<void>;
  /** Earliest `availableAt` among the lanes' unleased items; undefined when there are none. */
  nextDueAt(lanes: readonly QueueLane[]): Promise<number | undefined>;
  /** Makes items whose lease expired before `now` claimable again; returns how many. */
  reapExpired(now: number): Promise<number>;
  /**
   * Called once at start-up. A single-process backend (SQLite) releases every lease of a
   * previous process at once; a shared backend leaves them to expire.
   */
  recover(owner: string, now: number): Promise<number>;
  get(id: QueueItemId): Promise<QueueItem | undefined>;
  countByLane(): Promise<Record<string, number>>;
}

export interface WaitStore {
  /** Distinct `matchPath`s of waits on `key` (so an event can compute its index values). */
  matchPaths(kind: WaitKind, key: string): Promise<(string | null)[]>;
  /** Waits on `key` whose index matches one of the probes, plus those without an index. */
  candidates(input: {
    kind: WaitKind;
    key: string;
    probes: { path: string; value: string }[];
  }): Promise<WaitRecord[]>;
  byKey(kind: WaitKind, key: string): Promise<WaitRecord[]>;
  forRun(runId: RunId): Promise<WaitRecord[]>;
  get(id: string): Promise<WaitRecord | undefined>;
}

export interface AiCallFilter {
  runId?: RunId;
  functionIds?: FunctionId[];
  /** Started at or after / before (epoch ms). */
  from?: number;
  until?: number;
  limit: number;
}

export interface AiUsageTotals {
  key: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
  latencyMsAvg: number;
}

export interface AiCallStore {
  list(filter: AiCallFilter): Promise<AiCallRecord[]>;
  /** Totals grouped by provider, model or function, over calls started in [from, until). */
  totals(input: {
    groupBy: "provider" | "model" | "function";
    from?: number;
    until?: number;
  }): Promise<AiUsageTotals[]>;
}

export interface FlowRecord {
  value: unknown;
  version: number;
  expiresAt: number;
}

export interface FlowStore {
  /** The key's state, or undefined when absent or expired at `now`. */
  get(input: {
    fnId: string;
    kind: string;
    key: string;
    now: number;
  }): Promise<FlowRecord | undefined>;
  /** Drops expired state (housekeeping). */
  sweep(now: number): Promise<number>;
}

/**
 * Dashboard sign-in sessions (`ingot start`). Only a digest of the cookie's value is stored, so
 * a copy of the database does not let anyone sign in.
 */
export interface SessionStore {
  create(input: { digest: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** True when the session exists and has not expired at `now`. */
  valid(digest: string, now: number): Promise<boolean>;
  /** Ends a session (logout); false when there was none. */
  revoke(digest: string): Promise<boolean>;
  /** Drops expired sessions (housekeeping). */
  sweep(now: number): Promise<number>;
}

export type { StepId };
