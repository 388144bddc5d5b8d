import {
  type Opcode,
  type OpcodeKind,
  parseTimeSpec,
  resolveTimeSpec,
  type SerializedError,
} from "@ingot/protocol";
import { DEFAULT_INVOKE_TIMEOUT_MS, type DecideContext } from "./context.js";
import { validateExpression } from "./expressions/index.js";
import type { Decision, StepMeta } from "./decisions.js";
import type { ExecutionItem } from "./inputs.js";
import { isMemoized, type StepState, StepStatus } from "./state.js";

/** Mutable bookkeeping while the opcodes of one response are handled. */
export interface Turn {
  readonly ctx: DecideContext;
  readonly item: ExecutionItem;
  readonly decisions: Decision[];
  /** Steps known so far, including the ones this response created (dedupe, spec §4.4). */
  readonly steps: Map<string, StepState>;
  /** Results memoized in this turn. */
  saved: StepState[];
  /** The response's `retry-after`, for a StepError (RetryAfterError thrown in a step). */
  retryAfterMs?: number;
  discover: boolean;
  finished: boolean;
}

type OpHandler<K extends OpcodeKind> = (turn: Turn, op: Extract<Opcode, { kind: K }>) => void;

export function metaOf(op: Opcode): StepMeta {
  const meta: StepMeta = { displayName: op.displayName, op: op.kind };
  if (op.userlandId !== undefined) meta.userlandId = op.userlandId;
  if (op.kind === "StepRun") {
    if (op.durationMs !== undefined) meta.durationMs = op.durationMs;
    if (op.startedAt !== undefined) meta.startedAt = op.startedAt;
  }
  return meta;
}

function known(turn: Turn, op: Opcode): boolean {
  return turn.steps.has(op.id);
}

function memoized(turn: Turn, op: Opcode): boolean {
  const step = turn.steps.get(op.id);
  return step !== undefined && isMemoized(step.status);
}

function save(turn: Turn, op: Opcode, result: unknown, status: StepStatus): void {
  const race = turn.steps.get(op.id)?.race === true;
  const step: StepState = race ? { id: op.id, status, race } : { id: op.id, status };
  turn.steps.set(op.id, step);
  turn.saved.push(step);
  turn.decisions.push({ kind: "step.save", stepId: op.id, result, status, meta: metaOf(op) });
}

function pending(turn: Turn, op: Opcode, status: StepStatus, race = false): void {
  const step: StepState = race ? { id: op.id, status, race } : { id: op.id, status };
  turn.steps.set(op.id, step);
  const decision: Decision = { kind: "step.pending", stepId: op.id, status, meta: metaOf(op) };
  if (race) decision.race = true;
  turn.decisions.push(decision);
}

/** Stores a step error as the memoized `{error}` the SDK throws from (spec §4.2). */
export function failStep(turn: Turn, op: Opcode, error: SerializedError): void {
  save(turn, op, { error }, StepStatus.Failed);
}

function timeOrFail(turn: Turn, op: Opcode, text: string, what: string): number | undefined {
  // The v3 SDK renders sub-second durations ("500ms") as "" (its timeStr drops them).
  if (text.trim() === "") return turn.ctx.now;
  const spec = parseTimeSpec(text);
  if (spec === undefined) {
    failStep(turn, op, {
      name: "Error",
      message: `${what} "${text}" is neither a duration (like "30s", "1h30m") nor an ISO-8601 date`,
    });
    return undefined;
  }
  return resolveTimeSpec(spec, turn.ctx.now);
}

const HANDLERS: { [K in OpcodeKind]: OpHandler<K> } = {
  StepRun: (turn, op) => {
    if (!memoized(turn, op)) save(turn, op, { data: op.data }, StepStatus.Completed);
  },
  StepFailed: (turn, op) => {
    if (!memoized(turn, op)) failStep(turn, op, op.error);
  },
  StepError: (turn, op) => {
    if (memoized(turn, op)) return;
    const attempt = turn.item.attempt + 1;
    if (attempt >= turn.ctx.maxAttempts) {
      failStep(turn, op, op.error);
      return;
    }
    const at = turn.ctx.now + (turn.retryAfterMs ?? turn.ctx.backoffMs(attempt));
    turn.decisions.push({
      kind: "retry",
      stepId: turn.item.stepId,
      attempt,
      at,
      error: op.error,
      ...(op.id === turn.item.stepId ? {} : { failedStepId: op.id }),
    });
  },
  StepPlanned: (turn, op) => {
    if (known(turn, op)) return;
    pending(turn, op, StepStatus.Planned, op.race);
    turn.decisions.push({
      kind: "execute",
      stepId: op.id,
      attempt: 0,
      at: turn.ctx.now,
      reason: "planned",
    });
  },
  Sleep: (turn, op) => {
    if (known(turn, op)) return;
    const until = timeOrFail(turn, op, op.until, "Sleep duration");
    if (until === undefined) return;
    pending(turn, op, StepStatus.Sleeping);
    turn.decisions.push({ kind: "sleep", stepId: op.id, until: Math.max(until, turn.ctx.now) });
  },
  WaitForEvent: (turn, op) => {
    if (known(turn, op)) return;
    const expiresAt = timeOrFail(turn, op, op.timeout, "waitForEvent timeout");
    if (expiresAt === undefined) return;
    // An `if` that cannot run would never match: refuse it now, not at the timeout.
    const invalid =
      op.if === undefined ? undefined : validateExpression(op.if, { variables: WAIT_VARIABLES });
    if (invalid !== undefined) {
      failStep(turn, op, { name: "Error", message: `waitForEvent "if": ${invalid}` });
      return;
    }
    pending(turn, op, StepStatus.Waiting);
    const decision: Decision = { kind: "wait.event", stepId: op.id, event: op.event, expiresAt };
    if (op.if !== undefined) decision.condition = op.if;
    turn.decisions.push(decision);
  },
  WaitForSignal: (turn, op) => {
    if (known(turn, op)) return;
    const expiresAt = timeOrFail(turn, op, op.timeout, "waitForSignal timeout");
    if (expiresAt === undefined) return;
    pending(turn, op, StepStatus.Waiting);
    const decision: Decision = { kind: "wait.signal", stepId: op.id, signal: op.signal, expiresAt };
    if (op.conflict !== undefined) decision.conflict = op.conflict;
    turn.decisions.push(decision);
  },
  InvokeFunction: (turn, op) => {
    if (known(turn, op)) return;
    let expiresAt = turn.ctx.now + DEFAULT_INVOKE_TIMEOUT_MS;
    if (op.timeout !== undefined) {
      const at = timeOrFail(turn, op, op.timeout, "invoke timeout");
      if (at === undefined) return;
      expiresAt = at;
    }
    pending(turn, op, StepStatus.Invoking);
    turn.decisions.push({
      kind: "invoke",
      stepId: op.id,
      functionId: op.functionId,
      payload: op.payload,
      expiresAt,
    });
  },
  AIGateway: (turn, op) => {
    if (known(turn, op)) return;
    pending(turn, op, StepStatus.Gateway);
    turn.decisions.push({ kind: "gateway.ai", stepId: op.id, request: op.request });
  },
  Gateway: (turn, op) => {
    if (known(turn, op)) return;
    pending(turn, op, StepStatus.Gateway);
    turn.decisions.push({ kind: "gateway.fetch", stepId: op.id, request: op.request });
  },
  RunComplete: (turn, op) => {
    turn.finished = true;
    turn.decisions.push({ kind: "run.finish", status: "Completed", output: op.data });
  },
  DiscoveryRequest: (turn) => {
    turn.discover = true;
  },
  Unknown: () => {
    // Experimental ops (DeferAdd, …) are optional to support (spec §3.4); ignoring them is safe.
  },
};

/** What a `waitForEvent` `if` may name: the trigger event and the awaited one (spec §7.2). */
const WAIT_VARIABLES = ["event", "async"];

/** Go handles `WaitForEvent` before other ops of a response (spec §3.4). */
const PRIORITY: Partial<Record<OpcodeKind, number>> = { WaitForEvent: 0 };

export function handleOps(turn: Turn, ops: readonly Opcode[]): void {
  const ordered = [...ops].sort((a, b) => (PRIORITY[a.kind] ?? 1) - (PRIORITY[b.kind] ?? 1));
  for (const op of ordered) {
    if (turn.finished) return;
    (HANDLERS[op.kind] as OpHandler<typeof op.kind>)(turn, op);
  }
}
