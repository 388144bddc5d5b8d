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
  readonly retention: RetentionStore;
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
  /** Drops expired state (housekeeping): up to `limit` rows when given, else all. */
  sweep(now: number, limit?: number): Promise<number>;
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
  /** Drops expired sessions (housekeeping): up to `limit` rows when given, else all. */
  sweep(now: number, limit?: number): Promise<number>;
}

/** Rows one `pruneRuns` batch deleted, per table. */
export interface PrunedRuns {
  runs: number;
  steps: number;
  history: number;
  aiCalls: number;
  waits: number;
}

/** Position in the events' `(receivedAt, id)` order, where the next `pruneEvents` goes on. */
export interface EventCursor {
  receivedAt: number;
  id: EventId;
}

export interface PrunedEvents {
  deleted: number;
  /** Events looked at (deleted or kept); fewer than the limit: the range is done. */
  scanned: number;
  /** The last event looked at; pass it as `after` to go on. */
  last?: EventCursor;
}

/**
 * Deleting old data (`--retention`), in small batches: each call is one short transaction, so
 * writers wait for at most one batch. Several nodes may prune one database at once: each row is
 * deleted, and counted, by one of them (Postgres: `FOR UPDATE SKIP LOCKED`).
 */
export interface RetentionStore {
  /**
   * Deletes up to `limit` finished runs (Completed, Failed, Cancelled) that ended before
   * `before`, oldest first, each together with its steps, history, AI calls, waits and event
   * links. Unfinished runs are never touched, however old.
   */
  pruneRuns(input: { before: number; limit: number }): Promise<PrunedRuns>;
  /**
   * Looks at up to `limit` events received before `before` (after `after`, in `(receivedAt, id)`
   * order) and deletes those that may no longer be read: no run links to them, and they were
   * received more than `readerMarginMs` before the oldest queue item of one of the `readers`
   * kinds (work that reads events by id, such as routing or a debounce window, still pending).
   */
  pruneEvents(input: {
    before: number;
    limit: number;
    after?: EventCursor;
    readers: readonly string[];
    readerMarginMs: number;
  }): Promise<PrunedEvents>;
  /** Deletes up to `limit` event idempotency keys whose window ended at or before `now`. */
  sweepEventKeys(now: number, limit: number): Promise<number>;
  /**
   * Bytes the database takes, how many of them are free pages waiting for reuse, and whether
   * `reclaim` can give free pages back (`shrinks`).
   */
  usage(): Promise<{ bytes: number; freeBytes: number; shrinks: boolean }>;
  /**
   * Gives up to `maxBytes` of free pages back to the file system (SQLite with incremental
   * auto-vacuum). 0 where the backend cannot, or reclaims space by itself (Postgres: autovacuum
   * makes dead rows' space reusable; the files do not shrink).
   */
  reclaim(maxBytes: number): Promise<number>;
}

export type { StepId };
