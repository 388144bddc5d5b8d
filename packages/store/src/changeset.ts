import type {
  AppId,
  EventId,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  SerializedError,
  StepId,
  StoredEvent,
} from "@ingot/protocol";
import type { AiCallRecord, QueueItem, QueueLane, WaitKind } from "./records.js";

/**
 * One atomic change (ARCHITECTURE.md §2, invariant 2): everything in a changeset commits in one
 * transaction or not at all.
 */
export interface Changeset {
  /**
   * `false`: the commit may resolve before it is fsynced (SQLite; it still never resolves ahead
   * of durable commits made before it). Only for changes a crash may lose without harm because
   * what they consume is still durable and is simply done again: routing an event batch (the
   * events and their routing item were fsynced at ingest; a lost routing routes them again, and
   * every checkpoint or completion the new run acknowledges is fsynced, covering it). Default
   * `true`.
   */
  durable?: boolean;
  /**
   * The leased queue item this change finishes, with the token of the lease it was worked on
   * under. Re-leased since (expired, recovered, claimed elsewhere) → the commit is `stale`.
   */
  complete?: { id: QueueItemId; lease: string };
  /** Like `complete`, but the item stays: the change happens while it is still being worked on. */
  holds?: { id: QueueItemId; lease: string };
  /** Deletes this wait first; if it is already gone (consumed or timed out) → `stale`. */
  claimWait?: string;
  /** Changes to an existing run, guarded by its version (optimistic concurrency). */
  run?: { id: RunId; version: number; patch: RunPatch };
  newRuns?: NewRun[];
  steps?: StepWrite[];
  /** Forgets outstanding (not memoized) steps, so the SDK's next report of them is new. */
  dropPendingSteps?: { runId: RunId; stepId: StepId }[];
  enqueue?: NewQueueItem[];
  waits?: NewWait[];
  /** Deletes each wait; only if it still existed are its follow-up items enqueued. */
  consumeWaits?: { waitId: string; then: NewQueueItem[] }[];
  /** Deletes all queue items and waits of these runs (a run ended). */
  clearRuns?: RunId[];
  /** Internal events (function.finished, function.invoked, …). */
  events?: StoredEvent[];
  /** Events this change routed: when, and how many functions they triggered. */
  routed?: { eventId: EventId; at: number; functions: number }[];
  history?: NewHistory[];
  aiCalls?: AiCallRecord[];
  /**
   * Flow-control state writes, each guarded by the version it was read at (`null`: the key must
   * be absent or expired). Any mismatch makes the commit a `conflict` with nothing applied.
   */
  flow?: FlowWrite[];
  /** `waitForSignal` with `onConflict: "replace"`: earlier waits on these signals stop matching. */
  supersedeSignals?: string[];
}

export interface FlowWrite {
  fnId: string;
  kind: string;
  key: string;
  /** When the state was read: rows expired by then count as absent (invariant 5). */
  at: number;
  /** Version read, or `null` when the key was absent or expired. */
  expect: number | null;
  /** New value; `undefined` deletes the key. */
  value?: unknown;
  expiresAt?: number;
}

/** A concurrency limit a queue item is subject to while it runs (spec §7.1 `concurrency`). */
export interface ConcurrencyKey {
  /** Fully qualified key, e.g. `fn:<function id>:<evaluated key>` or `acct:<evaluated key>`. */
  key: string;
  limit: number;
}

export interface RunPatch {
  status?: RunStatus;
  output?: unknown;
  error?: SerializedError | null;
  endedAt?: number;
  requestVersion?: number;
  forceStepPlan?: boolean;
}

export interface NewRun {
  id: RunId;
  functionId: FunctionId;
  appId: AppId;
  eventIds: EventId[];
  createdAt: number;
  correlationId?: string;
  /** `priority.run` in ms: the run's requests are queued this much earlier (spec §7.1). */
  priorityMs?: number;
  /** Concurrency limits every request of the run is subject to. */
  concurrency?: ConcurrencyKey[];
}

export interface StepWrite {
  runId: RunId;
  stepId: StepId;
  status: string;
  op?: string;
  displayName?: string;
  userlandId?: string;
  race?: boolean;
  /** Memoized value as JSON text; when set the step is appended to the run's stack. */
  outputJson?: string;
  /** Adds to the step's attempt count (a failed attempt or a finished one). */
  attempts?: number;
  durationMs?: number;
  endedAt?: number;
}

export interface NewQueueItem {
  id: QueueItemId;
  lane: QueueLane;
  kind: string;
  runId: RunId | null;
  payload: unknown;
  availableAt: number;
  /** While an unclaimed item with this key exists, another with the same key is not added. */
  dedupeKey?: string;
  /** Insert already leased to this owner, so it can be dispatched without a claim round trip. */
  claim?: { owner: string; leaseMs: number };
  /**
   * With `dedupeKey`: when an unleased item with the key exists, move it to this item's time
   * and payload instead of doing nothing (debounce timers).
   */
  reschedule?: boolean;
  /** Limits that apply while the item runs; a full key parks the item until a slot frees. */
  concurrency?: ConcurrencyKey[];
  /**
   * Ordering among due items: claimed as if due this much earlier (negative: later). It never
   * makes an item due sooner or later (spec §7.1 `priority.run`).
   */
  priorityMs?: number;
}

export interface NewWait {
  id: string;
  runId: RunId;
  stepId: StepId | null;
  kind: WaitKind;
  key: string;
  condition: string | null;
  matchPath: string | null;
  matchValue: string | null;
  expiresAt: number;
  createdAt: number;
  /**
   * Closes the race of an event that arrived while the wait was being created (spec §12): inside
   * the same transaction, events named `key` received since `since` are offered to `matches`; on
   * the first match the wait is not stored and `then(event)` is enqueued instead.
   */
  lookback?: {
    since: number;
    matches: (event: StoredEvent) => boolean;
    then: (event: StoredEvent) => NewQueueItem[];
  };
}

export interface NewHistory {
  runId: RunId;
  at: number;
  type: string;
  stepId?: StepId | null;
  attempt?: number | null;
  data?: unknown;
}

export type CommitResult =
  /** `woken`: lanes where the change made waiting items claimable (a freed concurrency slot). */
  | { ok: true; enqueued: QueueItem[]; woken: QueueLane[] }
  /** `stale`: the completed item is no longer leased to us; `conflict`: the run changed. */
  | { ok: false; reason: "stale" | "conflict" };
