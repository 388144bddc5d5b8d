import { type Decision, type DecisionKind, matches } from "@ingot/engine";
import {
  DISCOVERY_STEP_ID,
  InternalEvent,
  isTerminal,
  QueueItemId,
  RunId,
  type RunStatus,
  type SerializedError,
  type StepId,
  type StoredEvent,
  toSdkEvent,
} from "@ingot/protocol";
import {
  type Changeset,
  type FunctionRecord,
  type NewQueueItem,
  QueueLane,
  type RunRecord,
} from "@ingot/store";
import { prepareCondition } from "./conditions.js";
import { newId } from "./ids.js";
import { type GatewaySecret, splitSecrets } from "./security/secrets.js";
import { type GatewayPayload, QueueKind } from "./queue-items.js";
import { finishedEvents, newRunChanges } from "./run-factory.js";

export interface ApplyContext {
  run: RunRecord;
  fn: FunctionRecord | undefined;
  /** The run's trigger events, first one as `event`. */
  events: StoredEvent[];
  now: number;
  owner: string;
  leaseMs: number;
  /** When the SDK request behind these decisions was sent (wait lookback, spec §12). */
  dispatchedAt: number;
  /** Whether this node can start an item of the lane right away (direct dispatch). */
  canClaim: (lane: QueueLane) => boolean;
  lookupFunction: (id: string) => FunctionRecord | undefined;
}

/** Status of a step whose attempt failed and will be retried (not an engine status). */
export const ERRORED = "errored";

/** Builds the changeset (one transaction) that carries out an engine's decisions. */
export class ChangesetBuilder {
  readonly changes: Required<Pick<Changeset, "steps" | "enqueue" | "waits" | "history">> &
    Changeset;
  readonly secrets: GatewaySecret[] = [];
  private patch: NonNullable<Changeset["run"]>["patch"] = {};

  constructor(private readonly ctx: ApplyContext) {
    this.changes = { steps: [], enqueue: [], waits: [], history: [] };
  }

  apply(decisions: readonly Decision[]): Changeset {
    for (const decision of decisions) {
      (HANDLERS[decision.kind] as Handler<typeof decision.kind>)(this, decision);
    }
    this.changes.run = { id: this.ctx.run.id, version: this.ctx.run.version, patch: this.patch };
    return this.changes;
  }

  get context(): ApplyContext {
    return this.ctx;
  }

  setPatch(patch: NonNullable<Changeset["run"]>["patch"]): void {
    this.patch = { ...this.patch, ...patch };
  }

  history(type: string, fields: { stepId?: string; attempt?: number; data?: unknown } = {}): void {
    this.changes.history.push({
      runId: this.ctx.run.id,
      at: this.ctx.now,
      type,
      stepId: fields.stepId === undefined ? null : (fields.stepId as never),
      attempt: fields.attempt ?? null,
      data: fields.data,
    });
  }

  /** A queue item for this run; leased to us already when it is due and we have room. */
  item(
    lane: QueueLane,
    kind: QueueKind,
    payload: unknown,
    at: number,
    dedupeKey?: string,
  ): NewQueueItem {
    const item: NewQueueItem = {
      id: QueueItemId(newId(this.ctx.now)),
      lane,
      kind,
      runId: this.ctx.run.id,
      payload,
      availableAt: at,
    };
    if (dedupeKey !== undefined) item.dedupeKey = dedupeKey;
    if (at <= this.ctx.now && this.ctx.canClaim(lane)) {
      item.claim = { owner: this.ctx.owner, leaseMs: this.ctx.leaseMs };
    }
    if (lane === QueueLane.Sdk) {
      // Every request of the run competes under its priority and concurrency keys.
      if (this.ctx.run.priorityMs !== 0) item.priorityMs = this.ctx.run.priorityMs;
      if (this.ctx.run.concurrency?.length) item.concurrency = this.ctx.run.concurrency;
    }
    this.changes.enqueue.push(item);
    return item;
  }

  firstEvent(): Record<string, unknown> {
    const first = this.ctx.events[0];
    return first ? toSdkEvent(first) : {};
  }
}

type Handler<K extends DecisionKind> = (
  b: ChangesetBuilder,
  d: Extract<Decision, { kind: K }>,
) => void;

const HANDLERS: { [K in DecisionKind]: Handler<K> } = {
  "step.save": (b, d) => {
    b.changes.steps.push({
      runId: b.context.run.id,
      stepId: d.stepId,
      status: d.status,
      outputJson: JSON.stringify(d.result === undefined ? null : d.result),
      attempts: d.meta?.op === "StepRun" || d.meta?.op === "StepFailed" ? 1 : 0,
      endedAt: b.context.now,
      ...(d.meta?.displayName !== undefined ? { displayName: d.meta.displayName } : {}),
      ...(d.meta?.op !== undefined && d.meta.op !== "resolved" ? { op: d.meta.op } : {}),
      ...(d.meta?.userlandId !== undefined ? { userlandId: d.meta.userlandId } : {}),
      ...(d.meta?.durationMs !== undefined ? { durationMs: d.meta.durationMs } : {}),
    });
    b.history(d.status === "failed" ? "step.failed" : "step.completed", {
      stepId: d.stepId,
      data: d.status === "failed" ? d.result : undefined,
    });
  },
  "step.pending": (b, d) => {
    b.changes.steps.push({
      runId: b.context.run.id,
      stepId: d.stepId,
      status: d.status,
      op: d.meta.op,
      displayName: d.meta.displayName,
      ...(d.meta.userlandId !== undefined ? { userlandId: d.meta.userlandId } : {}),
      ...(d.race ? { race: true } : {}),
    });
    // A gateway step gets its own history entry (with the URL) when its item is queued.
    if (d.status !== "gateway") {
      b.history(`step.${d.status}`, { stepId: d.stepId, data: { name: d.meta.displayName } });
    }
  },
  "run.update": (b, d) => {
    b.setPatch({
      ...(d.requestVersion !== undefined ? { requestVersion: d.requestVersion } : {}),
      ...(d.forceStepPlan !== undefined ? { forceStepPlan: d.forceStepPlan } : {}),
      ...(d.status !== undefined ? { status: d.status } : {}),
    });
  },
  execute: (b, d) => {
    const dedupe = d.reason === "discovery" ? `${b.context.run.id}:discovery` : undefined;
    b.item(
      QueueLane.Sdk,
      QueueKind.Execute,
      { stepId: d.stepId, attempt: d.attempt },
      d.at,
      dedupe,
    );
  },
  sleep: (b, d) => {
    b.item(QueueLane.System, QueueKind.Sleep, { stepId: d.stepId }, d.until);
    b.history("step.sleep", { stepId: d.stepId, data: { until: d.until } });
  },
  "wait.event": (b, d) => {
    const trigger = b.firstEvent();
    const { condition, key } = prepareCondition(d.condition, trigger);
    const waitId = newId(b.context.now);
    b.changes.waits.push({
      id: waitId,
      runId: b.context.run.id,
      stepId: d.stepId,
      kind: "event",
      key: d.event,
      condition,
      matchPath: key?.path ?? null,
      matchValue: key === undefined ? null : JSON.stringify(key.value),
      expiresAt: d.expiresAt,
      createdAt: b.context.now,
      lookback: {
        since: b.context.dispatchedAt,
        matches: (event) =>
          condition === null || matches(condition, { event: trigger, async: toSdkEvent(event) }),
        then: (event) => [resumeItem(b, d.stepId, toSdkEvent(event))],
      },
    });
    b.item(
      QueueLane.System,
      QueueKind.WaitTimeout,
      { stepId: d.stepId, waitId, kind: "event" },
      d.expiresAt,
    );
  },
  "wait.signal": (b, d) => {
    const waitId = newId(b.context.now);
    // "replace" (the default): waits already on this signal stop matching and time out.
    if (d.conflict !== "fail") (b.changes.supersedeSignals ??= []).push(d.signal);
    b.changes.waits.push({
      id: waitId,
      runId: b.context.run.id,
      stepId: d.stepId,
      kind: "signal",
      key: d.signal,
      condition: null,
      matchPath: null,
      matchValue: null,
      expiresAt: d.expiresAt,
      createdAt: b.context.now,
    });
    b.item(
      QueueLane.System,
      QueueKind.WaitTimeout,
      { stepId: d.stepId, waitId, kind: "signal" },
      d.expiresAt,
    );
  },
  invoke: (b, d) => invoke(b, d),
  "gateway.ai": (b, d) => gateway(b, d.stepId, "ai", d.request),
  "gateway.fetch": (b, d) => gateway(b, d.stepId, "fetch", d.request),
  retry: (b, d) => {
    b.item(QueueLane.Sdk, QueueKind.Execute, { stepId: d.stepId, attempt: d.attempt }, d.at);
    const failed = d.failedStepId ?? (d.stepId === DISCOVERY_STEP_ID ? undefined : d.stepId);
    if (failed !== undefined) {
      // A planned step stays planned; a step that threw during discovery is only "errored",
      // a status the engine does not track, so its next report is handled as new.
      const status = failed === d.stepId ? "planned" : ERRORED;
      b.changes.steps.push({ runId: b.context.run.id, stepId: failed, status, attempts: 1 });
    }
    b.history("step.errored", {
      stepId: failed ?? d.stepId,
      attempt: d.attempt - 1,
      data: { error: d.error, retryAt: d.at },
    });
  },
  "run.finish": (b, d) => finish(b, d.status, d.output, d.error),
};

/** A gateway item, stored without the op's secrets (kept in memory for the call). */
function gateway(
  b: ChangesetBuilder,
  stepId: StepId,
  type: "ai" | "fetch",
  request: Record<string, unknown>,
): void {
  const { stored, secret } = splitSecrets(request);
  const payload: GatewayPayload = {
    stepId,
    attempt: 0,
    type,
    hasKey: secret !== undefined,
    request: stored,
  };
  const item = b.item(QueueLane.Gateway, QueueKind.Gateway, payload, b.context.now);
  if (secret) b.secrets.push({ itemId: item.id, secret });
  b.history("step.gateway", { stepId, data: { type, url: String(stored.url) } });
}

function resumeItem(b: ChangesetBuilder, stepId: string, result: unknown): NewQueueItem {
  return {
    id: QueueItemId(newId(b.context.now)),
    lane: QueueLane.System,
    kind: QueueKind.Resume,
    runId: b.context.run.id,
    payload: { stepId, result },
    availableAt: b.context.now,
  };
}

function invoke(b: ChangesetBuilder, d: Extract<Decision, { kind: "invoke" }>): void {
  const target = b.context.lookupFunction(d.functionId);
  if (!target) {
    b.changes.steps.push({
      runId: b.context.run.id,
      stepId: d.stepId,
      status: "failed",
      outputJson: JSON.stringify({
        error: {
          name: "Error",
          message: `could not invoke function "${d.functionId}": no such function is registered (expected "<app id>-<function id>")`,
        },
      }),
      endedAt: b.context.now,
    });
    b.item(
      QueueLane.Sdk,
      QueueKind.Execute,
      { stepId: DISCOVERY_STEP_ID, attempt: 0 },
      b.context.now,
    );
    return;
  }
  const correlationId = `${b.context.run.id}.${d.stepId}`;
  const payloadData = d.payload.data;
  const data: Record<string, unknown> = {
    ...(payloadData !== null && typeof payloadData === "object" && !Array.isArray(payloadData)
      ? payloadData
      : {}),
    _inngest: {
      fn_id: target.id,
      correlation_id: correlationId,
      expire: d.expiresAt,
      source_app_id: b.context.run.appId,
      source_fn_id: b.context.run.functionId,
    },
  };
  const event: StoredEvent = {
    id: newId(b.context.now) as StoredEvent["id"],
    name: InternalEvent.FunctionInvoked,
    data,
    ts: b.context.now,
    receivedAt: b.context.now,
  };
  const childId = RunId(newId(b.context.now));
  const child = newRunChanges({
    runId: childId,
    fn: target,
    events: [event],
    now: b.context.now,
    correlationId,
    canClaim: b.context.canClaim,
    owner: b.context.owner,
    leaseMs: b.context.leaseMs,
  });
  (b.changes.events ??= []).push(event);
  (b.changes.newRuns ??= []).push(...(child.newRuns ?? []));
  b.changes.enqueue.push(...(child.enqueue ?? []));
  b.changes.waits.push(...(child.waits ?? []));
  const waitId = newId(b.context.now);
  b.changes.waits.push({
    id: waitId,
    runId: b.context.run.id,
    stepId: d.stepId,
    kind: "invoke",
    key: correlationId,
    condition: null,
    matchPath: null,
    matchValue: null,
    expiresAt: d.expiresAt,
    createdAt: b.context.now,
  });
  b.item(
    QueueLane.System,
    QueueKind.WaitTimeout,
    { stepId: d.stepId, waitId, kind: "invoke" },
    d.expiresAt,
  );
  b.history("step.invoking", { stepId: d.stepId, data: { functionId: target.id, runId: childId } });
}

function finish(
  b: ChangesetBuilder,
  status: RunStatus,
  output: unknown,
  serialized: SerializedError | undefined,
): void {
  const run = b.context.run;
  if (isTerminal(run.status)) return;
  b.setPatch({
    status,
    endedAt: b.context.now,
    ...(output !== undefined ? { output } : {}),
    ...(serialized !== undefined ? { error: serialized } : {}),
  });
  (b.changes.clearRuns ??= []).push(run.id);
  const emitted = finishedEvents({
    run,
    status,
    output,
    error: serialized,
    events: b.context.events,
    now: b.context.now,
  });
  (b.changes.events ??= []).push(...emitted);
  b.item(
    QueueLane.System,
    QueueKind.Events,
    { eventIds: emitted.map((event) => event.id) },
    b.context.now,
  );
  b.history(`function.${status.toLowerCase()}`, {
    data: serialized === undefined ? undefined : { error: serialized },
  });
}
