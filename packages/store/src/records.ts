import type {
  AppId,
  EventId,
  FunctionConfig,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  SerializedError,
  StepId,
  StoredEvent,
} from "@ingot/protocol";

/** Rows as the store hands them out. Times are epoch milliseconds. */

export interface AppRecord {
  id: AppId;
  url: string;
  sdk: string | null;
  framework: string | null;
  appVersion: string | null;
  /** Last sync error, shown in the dashboard; null when the last sync succeeded. */
  error: string | null;
  syncedAt: number;
  createdAt: number;
}

export interface FunctionRecord {
  id: FunctionId;
  /** Stable UUID sent as `ctx.fn_id` (v4 checkpointing, spec §9.1). */
  uuid: string;
  appId: AppId;
  name: string;
  config: FunctionConfig;
  createdAt: number;
  updatedAt: number;
  /** Set when a re-sync no longer lists the function; archived functions do not trigger. */
  archivedAt: number | null;
}

export interface RunRecord {
  id: RunId;
  functionId: FunctionId;
  appId: AppId;
  status: RunStatus;
  eventIds: EventId[];
  output: unknown;
  error: SerializedError | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  requestVersion: number;
  forceStepPlan: boolean;
  /** From `priority.run`: the run's requests are queued this much earlier (ms). */
  priorityMs: number;
  /** Concurrency limits each request of the run needs a slot of. */
  concurrency: { key: string; limit: number }[] | null;
  /** Optimistic-concurrency version, bumped by every committed change. */
  version: number;
  /** Set on runs started by `step.invoke`: `<parent run id>.<step hash>` (spec §7.3). */
  correlationId: string | null;
}

export interface StepRecord {
  runId: RunId;
  stepId: StepId;
  /** Position on the stack, or null while the step is outstanding. */
  seq: number | null;
  status: string;
  op: string;
  displayName: string | null;
  userlandId: string | null;
  race: boolean;
  /** The memoized value exactly as sent to the SDK (spec §4.2), as JSON text. */
  outputJson: string | null;
  attempts: number;
  createdAt: number;
  endedAt: number | null;
  durationMs: number | null;
}

/** A memoized step for building an execution request, in stack order. */
export interface MemoizedStep {
  stepId: StepId;
  outputJson: string;
}

export interface HistoryRecord {
  id: number;
  runId: RunId;
  at: number;
  type: string;
  stepId: StepId | null;
  attempt: number | null;
  data: unknown;
}

export const QueueLane = {
  /** Requests to apps (SDK calls). */
  Sdk: "sdk",
  /** In-process work: timers, resumes, event processing. */
  System: "system",
  /** Outbound AI / fetch calls made by the gateway. */
  Gateway: "gateway",
} as const;
export type QueueLane = (typeof QueueLane)[keyof typeof QueueLane];

export interface QueueItem {
  id: QueueItemId;
  lane: QueueLane;
  kind: string;
  runId: RunId | null;
  payload: unknown;
  /** When the item may be claimed; while leased, when the lease expires. */
  availableAt: number;
  leaseOwner: string | null;
  /** Unique to one lease: a re-claimed item gets a new token, so stale work is detected. */
  leaseToken: string | null;
  /** Concurrency limits the item needs a slot of while it runs. */
  concurrency: { key: string; limit: number }[] | null;
  createdAt: number;
}

/** One provider call of the AI gateway: what was called, what it cost, how it went. */
export interface AiCallRecord {
  id: string;
  runId: RunId;
  stepId: StepId;
  functionId: FunctionId;
  /** 0-based attempt of the step's call. */
  attempt: number;
  /** `infer` (step.ai.infer) or `fetch` (step.fetch). */
  kind: "infer" | "fetch";
  provider: string;
  model: string | null;
  format: string;
  /** The URL with any key removed. */
  url: string;
  /** `ok`, `retry` (failed, will be retried) or `error` (failed for good). */
  outcome: "ok" | "retry" | "error" | "cancelled";
  httpStatus: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
  latencyMs: number;
  firstTokenMs: number | null;
  streamed: boolean;
  /** Where the API key came from: `op` (sent by the SDK), `server` (held by Ingot) or `none`. */
  keySource: "op" | "server" | "none";
  error: string | null;
  /** The request body sent to the provider (no keys: those travel in headers or the URL). */
  request: unknown;
  /** The answer's text, for display (the full answer is the step's output). */
  responseText: string | null;
  startedAt: number;
  endedAt: number;
}

export type WaitKind = "event" | "signal" | "invoke" | "cancel";

export interface WaitRecord {
  id: string;
  runId: RunId;
  stepId: StepId | null;
  kind: WaitKind;
  /** Event name (event/cancel waits), signal name, or invoke correlation id. */
  key: string;
  /** CEL condition with `event.*` already interpolated; refers to `async` only. */
  condition: string | null;
  /** Equality index for the condition (`async.<matchPath> == matchValue`), when extractable. */
  matchPath: string | null;
  matchValue: string | null;
  expiresAt: number;
  createdAt: number;
}

export type { StoredEvent };
