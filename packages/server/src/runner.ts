import {
  classifyResponse,
  type DecideContext,
  type Decision,
  decide,
  type EngineInput,
  exponentialBackoff,
  type RunState as EngineRunState,
  type StepState,
  type StepStatus,
} from "@ingot/engine";
import {
  DISCOVERY_STEP_ID,
  isTerminal,
  maxAttemptsOf,
  type Opcode,
  type RunId,
  type SerializedError,
  type StepId,
  toSdkEvent,
} from "@ingot/protocol";
import type {
  Changeset,
  FunctionRecord,
  QueueItem,
  QueueLane,
  RunRecord,
  RunState,
  Store,
} from "@ingot/store";
import { ChangesetBuilder, ERRORED } from "./applier.js";
import type { GatewaySecret } from "./security/secrets.js";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { newId } from "./ids.js";
import type { Logger } from "./logger.js";
import type { ExecutePayload } from "./queue-items.js";
import type { RunNotifier } from "./notifier.js";
import type { RunStreams } from "./streams.js";
import type { FunctionRegistry } from "./registry.js";
import { RunLocks } from "./run-lock.js";
import type { SdkClient } from "./sdk-client.js";
import type { RunTracer } from "./trace.js";

/** What the runner needs from the executor: room to start work, and a place to hand it. */
export interface Dispatcher {
  readonly owner: string;
  canClaim(lane: QueueLane): boolean;
  /** Items a commit enqueued, and lanes where it made waiting items claimable. */
  accept(items: readonly QueueItem[], woken?: readonly QueueLane[]): void;
  /** Stops the work in progress on runs that ended (app requests, gateway calls). */
  abortRuns(runIds: readonly string[], reason: string): number;
}

/** Where gateway API keys live between an op's arrival and its call (memory only). */
export interface SecretSink {
  put(secrets: readonly GatewaySecret[]): void;
}

const MAX_CONFLICT_RETRIES = 16;

/** Rows a caller adds to the changeset of an input (e.g. the AI call that produced a result). */
export type ExtraChanges = Pick<Changeset, "aiCalls">;

/**
 * Drives runs: loads a run, asks the engine what to do with an input, and commits the result
 * as one changeset. Also makes the SDK call for `execute` items.
 */
export class Runner {
  private readonly locks = new RunLocks();
  private readonly backoffMs: (attempt: number) => number;

  constructor(
    private readonly deps: {
      store: Store;
      registry: FunctionRegistry;
      clock: Clock;
      config: ServerConfig;
      logger: Logger;
      sdk: SdkClient;
      dispatcher: Dispatcher;
      secrets: SecretSink;
      streams: RunStreams;
      notifier: RunNotifier;
      tracer?: RunTracer;
    },
  ) {
    this.backoffMs = exponentialBackoff(deps.config.retryBaseMs);
  }

  /** Sends the execution request of an `execute` item and applies the answer. */
  async execute(item: QueueItem, payload: ExecutePayload, signal?: AbortSignal): Promise<void> {
    const { store, clock, tracer } = this.deps;
    const runId = item.runId;
    tracer?.mark(runId, "request.started");
    const run = runId === null ? undefined : await store.runs.get(runId);
    if (!run || isTerminal(run.status)) {
      await this.completeOnly(item);
      return;
    }
    const fn = await this.lookupFunction(run.functionId);
    const input: EngineInput = {
      kind: "sdk.response",
      item: payload,
      outcome: { type: "transport", message: "" },
    };
    const dispatchedAt = clock.now();
    if (!fn) {
      input.outcome = {
        type: "error",
        retriable: false,
        error: {
          name: "Error",
          message: `function "${run.functionId}" is not registered; sync its app`,
        },
      };
    } else {
      const [events, memoized] = await Promise.all([
        store.events.getMany(run.eventIds),
        store.runs.memoized(run.id),
      ]);
      const sdkEvents = events.map(toSdkEvent);
      const checkpointing =
        this.deps.config.checkpointing &&
        payload.stepId === DISCOVERY_STEP_ID &&
        !run.forceStepPlan;
      tracer?.mark(run.id, "request.sent");
      const result = await this.deps.sdk.execute({
        url: runtimeUrl(fn),
        stepId: payload.stepId,
        event: sdkEvents[0] ?? {},
        events: sdkEvents,
        memoized,
        requestVersion: run.requestVersion,
        queueItemId: item.id,
        requestId: newId(dispatchedAt),
        ...(signal ? { signal } : {}),
        ctx: {
          run_id: run.id,
          attempt: payload.attempt,
          max_attempts: maxAttemptsOf(fn.config),
          disable_immediate_execution: run.forceStepPlan,
          env: "",
          ...(checkpointing ? { fn_id: fn.uuid, qi_id: queueItemRef(item) } : {}),
        },
      });
      input.outcome = result.ok
        ? classifyResponse(result.response, clock.now())
        : { type: "transport", message: result.message };
      tracer?.mark(run.id, "response.received");
    }
    await this.apply(run.id, input, { complete: item, dispatchedAt });
    tracer?.mark(run.id, "response.committed");
  }

  /** Applies steps checkpointed by a v4 SDK while its request is still open (spec §2.4). */
  checkpoint(
    runId: RunId,
    lease: { id: QueueItem["id"]; lease: string },
    steps: Extract<Opcode, { kind: "StepRun" }>[],
  ): Promise<"ok" | "stale" | "unknown"> {
    return this.apply(
      runId,
      { kind: "checkpoint", steps },
      {
        holds: lease,
        dispatchedAt: this.deps.clock.now(),
      },
    );
  }

  /** An async step got its result outside the SDK (sleep woke, wait matched, invoke ended…). */
  resolve(
    item: QueueItem,
    stepId: StepId,
    result: unknown,
    options: { failed?: SerializedError; claimWait?: string; extra?: ExtraChanges } = {},
  ): Promise<"ok" | "stale" | "unknown"> {
    const input: EngineInput = { kind: "step.resolved", stepId, result };
    if (options.failed) input.failed = options.failed;
    return this.apply(item.runId as RunId, input, {
      complete: item,
      dispatchedAt: this.deps.clock.now(),
      ...(options.claimWait !== undefined ? { claimWait: options.claimWait } : {}),
      ...(options.extra ? { extra: options.extra } : {}),
    });
  }

  cancel(runId: RunId, reason: string, item?: QueueItem): Promise<"ok" | "stale" | "unknown"> {
    return this.apply(
      runId,
      { kind: "cancel", reason },
      {
        ...(item ? { complete: item } : {}),
        dispatchedAt: this.deps.clock.now(),
      },
    );
  }

  /** Finishes an item that has nothing left to do. */
  async completeOnly(item: QueueItem): Promise<void> {
    await this.deps.store.commit({ complete: leaseOf(item) });
  }

  async lookupFunction(id: string): Promise<FunctionRecord | undefined> {
    return (
      this.deps.registry.get(id) ??
      (await this.deps.store.apps.getFunction(id as FunctionRecord["id"]))
    );
  }

  /**
   * load → decide → commit, under the run's lock, retried on a version conflict. `stale` means
   * the work was no longer ours (lease lost, wait consumed): its result is dropped.
   */
  private async apply(
    runId: RunId,
    input: EngineInput,
    options: {
      complete?: QueueItem;
      holds?: { id: QueueItem["id"]; lease: string };
      claimWait?: string;
      dispatchedAt: number;
      extra?: ExtraChanges;
    },
  ): Promise<"ok" | "stale" | "unknown"> {
    const { store, dispatcher, logger } = this.deps;
    for (let round = 0; round < MAX_CONFLICT_RETRIES; round++) {
      const outcome = await this.locks.with(runId, async () => {
        const state = await store.runs.loadState(runId);
        if (!state) {
          if (options.complete) await this.completeOnly(options.complete);
          return "unknown" as const;
        }
        const changes = await this.changesFor(state, input, options.dispatchedAt);
        if (options.complete) changes.changeset.complete = leaseOf(options.complete);
        if (options.holds) changes.changeset.holds = options.holds;
        if (options.claimWait !== undefined) changes.changeset.claimWait = options.claimWait;
        if (options.extra?.aiCalls) changes.changeset.aiCalls = options.extra.aiCalls;
        const result = await store.commit(changes.changeset);
        if (result.ok) {
          this.deps.secrets.put(changes.secrets);
          dispatcher.accept(result.enqueued, result.woken);
          this.announce(state.run, changes.decisions);
          this.stopEnded(changes.changeset.clearRuns ?? []);
          return "ok" as const;
        }
        return result.reason;
      });
      if (outcome !== "conflict") {
        if (outcome === "stale")
          logger.debug({ runId, input: input.kind }, "dropped a stale result");
        return outcome;
      }
    }
    throw new Error(
      `run ${runId}: gave up after ${MAX_CONFLICT_RETRIES} concurrent-update conflicts`,
    );
  }

  /**
   * Fails a run whose item Ingot itself cannot process (a handler threw on it again and again):
   * better a failed run with the reason than a retry loop for ever.
   */
  async failPoisoned(item: QueueItem, error: unknown): Promise<void> {
    if (item.runId === null) {
      await this.completeOnly(item);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const outcome = await this.apply(
      item.runId,
      {
        kind: "fail",
        error: {
          name: "IngotError",
          message: `Ingot could not process this run's ${item.kind} work and gave up after repeated failures: ${message}`,
        },
      },
      { complete: item, dispatchedAt: this.deps.clock.now() },
    );
    if (outcome !== "ok") await this.completeOnly(item);
  }

  /**
   * Runs that just ended here: stop their work in progress on this node (on Postgres, the
   * commit also told the other nodes, through `ingot_control`).
   */
  private stopEnded(runIds: readonly string[]): void {
    if (runIds.length > 0) this.deps.dispatcher.abortRuns(runIds, "the run ended");
  }

  /**
   * `waitForSignal({onConflict: "fail"})` fails the run when another run already waits on the
   * signal (SDK docs); "replace" is handled when the wait is stored.
   */
  private async signalConflicts(decisions: Decision[], runId: RunId): Promise<Decision[]> {
    for (const decision of decisions) {
      if (decision.kind !== "wait.signal" || decision.conflict !== "fail") continue;
      const taken = (await this.deps.store.waits.byKey("signal", decision.signal)).some(
        (wait) => wait.runId !== runId,
      );
      if (taken) {
        return [
          {
            kind: "run.finish",
            status: "Failed",
            error: {
              name: "Error",
              message: `another run is already waiting for signal "${decision.signal}" (onConflict: "fail")`,
            },
          },
        ];
      }
    }
    return decisions;
  }

  /** Tells long-polls and stream subscribers what a committed change did. */
  private announce(run: RunRecord, decisions: readonly Decision[]): void {
    const { streams, notifier } = this.deps;
    for (const decision of decisions) {
      if (decision.kind === "step.pending") {
        streams.publish(run.id, "step", {
          step_id: decision.stepId,
          name: decision.meta.displayName,
          status: decision.status,
        });
      } else if (decision.kind === "step.save") {
        streams.publish(run.id, "step", {
          step_id: decision.stepId,
          name: decision.meta?.displayName ?? null,
          status: decision.status,
        });
      } else if (decision.kind === "run.finish") {
        this.deps.tracer?.mark(run.id, "run.finished");
        notifier.finished(run);
        streams.publish(run.id, "run", {
          status: decision.status,
          output:
            decision.status === "Completed" ? (decision.output ?? null) : (decision.error ?? null),
        });
      }
    }
  }

  private async changesFor(
    state: RunState,
    input: EngineInput,
    dispatchedAt: number,
  ): Promise<{ changeset: Changeset; secrets: GatewaySecret[]; decisions: Decision[] }> {
    const { store, clock, config, dispatcher } = this.deps;
    const run = state.run;
    const fn = await this.lookupFunction(run.functionId);
    const now = clock.now();
    const ctx: DecideContext = {
      now,
      maxAttempts: fn ? maxAttemptsOf(fn.config) : 1,
      backoffMs: this.backoffMs,
    };
    const decisions = await this.signalConflicts(decide(toEngineState(state), input, ctx), run.id);
    const needsEvents = decisions.some((d) => d.kind === "wait.event" || d.kind === "run.finish");
    const builder = new ChangesetBuilder({
      run,
      fn,
      events: needsEvents ? await store.events.getMany(run.eventIds) : [],
      now,
      owner: dispatcher.owner,
      leaseMs: config.leaseMs,
      dispatchedAt,
      canClaim: (lane) => dispatcher.canClaim(lane),
      lookupFunction: (id) => this.deps.registry.get(id),
    });
    return {
      changeset: builder.apply(decisions),
      secrets: builder.secrets,
      decisions,
    };
  }
}

/** The lease a claimed item is worked under (see `Changeset.complete`). */
export function leaseOf(item: QueueItem): { id: QueueItem["id"]; lease: string } {
  return { id: item.id, lease: item.leaseToken ?? "" };
}

/** `ctx.qi_id` names the item and the lease of this dispatch, so a late checkpoint is refused. */
export function queueItemRef(item: QueueItem): string {
  return `${item.id}:${item.leaseToken ?? ""}`;
}

export function parseQueueItemRef(ref: string): { id: QueueItem["id"]; lease: string } {
  const [id = "", lease = ""] = ref.split(":");
  return { id: id as QueueItem["id"], lease };
}

export function toEngineState(state: RunState): EngineRunState {
  const steps = new Map<StepId, StepState>();
  for (const step of state.steps) {
    if (step.status === ERRORED) continue;
    const entry: StepState = { id: step.stepId, status: step.status as StepStatus };
    if (step.race) entry.race = true;
    steps.set(step.stepId, entry);
  }
  return {
    id: state.run.id,
    functionId: state.run.functionId,
    status: state.run.status,
    requestVersion: state.run.requestVersion,
    forceStepPlan: state.run.forceStepPlan,
    steps,
  };
}

function runtimeUrl(fn: FunctionRecord): string {
  const step = fn.config.steps.step ?? Object.values(fn.config.steps)[0];
  if (!step) throw new Error(`function ${fn.id} has no step runtime URL`);
  return step.runtime.url;
}
