import { DISCOVERY_STEP_ID, isTerminal, type SerializedError, type StepId } from "@ingot/protocol";
import { clampRetryAfter, type DecideContext } from "./context.js";
import type { Decision } from "./decisions.js";
import type { EngineInput, EngineInputKind, ExecutionItem, SdkOutcome } from "./inputs.js";
import { handleOps, metaOf, type Turn } from "./ops.js";
import { isMemoized, type RunState, type StepState, StepStatus } from "./state.js";

/**
 * The run state machine: given a run's state, one input and the context, returns what to do.
 * Pure: no I/O, no clock, no randomness. The server applies the decisions in one transaction.
 */
export function decide(state: RunState, input: EngineInput, ctx: DecideContext): Decision[] {
  if (isTerminal(state.status)) return [];
  const handler = INPUT_HANDLERS[input.kind] as InputHandler<typeof input.kind>;
  return handler(state, input, ctx);
}

type InputHandler<K extends EngineInputKind> = (
  state: RunState,
  input: Extract<EngineInput, { kind: K }>,
  ctx: DecideContext,
) => Decision[];

const INPUT_HANDLERS: { [K in EngineInputKind]: InputHandler<K> } = {
  "sdk.response": (state, input, ctx) => onOutcome(state, input.item, input.outcome, ctx),
  checkpoint: (state, input) => {
    const decisions: Decision[] = [];
    const seen = new Set<string>();
    for (const op of input.steps) {
      const step = state.steps.get(op.id);
      if ((step && isMemoized(step.status)) || seen.has(op.id)) continue;
      seen.add(op.id);
      decisions.push({
        kind: "step.save",
        stepId: op.id,
        result: { data: op.data },
        status: StepStatus.Completed,
        meta: metaOf(op),
      });
    }
    return decisions;
  },
  "step.resolved": (state, input, ctx) => {
    const step = state.steps.get(input.stepId);
    if (!step || isMemoized(step.status)) return [];
    const failed = input.failed !== undefined;
    const decisions: Decision[] = [
      {
        kind: "step.save",
        stepId: input.stepId,
        result: failed ? { error: input.failed } : input.result,
        status: failed ? StepStatus.Failed : StepStatus.Completed,
      },
    ];
    const steps = new Map(state.steps);
    steps.set(input.stepId, { id: input.stepId, status: StepStatus.Completed });
    discovery(state, steps, decisions, ctx);
    return decisions;
  },
  cancel: (_state, input) => [
    {
      kind: "run.finish",
      status: "Cancelled",
      error: { name: "Cancelled", message: input.reason },
    },
  ],
  fail: (_state, input) => [{ kind: "run.finish", status: "Failed", error: input.error }],
};

type OutcomeHandler<T extends SdkOutcome["type"]> = (
  state: RunState,
  item: ExecutionItem,
  outcome: Extract<SdkOutcome, { type: T }>,
  ctx: DecideContext,
) => Decision[];

const OUTCOME_HANDLERS: { [T in SdkOutcome["type"]]: OutcomeHandler<T> } = {
  complete: (_state, _item, outcome) => [
    { kind: "run.finish", status: "Completed", output: outcome.data },
  ],
  error: (_state, item, outcome, ctx) =>
    outcome.retriable
      ? retryOrFail(item, outcome.error, ctx, outcome.retryAfterMs)
      : [{ kind: "run.finish", status: "Failed", error: outcome.error }],
  transport: (_state, item, outcome, ctx) =>
    retryOrFail(item, { name: "Error", message: outcome.message }, ctx),
  ops: (state, item, outcome, ctx) => onOps(state, item, outcome, ctx),
};

function onOutcome(
  state: RunState,
  item: ExecutionItem,
  outcome: SdkOutcome,
  ctx: DecideContext,
): Decision[] {
  const handler = OUTCOME_HANDLERS[outcome.type] as OutcomeHandler<typeof outcome.type>;
  return handler(state, item, outcome, ctx);
}

/** Retries the same request with `attempt + 1`, or fails the run when attempts are used up. */
function retryOrFail(
  item: ExecutionItem,
  error: SerializedError,
  ctx: DecideContext,
  retryAfterMs?: number,
): Decision[] {
  const attempt = item.attempt + 1;
  if (attempt >= ctx.maxAttempts) return [{ kind: "run.finish", status: "Failed", error }];
  const delay = retryAfterMs === undefined ? ctx.backoffMs(attempt) : clampRetryAfter(retryAfterMs);
  return [{ kind: "retry", stepId: item.stepId, attempt, at: ctx.now + delay, error }];
}

function onOps(
  state: RunState,
  item: ExecutionItem,
  outcome: Extract<SdkOutcome, { type: "ops" }>,
  ctx: DecideContext,
): Decision[] {
  const turn: Turn = {
    ctx,
    item,
    decisions: [],
    steps: new Map<string, StepState>(state.steps),
    saved: [],
    discover: false,
    finished: false,
  };
  if (outcome.retryAfterMs !== undefined) {
    turn.retryAfterMs = clampRetryAfter(outcome.retryAfterMs);
  }
  handleOps(turn, outcome.ops);
  const decisions = turn.decisions;
  if (turn.finished) return decisions;
  if (!madeProgress(turn, state)) {
    return retryOrFail(item, nothingToActOn(outcome.ops), ctx, turn.retryAfterMs);
  }

  const update: Extract<Decision, { kind: "run.update" }> = { kind: "run.update" };
  const version = outcome.requestVersion;
  if (version !== undefined && version !== state.requestVersion) update.requestVersion = version;
  // More than one op means parallel steps: plan every step from now on (spec §3.4).
  // Lazy ops (DeferAdd, …) ride along with others and are not parallel steps (spec §11).
  const stepOps = outcome.ops.filter((op) => op.kind !== "Unknown").length;
  const parallel = stepOps > 1 && !state.forceStepPlan;
  if (parallel) update.forceStepPlan = true;
  const effective: RunState = {
    ...state,
    requestVersion: update.requestVersion ?? state.requestVersion,
    forceStepPlan: state.forceStepPlan || parallel,
  };

  if (turn.discover || needsDiscovery(item, turn)) {
    discovery(effective, turn.steps, decisions, ctx, update);
  }
  if (Object.keys(update).length > 1) decisions.push(update);
  return decisions;
}

/** Decisions that move a run on (or hand it to something that will). */
const PROGRESS: ReadonlySet<Decision["kind"]> = new Set([
  "step.save",
  "step.pending",
  "execute",
  "sleep",
  "wait.event",
  "wait.signal",
  "invoke",
  "gateway.ai",
  "gateway.fetch",
  "retry",
  "run.finish",
]);

/**
 * Whether the run will move after this answer: something was decided, a discovery was asked
 * for, or another outstanding step (planned, asleep, waiting…) will resume it. Otherwise the
 * answer was one Ingot cannot act on (`206 []`, only unknown ops, only steps already saved), and
 * accepting it would leave the run `Running` forever.
 */
function madeProgress(turn: Turn, state: RunState): boolean {
  if (turn.discover || turn.decisions.some((decision) => PROGRESS.has(decision.kind))) return true;
  for (const step of state.steps.values()) if (!isMemoized(step.status)) return true;
  return false;
}

function nothingToActOn(ops: readonly { kind: string; op?: string }[]): SerializedError {
  const unknown = ops.filter((op) => op.kind === "Unknown").map((op) => op.op ?? "?");
  const what =
    ops.length === 0
      ? "an empty list of steps (206 [])"
      : unknown.length === ops.length
        ? `only opcodes Ingot does not know (${[...new Set(unknown)].join(", ")})`
        : "only steps that are already saved";
  return {
    name: "Error",
    message: `the app answered with ${what}: nothing to act on, so the request is retried and the run fails when its attempts are used up (is the app serving a different version of the function?)`,
  };
}

/**
 * A saved result calls for the next discovery, except that parallel (non-race) siblings are
 * coalesced: the discovery waits until the last planned sibling is done, as Go does for request
 * version ≥ 2 (spec §4.4).
 */
function needsDiscovery(item: ExecutionItem, turn: Turn): boolean {
  if (turn.saved.length === 0) return false;
  if (item.stepId === DISCOVERY_STEP_ID) return true;
  if (turn.saved.some((step) => step.race === true)) return true;
  return !hasPlannedSiblings(turn.steps);
}

/** Planned steps still outstanding; race branches count only when `includeRace`. */
function hasPlannedSiblings(steps: ReadonlyMap<string, StepState>, includeRace = false): boolean {
  for (const step of steps.values()) {
    if (step.status === StepStatus.Planned && (includeRace || step.race !== true)) return true;
  }
  return false;
}

function discovery(
  state: RunState,
  steps: ReadonlyMap<StepId | string, StepState>,
  decisions: Decision[],
  ctx: DecideContext,
  update?: Extract<Decision, { kind: "run.update" }>,
): void {
  decisions.push({
    kind: "execute",
    stepId: DISCOVERY_STEP_ID,
    attempt: 0,
    at: ctx.now,
    reason: "discovery",
  });
  // With request version ≥ 2, immediate execution comes back once parallel branches are done.
  if (state.forceStepPlan && state.requestVersion >= 2 && !hasPlannedSiblings(steps, true)) {
    if (update) update.forceStepPlan = false;
    else decisions.push({ kind: "run.update", forceStepPlan: false });
  }
}
