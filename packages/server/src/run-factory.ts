import {
  DISCOVERY_STEP_ID,
  EventId,
  InternalEvent,
  parseTimeSpec,
  QueueItemId,
  type RunId,
  type RunStatus,
  type SerializedError,
  type StoredEvent,
  toSdkEvent,
} from "@ingot/protocol";
import {
  type Changeset,
  type ConcurrencyKey,
  type FunctionRecord,
  QueueLane,
  type RunRecord,
} from "@ingot/store";
import { prepareCondition } from "./conditions.js";
import { newId } from "./ids.js";
import { QueueKind } from "./queue-items.js";

/** How long a `cancelOn` listens when it gives no timeout: as long as a run may live. */
const CANCEL_WAIT_MS = 366 * 86_400_000;

/** The rows that start a run: the run, its first discovery request, its `cancelOn` listeners. */
export function newRunChanges(input: {
  runId: RunId;
  fn: FunctionRecord;
  events: StoredEvent[];
  now: number;
  correlationId?: string;
  canClaim: (lane: QueueLane) => boolean;
  owner: string;
  leaseMs: number;
  /** When the run may start (throttle). `priorityMs` orders its requests among due ones. */
  availableAt?: number;
  priorityMs?: number;
  concurrency?: ConcurrencyKey[];
}): Pick<Changeset, "newRuns" | "enqueue" | "waits" | "history"> {
  const { runId, fn, now } = input;
  const priorityMs = input.priorityMs ?? 0;
  const at = input.availableAt ?? now;
  const claim = at <= now && input.canClaim(QueueLane.Sdk);
  const trigger = input.events[0] ? toSdkEvent(input.events[0]) : {};
  const waits = (fn.config.cancel ?? []).map((cancel) => {
    const { condition, key } = prepareCondition(cancel.if, trigger);
    const timeout = cancel.timeout ? parseTimeSpec(cancel.timeout) : undefined;
    const expiresAt =
      timeout === undefined
        ? now + CANCEL_WAIT_MS
        : timeout.kind === "duration"
          ? now + timeout.ms
          : timeout.at;
    return {
      id: newId(now),
      runId,
      stepId: null,
      kind: "cancel" as const,
      key: cancel.event,
      condition,
      matchPath: key?.path ?? null,
      matchValue: key === undefined ? null : JSON.stringify(key.value),
      expiresAt,
      createdAt: now,
    };
  });
  return {
    newRuns: [
      {
        id: runId,
        functionId: fn.id,
        appId: fn.appId,
        eventIds: input.events.map((event) => event.id),
        createdAt: now,
        ...(input.correlationId !== undefined ? { correlationId: input.correlationId } : {}),
        ...(priorityMs !== 0 ? { priorityMs } : {}),
        ...(input.concurrency?.length ? { concurrency: input.concurrency } : {}),
      },
    ],
    enqueue: [
      {
        id: QueueItemId(newId(now)),
        lane: QueueLane.Sdk,
        kind: QueueKind.Execute,
        runId,
        payload: { stepId: DISCOVERY_STEP_ID, attempt: 0 },
        availableAt: at,
        ...(claim ? { claim: { owner: input.owner, leaseMs: input.leaseMs } } : {}),
        ...(input.concurrency?.length ? { concurrency: input.concurrency } : {}),
        ...(priorityMs !== 0 ? { priorityMs } : {}),
      },
    ],
    waits,
    history: [
      {
        runId,
        at: now,
        type: "function.scheduled",
        data: { eventIds: input.events.map((e) => e.id) },
      },
    ],
  };
}

/**
 * `inngest/function.finished` for every ended run, plus `function.failed` or
 * `function.cancelled` (spec §7.3). onFailure handlers read `data.error` and `data.event`.
 */
export function finishedEvents(input: {
  run: RunRecord;
  status: RunStatus;
  output: unknown;
  error: SerializedError | undefined;
  events: StoredEvent[];
  now: number;
}): StoredEvent[] {
  const { run, status, now } = input;
  const sdkEvents = input.events.map(toSdkEvent);
  const data: Record<string, unknown> = {
    function_id: run.functionId,
    run_id: run.id,
    event: sdkEvents[0] ?? {},
    events: sdkEvents,
    _inngest: { status },
  };
  if (run.correlationId !== null) data.correlation_id = run.correlationId;
  if (status === "Completed") data.result = input.output === undefined ? null : input.output;
  else data.error = input.error ?? { name: "Error", message: `run ${status.toLowerCase()}` };
  const make = (name: string): StoredEvent => ({
    id: EventId(newId(now)),
    name,
    data,
    ts: now,
    receivedAt: now,
  });
  const out = [make(InternalEvent.FunctionFinished)];
  if (status === "Failed") out.push(make(InternalEvent.FunctionFailed));
  if (status === "Cancelled") out.push(make(InternalEvent.FunctionCancelled));
  return out;
}
