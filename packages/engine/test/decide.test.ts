/**
 * `decide()` as state-in, decisions-out tables (STYLE.md rules 3 and 10). Every case asserts the
 * exact decision list. Opcode shapes follow spec §3.4 and the transcripts of §10; step ids are the
 * hashes from those transcripts where the spec gives them in full.
 */
import {
  DISCOVERY_STEP_ID,
  FunctionId,
  type Opcode,
  RunId,
  type RunStatus,
  type SerializedError,
  StepId,
} from "@ingot/protocol";
import { describe, expect, it } from "vitest";
import {
  type DecideContext,
  decide,
  type Decision,
  type EngineInput,
  type ExecutionItem,
  exponentialBackoff,
  type RunState,
  type SdkOutcome,
  type StepMeta,
  type StepState,
  StepStatus,
} from "../src/index.js";

// ---------------------------------------------------------------------------------------------
// Fixtures

const NOW = 1_000_000;
const CTX: DecideContext = { now: NOW, maxAttempts: 3, backoffMs: (n) => n * 1000 };
const ONE_YEAR_MS = 365 * 24 * 3_600_000;
const DAY_MS = 24 * 3_600_000;
const Y2030 = Date.UTC(2030, 0, 1); // "2030-01-01T00:00:00.000Z" (T5 #9)

const A = StepId("1419522417cff8c6ddd205cc9882d16411490c09"); // sha1("step-a")
const B = StepId("b6271470b6271470b6271470b6271470b6271470");
const NAP = StepId("c2640f79b4ed481b838ce4ad75330aa3f825d4d9");
const WAIT = StepId("70deb255f3eae33fa42d8fc0164f19abb33197db");
const AI = StepId("e294cad6cd5e508ea05becdf564662f5ccae27a3");
const P1 = StepId("967645bba865793700eb20fa19806cc81aa91404");
const P2 = StepId("0da302219249631a50d723de19ec09ce0fb12aa1");
const CHILD = StepId("93f72581df96e9a8f01f1481b3570b4e9370a0a6");
const R1 = StepId("5573e39b5573e39b5573e39b5573e39b5573e39b");
const R2 = StepId("a50126cca50126cca50126cca50126cca50126cc");
const SIG = StepId("b3ed2cf3b3ed2cf3b3ed2cf3b3ed2cf3b3ed2cf3");
const FETCH = StepId("cddbefbccddbefbccddbefbccddbefbccddbefbc");
const FAIL = StepId("5703c5615703c5615703c5615703c5615703c561");
const COMPLETE = StepId("0737c22d3bfae812339732d14d8c7dbd6dc4e09c"); // sha1("complete")

const BOOM: SerializedError = {
  name: "Error",
  message: "step boom",
  stack: "Error: step boom\n    at …",
};

type StepSpec = StepStatus | "planned/race";

interface StateSpec {
  steps?: Record<string, StepSpec>;
  requestVersion?: number;
  forceStepPlan?: boolean;
  status?: RunStatus;
}

/** A running run at request version 2 (v4) with the given steps; override what a case needs. */
function state(spec: StateSpec = {}): RunState {
  const steps = new Map<StepId, StepState>();
  for (const [raw, status] of Object.entries(spec.steps ?? {})) {
    const id = StepId(raw);
    steps.set(
      id,
      status === "planned/race" ? { id, status: StepStatus.Planned, race: true } : { id, status },
    );
  }
  return {
    id: RunId("01JRUNRUNRUNRUNRUNRUNRUNRU"),
    functionId: FunctionId("proto-app-steps-fn"),
    status: spec.status ?? "Running",
    requestVersion: spec.requestVersion ?? 2,
    forceStepPlan: spec.forceStepPlan ?? false,
    steps,
  };
}

const discovery = (attempt = 0): ExecutionItem => ({ stepId: DISCOVERY_STEP_ID, attempt });
const item = (stepId: StepId, attempt = 0): ExecutionItem => ({ stepId, attempt });

const response = (at: ExecutionItem, outcome: SdkOutcome): EngineInput => ({
  kind: "sdk.response",
  item: at,
  outcome,
});

/** A `206` answer; the version defaults to the state's (2), so no update is due; `null` = no header. */
function ops(at: ExecutionItem, list: Opcode[], requestVersion: number | null = 2): EngineInput {
  const outcome: SdkOutcome = { type: "ops", ops: list };
  if (requestVersion !== null) outcome.requestVersion = requestVersion;
  return response(at, outcome);
}

// Opcodes as `parseOpcodes` produces them.
type Op<K extends Opcode["kind"]> = Extract<Opcode, { kind: K }>;
const common = (id: StepId, displayName: string) => ({ id, displayName, opts: {} });

const stepRun = (
  id: StepId,
  name: string,
  data: unknown,
  extra: Partial<Op<"StepRun">> = {},
): Op<"StepRun"> => ({ ...common(id, name), kind: "StepRun", data, ...extra });
const stepError = (id: StepId, name: string, error = BOOM): Op<"StepError"> => ({
  ...common(id, name),
  kind: "StepError",
  error,
});
const stepFailed = (id: StepId, name: string, error = BOOM): Op<"StepFailed"> => ({
  ...common(id, name),
  kind: "StepFailed",
  error,
});
const stepPlanned = (id: StepId, name: string, race = false): Op<"StepPlanned"> => ({
  ...common(id, name),
  opts: race ? { parallelMode: "race" } : {},
  kind: "StepPlanned",
  race,
});
const sleep = (id: StepId, name: string, until: string): Op<"Sleep"> => ({
  ...common(id, name),
  kind: "Sleep",
  until,
});
const waitForEvent = (
  id: StepId,
  name: string,
  event: string,
  timeout: string,
  condition?: string,
): Op<"WaitForEvent"> => {
  const op: Op<"WaitForEvent"> = { ...common(id, name), kind: "WaitForEvent", event, timeout };
  if (condition !== undefined) op.if = condition;
  return op;
};
const waitForSignal = (
  id: StepId,
  name: string,
  signal: string,
  timeout: string,
  conflict?: string,
): Op<"WaitForSignal"> => {
  const op: Op<"WaitForSignal"> = { ...common(id, name), kind: "WaitForSignal", signal, timeout };
  if (conflict !== undefined) op.conflict = conflict;
  return op;
};
const invoke = (id: StepId, name: string, timeout?: string): Op<"InvokeFunction"> => {
  const op: Op<"InvokeFunction"> = {
    ...common(id, name),
    kind: "InvokeFunction",
    functionId: "proto-app-child-fn",
    payload: { data: { user: "u1" } },
  };
  if (timeout !== undefined) op.timeout = timeout;
  return op;
};
const AI_REQUEST: Op<"AIGateway">["request"] = {
  type: "step.ai.infer",
  url: "http://127.0.0.1:8288/openai/v1/chat/completions",
  auth_key: "sk-test-123",
  format: "openai-chat",
  body: { messages: [{ role: "user", content: "Say hi" }], model: "gpt-4o-mini" },
};
const aiGateway = (id: StepId, name: string): Op<"AIGateway"> => ({
  ...common(id, name),
  kind: "AIGateway",
  request: AI_REQUEST,
});
const FETCH_REQUEST: Op<"Gateway">["request"] = {
  url: "https://example.com/api?q=1",
  method: "POST",
  headers: { "x-a": "b" },
  body: "hi",
};
const gateway = (id: StepId, name: string): Op<"Gateway"> => ({
  ...common(id, name),
  kind: "Gateway",
  request: FETCH_REQUEST,
});
const runComplete = (data: unknown): Op<"RunComplete"> => ({
  ...common(COMPLETE, COMPLETE),
  kind: "RunComplete",
  data,
});
const discoveryRequest = (): Op<"DiscoveryRequest"> => ({
  ...common(StepId("discovery"), "discovery"),
  kind: "DiscoveryRequest",
});
const unknown = (op: string): Op<"Unknown"> => ({
  ...common(StepId("deferred"), "deferred"),
  kind: "Unknown",
  op,
});

// Expected decisions.
const meta = (
  displayName: string,
  op: Opcode["kind"],
  extra: Partial<StepMeta> = {},
): StepMeta => ({
  displayName,
  op,
  ...extra,
});
const save = (stepId: StepId, result: unknown, status: StepStatus, m?: StepMeta): Decision =>
  m === undefined
    ? { kind: "step.save", stepId, result, status }
    : { kind: "step.save", stepId, result, status, meta: m };
const completed = (stepId: StepId, data: unknown, m: StepMeta): Decision =>
  save(stepId, { data }, StepStatus.Completed, m);
const failed = (stepId: StepId, error: SerializedError, m: StepMeta): Decision =>
  save(stepId, { error }, StepStatus.Failed, m);
const pending = (stepId: StepId, status: StepStatus, m: StepMeta, race = false): Decision =>
  race
    ? { kind: "step.pending", stepId, status, meta: m, race: true }
    : { kind: "step.pending", stepId, status, meta: m };
const executePlanned = (stepId: StepId): Decision => ({
  kind: "execute",
  stepId,
  attempt: 0,
  at: NOW,
  reason: "planned",
});
const DISCOVER: Decision = {
  kind: "execute",
  stepId: DISCOVERY_STEP_ID,
  attempt: 0,
  at: NOW,
  reason: "discovery",
};
const retry = (
  stepId: StepId,
  attempt: number,
  at: number,
  error: SerializedError,
  failedStepId?: StepId,
): Decision =>
  failedStepId === undefined
    ? { kind: "retry", stepId, attempt, at, error }
    : { kind: "retry", stepId, attempt, at, error, failedStepId };
/** An answer Ingot cannot act on is a retriable error, not a silent stall (issue: no silent stall). */
const nothingToActOn = (what: string): Decision =>
  retry(DISCOVERY_STEP_ID, 1, NOW + 1000, {
    name: "Error",
    message: `the app answered with ${what}: nothing to act on, so the request is retried and the run fails when its attempts are used up (is the app serving a different version of the function?)`,
  });
const notADuration = (what: string, text: string): SerializedError => ({
  name: "Error",
  message: `${what} "${text}" is neither a duration (like "30s", "1h30m") nor an ISO-8601 date`,
});

interface Case {
  name: string;
  state?: RunState;
  input: EngineInput;
  ctx?: DecideContext;
  expected: Decision[];
}

function table(cases: Case[]): void {
  it.each(cases)("$name", ({ state: s, input, ctx, expected }) => {
    expect(decide(s ?? state(), input, ctx ?? CTX)).toStrictEqual(expected);
  });
}

// ---------------------------------------------------------------------------------------------
// 206 answers

describe("decide: StepRun / StepFailed / StepError (spec §3.4, §6)", () => {
  table([
    {
      name: "StepRun on discovery → {data} saved with its meta + next discovery",
      input: ops(discovery(), [
        stepRun(
          A,
          "step-a",
          { hello: "bob" },
          { userlandId: "step-a", startedAt: 1_795_315_652_188, durationMs: 0 },
        ),
      ]),
      expected: [
        completed(
          A,
          { hello: "bob" },
          meta("step-a", "StepRun", {
            userlandId: "step-a",
            startedAt: 1_795_315_652_188,
            durationMs: 0,
          }),
        ),
        DISCOVER,
      ],
    },
    {
      name: "StepRun returning undefined (null on the wire) → {data: null}",
      input: ops(discovery(), [stepRun(A, "step-a", null)]),
      expected: [completed(A, null, meta("step-a", "StepRun")), DISCOVER],
    },
    {
      name: "StepRun already memoized as completed, nothing outstanding → retried as an answer with nothing to act on",
      state: state({ steps: { [A]: StepStatus.Completed } }),
      input: ops(discovery(), [stepRun(A, "step-a", { hello: "again" })]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
    {
      name: "StepRun already saved while another step is planned → ignored (the other resumes the run)",
      state: state({ steps: { [A]: StepStatus.Completed, [P1]: StepStatus.Planned } }),
      input: ops(discovery(), [stepRun(A, "step-a", 1)]),
      expected: [],
    },
    {
      name: "nothing to act on at the last attempt → the run fails with the reason",
      state: state({ steps: { [A]: StepStatus.Completed } }),
      input: ops(discovery(2), [stepRun(A, "step-a", 1)]),
      expected: [
        {
          kind: "run.finish",
          status: "Failed",
          error: {
            name: "Error",
            message: expect.stringContaining("only steps that are already saved") as string,
          },
        },
      ],
    },
    {
      name: "StepRun already memoized as failed → nothing to act on",
      state: state({ steps: { [A]: StepStatus.Failed } }),
      input: ops(discovery(), [stepRun(A, "step-a", 1)]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
    {
      name: "StepRun answering its own planned item (no siblings) → saved + discovery",
      state: state({ steps: { [A]: StepStatus.Planned } }),
      input: ops(item(A), [stepRun(A, "step-a", { hello: "bob" })]),
      expected: [completed(A, { hello: "bob" }, meta("step-a", "StepRun")), DISCOVER],
    },
    {
      name: "StepRun on a discovery item while unrelated steps are planned → still discovers",
      state: state({ steps: { [P1]: StepStatus.Planned } }),
      input: ops(discovery(), [stepRun(A, "step-a", 1)]),
      expected: [completed(A, 1, meta("step-a", "StepRun")), DISCOVER],
    },
    {
      name: "first answer (run at version -1) records x-inngest-req-version",
      state: state({ requestVersion: -1 }),
      input: ops(discovery(), [stepRun(A, "step-a", 1)], 2),
      expected: [
        completed(A, 1, meta("step-a", "StepRun")),
        DISCOVER,
        { kind: "run.update", requestVersion: 2 },
      ],
    },
    {
      name: "answer without x-inngest-req-version → no run.update",
      state: state({ requestVersion: -1 }),
      input: ops(discovery(), [stepRun(A, "step-a", 1)], null),
      expected: [completed(A, 1, meta("step-a", "StepRun")), DISCOVER],
    },
    {
      name: "StepFailed → {error} saved as failed + discovery",
      input: ops(discovery(), [stepFailed(FAIL, "failing-step")]),
      expected: [failed(FAIL, BOOM, meta("failing-step", "StepFailed")), DISCOVER],
    },
    {
      name: "StepFailed already memoized → nothing to act on",
      state: state({ steps: { [FAIL]: StepStatus.Failed } }),
      input: ops(discovery(), [stepFailed(FAIL, "failing-step")]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
    {
      name: "StepError on discovery, attempt 0 → retry the discovery item, attempt 1, now+backoff(1)",
      input: ops(discovery(0), [stepError(FAIL, "failing-step")]),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + 1000, BOOM, FAIL)],
    },
    {
      name: "StepError on planned item, attempt 1 → retry the SAME stepId, attempt 2, now+backoff(2)",
      state: state({ steps: { [FAIL]: StepStatus.Planned } }),
      input: ops(item(FAIL, 1), [stepError(FAIL, "failing-step")]),
      // failedStepId is only set when it differs from the item's step.
      expected: [retry(FAIL, 2, NOW + 2000, BOOM)],
    },
    {
      name: "StepError on the last attempt (2 of maxAttempts 3) → saved as failed + discovery",
      input: ops(discovery(2), [stepError(FAIL, "failing-step")]),
      expected: [failed(FAIL, BOOM, meta("failing-step", "StepError")), DISCOVER],
    },
    {
      name: "StepError with maxAttempts 1 → failed at once, no retry",
      ctx: { ...CTX, maxAttempts: 1 },
      input: ops(discovery(0), [stepError(FAIL, "failing-step")]),
      expected: [failed(FAIL, BOOM, meta("failing-step", "StepError")), DISCOVER],
    },
    {
      name: "StepError exhausted on a planned item with a planned sibling → saved, coalesced",
      state: state({
        steps: { [FAIL]: StepStatus.Planned, [P2]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: ops(item(FAIL, 2), [stepError(FAIL, "failing-step")]),
      expected: [failed(FAIL, BOOM, meta("failing-step", "StepError"))],
    },
    {
      name: "StepError for a memoized step → nothing to act on",
      state: state({ steps: { [FAIL]: StepStatus.Failed } }),
      input: ops(discovery(0), [stepError(FAIL, "failing-step")]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
  ]);

  // Spec §3.4 (StepError row), §6: a step throwing RetryAfterError answers 206 [StepError] with
  // `retry-after`; the retry honours it instead of the backoff.
  table([
    {
      name: "StepError with Retry-After 30 s → retry at now+30 s, not now+backoff",
      input: response(discovery(0), {
        type: "ops",
        ops: [stepError(FAIL, "failing-step")],
        requestVersion: 2,
        retryAfterMs: 30_000,
      }),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + 30_000, BOOM, FAIL)],
    },
    {
      name: "StepError with Retry-After 48 h → clamped to 24 h",
      input: response(discovery(0), {
        type: "ops",
        ops: [stepError(FAIL, "failing-step")],
        requestVersion: 2,
        retryAfterMs: 2 * DAY_MS,
      }),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + DAY_MS, BOOM, FAIL)],
    },
    {
      name: "StepError with Retry-After on the last attempt → saved as failed + discovery",
      input: response(discovery(2), {
        type: "ops",
        ops: [stepError(FAIL, "failing-step")],
        requestVersion: 2,
        retryAfterMs: 30_000,
      }),
      expected: [failed(FAIL, BOOM, meta("failing-step", "StepError")), DISCOVER],
    },
  ]);
});

describe("decide: StepPlanned and parallelism (spec §3.4, §4.4)", () => {
  table([
    {
      name: "StepPlanned → pending planned + execute(stepId=hash)",
      input: ops(discovery(), [stepPlanned(A, "step-a")]),
      expected: [pending(A, StepStatus.Planned, meta("step-a", "StepPlanned")), executePlanned(A)],
    },
    {
      name: "re-reported StepPlanned (already pending) → deduped",
      state: state({ steps: { [A]: StepStatus.Planned } }),
      input: ops(discovery(), [stepPlanned(A, "step-a")]),
      expected: [],
    },
    {
      name: "StepPlanned for a memoized step → nothing to act on",
      state: state({ steps: { [A]: StepStatus.Completed } }),
      input: ops(discovery(), [stepPlanned(A, "step-a")]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
    {
      name: "two StepPlanned (Promise.all) → both planned + forceStepPlan set",
      input: ops(discovery(), [stepPlanned(P1, "par-1"), stepPlanned(P2, "par-2")]),
      expected: [
        pending(P1, StepStatus.Planned, meta("par-1", "StepPlanned")),
        executePlanned(P1),
        pending(P2, StepStatus.Planned, meta("par-2", "StepPlanned")),
        executePlanned(P2),
        { kind: "run.update", forceStepPlan: true },
      ],
    },
    {
      name: "parallel answer on the first response → version and forceStepPlan in one update",
      state: state({ requestVersion: -1 }),
      input: ops(discovery(), [stepPlanned(P1, "par-1"), stepPlanned(P2, "par-2")], 2),
      expected: [
        pending(P1, StepStatus.Planned, meta("par-1", "StepPlanned")),
        executePlanned(P1),
        pending(P2, StepStatus.Planned, meta("par-2", "StepPlanned")),
        executePlanned(P2),
        { kind: "run.update", requestVersion: 2, forceStepPlan: true },
      ],
    },
    {
      name: "parallel answer with forceStepPlan already set → no run.update",
      state: state({ forceStepPlan: true }),
      input: ops(discovery(), [stepPlanned(P1, "par-1"), stepPlanned(P2, "par-2")]),
      expected: [
        pending(P1, StepStatus.Planned, meta("par-1", "StepPlanned")),
        executePlanned(P1),
        pending(P2, StepStatus.Planned, meta("par-2", "StepPlanned")),
        executePlanned(P2),
      ],
    },
    {
      name: "parallel answer re-reporting one sibling → only the new one is planned",
      state: state({ steps: { [P1]: StepStatus.Planned }, forceStepPlan: true }),
      input: ops(discovery(), [stepPlanned(P1, "par-1"), stepPlanned(P2, "par-2")]),
      expected: [pending(P2, StepStatus.Planned, meta("par-2", "StepPlanned")), executePlanned(P2)],
    },
    {
      name: "race branches (parallelMode: race) → pending with race flag",
      input: ops(discovery(), [stepPlanned(R1, "r1", true), stepPlanned(R2, "r2", true)]),
      expected: [
        pending(R1, StepStatus.Planned, meta("r1", "StepPlanned"), true),
        executePlanned(R1),
        pending(R2, StepStatus.Planned, meta("r2", "StepPlanned"), true),
        executePlanned(R2),
        { kind: "run.update", forceStepPlan: true },
      ],
    },
    {
      name: "T7: race loser re-reported next to a new WaitForSignal → only the wait is new",
      state: state({
        steps: { [R1]: "planned/race", [R2]: StepStatus.Completed },
        forceStepPlan: true,
      }),
      input: ops(discovery(), [
        stepPlanned(R1, "r1", true),
        waitForSignal(SIG, "my-signal", "my-signal", "5m"),
      ]),
      expected: [
        pending(SIG, StepStatus.Waiting, meta("my-signal", "WaitForSignal")),
        { kind: "wait.signal", stepId: SIG, signal: "my-signal", expiresAt: NOW + 300_000 },
      ],
    },
  ]);

  // Regression (was a bug): spec §11 step 4 says "set `forceStepPlan` when >1 non-lazy op", and §3.4 describes
  // DeferAdd/DeferAbort as lazy ops "piggy-backed on other ops" (parsed as `Unknown` and ignored).
  // decide counts every op (`outcome.ops.length > 1`), so one StepPlanned plus a DeferAdd turns on
  // forceStepPlan (and for a v1 run it then stays on for the rest of the run).
  it("one StepPlanned + a lazy DeferAdd op → not parallel, forceStepPlan untouched", () => {
    const input = ops(discovery(), [stepPlanned(A, "step-a"), unknown("DeferAdd")]);
    expect(decide(state(), input, CTX)).toStrictEqual([
      pending(A, StepStatus.Planned, meta("step-a", "StepPlanned")),
      executePlanned(A),
    ]);
  });
});

describe("decide: coalescing parallel completions (spec §3.4, §4.4)", () => {
  table([
    {
      name: "planned step completes while a sibling is still planned → save only, no discovery",
      state: state({
        steps: { [P1]: StepStatus.Planned, [P2]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: ops(item(P1), [stepRun(P1, "par-1", "one")]),
      expected: [completed(P1, "one", meta("par-1", "StepRun"))],
    },
    {
      name: "last planned sibling completes (v2) → discovery + forceStepPlan reset to false",
      state: state({
        steps: { [P1]: StepStatus.Completed, [P2]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: ops(item(P2), [stepRun(P2, "par-2", "two")]),
      expected: [
        completed(P2, "two", meta("par-2", "StepRun")),
        DISCOVER,
        { kind: "run.update", forceStepPlan: false },
      ],
    },
    {
      name: "last planned sibling completes (v1) → discovery, forceStepPlan kept",
      state: state({
        steps: { [P1]: StepStatus.Completed, [P2]: StepStatus.Planned },
        forceStepPlan: true,
        requestVersion: 1,
      }),
      input: ops(item(P2), [stepRun(P2, "par-2", "two")], 1),
      expected: [completed(P2, "two", meta("par-2", "StepRun")), DISCOVER],
    },
    {
      name: "last planned sibling completes without forceStepPlan → discovery, no update",
      state: state({ steps: { [P1]: StepStatus.Completed, [P2]: StepStatus.Planned } }),
      input: ops(item(P2), [stepRun(P2, "par-2", "two")]),
      expected: [completed(P2, "two", meta("par-2", "StepRun")), DISCOVER],
    },
    {
      name: "planned step fails (StepFailed) while a sibling is planned → save only",
      state: state({
        steps: { [P1]: StepStatus.Planned, [P2]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: ops(item(P1), [stepFailed(P1, "par-1")]),
      expected: [failed(P1, BOOM, meta("par-1", "StepFailed"))],
    },
    {
      name: "last planned sibling fails (v2) → discovery + forceStepPlan reset",
      state: state({
        steps: { [P1]: StepStatus.Completed, [P2]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: ops(item(P2), [stepFailed(P2, "par-2")]),
      expected: [
        failed(P2, BOOM, meta("par-2", "StepFailed")),
        DISCOVER,
        { kind: "run.update", forceStepPlan: false },
      ],
    },
    {
      name: "planned sibling re-reported by its own item → deduped, nothing to do",
      state: state({ steps: { [P1]: StepStatus.Planned, [P2]: StepStatus.Planned } }),
      input: ops(item(P1), [stepPlanned(P1, "par-1")]),
      expected: [],
    },
    {
      name: "race branch completes while the other race branch is planned → discovery",
      state: state({ steps: { [R1]: "planned/race", [R2]: "planned/race" } }),
      input: ops(item(R2), [stepRun(R2, "r2", "r2")]),
      expected: [completed(R2, "r2", meta("r2", "StepRun")), DISCOVER],
    },
    {
      name: "race branch completes (v1, forceStepPlan) → discovery, forceStepPlan kept",
      state: state({
        steps: { [R1]: "planned/race", [R2]: "planned/race" },
        forceStepPlan: true,
        requestVersion: 1,
      }),
      input: ops(item(R2), [stepRun(R2, "r2", "r2")], 1),
      expected: [completed(R2, "r2", meta("r2", "StepRun")), DISCOVER],
    },
    {
      name: "race loser completes after the winner → discovery again (no coalescing)",
      state: state({ steps: { [R1]: "planned/race", [R2]: StepStatus.Completed } }),
      input: ops(item(R1), [stepRun(R1, "r1", "r1")]),
      expected: [completed(R1, "r1", meta("r1", "StepRun")), DISCOVER],
    },
  ]);
});

describe("decide: async ops (spec §3.4, §7.2)", () => {
  table([
    {
      name: 'Sleep "1m" → pending sleeping + sleep until now+60 s',
      input: ops(discovery(), [sleep(NAP, "nap", "1m")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("nap", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW + 60_000 },
      ],
    },
    {
      name: 'Sleep "2h30m10s" → until now+9 010 s',
      input: ops(discovery(), [sleep(NAP, "nap", "2h30m10s")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("nap", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW + 9_010_000 },
      ],
    },
    {
      name: 'Sleep "1w" → until now+7 days',
      input: ops(discovery(), [sleep(NAP, "nap", "1w")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("nap", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW + 604_800_000 },
      ],
    },
    {
      name: "sleepUntil an ISO date in the future → until that date",
      input: ops(discovery(), [sleep(NAP, "until", "2030-01-01T00:00:00.000Z")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("until", "Sleep")),
        { kind: "sleep", stepId: NAP, until: Y2030 },
      ],
    },
    {
      name: "sleepUntil an ISO date in the past → until now",
      input: ops(discovery(), [sleep(NAP, "until", "1970-01-01T00:00:00.000Z")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("until", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW },
      ],
    },
    {
      name: 'Sleep "" (v3 renders sub-second durations as "") → until now',
      input: ops(discovery(), [sleep(NAP, "nap", "")]),
      expected: [
        pending(NAP, StepStatus.Sleeping, meta("nap", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW },
      ],
    },
    {
      name: "Sleep with an invalid duration → step failed with a message + discovery",
      input: ops(discovery(), [sleep(NAP, "nap", "soon")]),
      expected: [
        failed(NAP, notADuration("Sleep duration", "soon"), meta("nap", "Sleep")),
        DISCOVER,
      ],
    },
    {
      name: "Sleep re-reported while sleeping → deduped",
      state: state({ steps: { [NAP]: StepStatus.Sleeping } }),
      input: ops(discovery(), [sleep(NAP, "nap", "1m")]),
      expected: [],
    },
    {
      name: "WaitForEvent with timeout and if → pending waiting + wait.event with condition",
      input: ops(discovery(), [
        waitForEvent(WAIT, "wait-approve", "demo/approved", "1h", "event.data.id == async.data.id"),
      ]),
      expected: [
        pending(WAIT, StepStatus.Waiting, meta("wait-approve", "WaitForEvent")),
        {
          kind: "wait.event",
          stepId: WAIT,
          event: "demo/approved",
          condition: "event.data.id == async.data.id",
          expiresAt: NOW + 3_600_000,
        },
      ],
    },
    {
      name: "WaitForEvent with an ISO timeout and no if → no condition",
      input: ops(discovery(), [
        waitForEvent(WAIT, "wait-approve", "demo/approved", "2030-01-01T00:00:00.000Z"),
      ]),
      expected: [
        pending(WAIT, StepStatus.Waiting, meta("wait-approve", "WaitForEvent")),
        { kind: "wait.event", stepId: WAIT, event: "demo/approved", expiresAt: Y2030 },
      ],
    },
    {
      name: "WaitForEvent with an invalid timeout → step failed + discovery",
      input: ops(discovery(), [waitForEvent(WAIT, "wait-approve", "demo/approved", "later")]),
      expected: [
        failed(
          WAIT,
          notADuration("waitForEvent timeout", "later"),
          meta("wait-approve", "WaitForEvent"),
        ),
        DISCOVER,
      ],
    },
    {
      name: "WaitForEvent with an `if` that cannot compile → step failed at once, not at timeout",
      input: ops(discovery(), [
        waitForEvent(WAIT, "wait-approve", "demo/approved", "1h", "async.data.id ==="),
      ]),
      expected: [
        {
          kind: "step.save",
          stepId: WAIT,
          result: {
            error: {
              name: "Error",
              message: expect.stringMatching(/^waitForEvent "if": Invalid expression/) as string,
            },
          },
          status: StepStatus.Failed,
          meta: meta("wait-approve", "WaitForEvent"),
        },
        DISCOVER,
      ],
    },
    {
      name: "WaitForEvent with an `if` naming an unknown variable → step failed",
      input: ops(discovery(), [
        waitForEvent(WAIT, "wait-approve", "demo/approved", "1h", "evnt.data.id == 1"),
      ]),
      expected: [
        {
          kind: "step.save",
          stepId: WAIT,
          result: {
            error: {
              name: "Error",
              message: expect.stringContaining('unknown variable "evnt"') as string,
            },
          },
          status: StepStatus.Failed,
          meta: meta("wait-approve", "WaitForEvent"),
        },
        DISCOVER,
      ],
    },
    {
      name: "WaitForEvent re-reported while waiting → deduped",
      state: state({ steps: { [WAIT]: StepStatus.Waiting } }),
      input: ops(discovery(), [waitForEvent(WAIT, "wait-approve", "demo/approved", "1h")]),
      expected: [],
    },
    {
      name: "WaitForEvent is handled before the other ops of the same response",
      input: ops(discovery(), [
        sleep(NAP, "nap", "1m"),
        waitForEvent(WAIT, "wait-approve", "demo/approved", "1h"),
      ]),
      expected: [
        pending(WAIT, StepStatus.Waiting, meta("wait-approve", "WaitForEvent")),
        { kind: "wait.event", stepId: WAIT, event: "demo/approved", expiresAt: NOW + 3_600_000 },
        pending(NAP, StepStatus.Sleeping, meta("nap", "Sleep")),
        { kind: "sleep", stepId: NAP, until: NOW + 60_000 },
        { kind: "run.update", forceStepPlan: true },
      ],
    },
    {
      name: "WaitForSignal → pending waiting + wait.signal at now+timeout",
      input: ops(discovery(), [waitForSignal(SIG, "my-signal", "my-signal", "5m")]),
      expected: [
        pending(SIG, StepStatus.Waiting, meta("my-signal", "WaitForSignal")),
        { kind: "wait.signal", stepId: SIG, signal: "my-signal", expiresAt: NOW + 300_000 },
      ],
    },
    {
      name: "WaitForSignal with onConflict → conflict passed on",
      input: ops(discovery(), [waitForSignal(SIG, "my-signal", "my-signal", "5m", "replace")]),
      expected: [
        pending(SIG, StepStatus.Waiting, meta("my-signal", "WaitForSignal")),
        {
          kind: "wait.signal",
          stepId: SIG,
          signal: "my-signal",
          expiresAt: NOW + 300_000,
          conflict: "replace",
        },
      ],
    },
    {
      name: "WaitForSignal with an invalid timeout → step failed + discovery",
      input: ops(discovery(), [waitForSignal(SIG, "my-signal", "my-signal", "5 minutes")]),
      expected: [
        failed(
          SIG,
          notADuration("waitForSignal timeout", "5 minutes"),
          meta("my-signal", "WaitForSignal"),
        ),
        DISCOVER,
      ],
    },
    {
      name: "WaitForSignal re-reported → deduped",
      state: state({ steps: { [SIG]: StepStatus.Waiting } }),
      input: ops(discovery(), [waitForSignal(SIG, "my-signal", "my-signal", "5m")]),
      expected: [],
    },
    {
      name: 'InvokeFunction with timeout "10m" → pending invoking + invoke expiring at now+10 min',
      input: ops(discovery(), [invoke(CHILD, "call-child", "10m")]),
      expected: [
        pending(CHILD, StepStatus.Invoking, meta("call-child", "InvokeFunction")),
        {
          kind: "invoke",
          stepId: CHILD,
          functionId: "proto-app-child-fn",
          payload: { data: { user: "u1" } },
          expiresAt: NOW + 600_000,
        },
      ],
    },
    {
      name: "InvokeFunction without timeout → expires after the default of 1 year",
      input: ops(discovery(), [invoke(CHILD, "call-child")]),
      expected: [
        pending(CHILD, StepStatus.Invoking, meta("call-child", "InvokeFunction")),
        {
          kind: "invoke",
          stepId: CHILD,
          functionId: "proto-app-child-fn",
          payload: { data: { user: "u1" } },
          expiresAt: NOW + ONE_YEAR_MS,
        },
      ],
    },
    {
      name: "InvokeFunction with an invalid timeout → step failed + discovery",
      input: ops(discovery(), [invoke(CHILD, "call-child", "ten minutes")]),
      expected: [
        failed(
          CHILD,
          notADuration("invoke timeout", "ten minutes"),
          meta("call-child", "InvokeFunction"),
        ),
        DISCOVER,
      ],
    },
    {
      name: "InvokeFunction re-reported while invoking → deduped",
      state: state({ steps: { [CHILD]: StepStatus.Invoking } }),
      input: ops(discovery(), [invoke(CHILD, "call-child", "10m")]),
      expected: [],
    },
    {
      name: "AIGateway → pending gateway + gateway.ai with the request",
      input: ops(discovery(), [aiGateway(AI, "ask-ai")]),
      expected: [
        pending(AI, StepStatus.Gateway, meta("ask-ai", "AIGateway")),
        { kind: "gateway.ai", stepId: AI, request: AI_REQUEST },
      ],
    },
    {
      name: "AIGateway re-reported → deduped",
      state: state({ steps: { [AI]: StepStatus.Gateway } }),
      input: ops(discovery(), [aiGateway(AI, "ask-ai")]),
      expected: [],
    },
    {
      name: "Gateway (step.fetch) → pending gateway + gateway.fetch with the request",
      input: ops(discovery(), [gateway(FETCH, "step.fetch: example.com")]),
      expected: [
        pending(FETCH, StepStatus.Gateway, meta("step.fetch: example.com", "Gateway")),
        { kind: "gateway.fetch", stepId: FETCH, request: FETCH_REQUEST },
      ],
    },
    {
      name: "Gateway re-reported → deduped",
      state: state({ steps: { [FETCH]: StepStatus.Gateway } }),
      input: ops(discovery(), [gateway(FETCH, "step.fetch: example.com")]),
      expected: [],
    },
    {
      name: "async op for a memoized step → nothing to act on",
      state: state({ steps: { [NAP]: StepStatus.Completed } }),
      input: ops(discovery(), [sleep(NAP, "nap", "1m")]),
      expected: [nothingToActOn("only steps that are already saved")],
    },
  ]);
});

describe("decide: RunComplete, DiscoveryRequest, Unknown, [] (spec §3.3, §3.4)", () => {
  table([
    {
      name: "RunComplete → run.finish Completed with its data",
      input: ops(discovery(), [runComplete({ a: { hello: "bob" } })]),
      expected: [{ kind: "run.finish", status: "Completed", output: { a: { hello: "bob" } } }],
    },
    {
      name: "RunComplete after a StepRun in the same answer → step saved, then finished",
      input: ops(discovery(), [stepRun(A, "step-a", 1), runComplete("done")]),
      expected: [
        completed(A, 1, meta("step-a", "StepRun")),
        { kind: "run.finish", status: "Completed", output: "done" },
      ],
    },
    {
      name: "DiscoveryRequest → discovery",
      input: ops(discovery(), [discoveryRequest()]),
      expected: [DISCOVER],
    },
    {
      name: "only an unknown op (DeferAdd) → nothing to act on",
      input: ops(discovery(), [unknown("DeferAdd")]),
      expected: [nothingToActOn("only opcodes Ingot does not know (DeferAdd)")],
    },
    {
      name: "empty [] → nothing to act on",
      input: ops(discovery(), []),
      expected: [nothingToActOn("an empty list of steps (206 [])")],
    },
    {
      name: "empty [] on the first answer → nothing to act on",
      state: state({ requestVersion: -1 }),
      input: ops(discovery(), [], 2),
      expected: [nothingToActOn("an empty list of steps (206 [])")],
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Function-level outcomes

describe("decide: function-level outcomes (spec §3.3, §6)", () => {
  const plainBoom: SerializedError = { name: "Error", message: "plain boom" };
  const error = (retriable: boolean, retryAfterMs?: number): SdkOutcome =>
    retryAfterMs === undefined
      ? { type: "error", error: plainBoom, retriable }
      : { type: "error", error: plainBoom, retriable, retryAfterMs };
  const transport: SdkOutcome = { type: "transport", message: "connect ECONNREFUSED" };
  const transportError: SerializedError = { name: "Error", message: "connect ECONNREFUSED" };

  table([
    {
      name: "200 → run.finish Completed with the body",
      input: response(discovery(), { type: "complete", data: { ok: true } }),
      expected: [{ kind: "run.finish", status: "Completed", output: { ok: true } }],
    },
    {
      name: "200 null (handler returned undefined) → Completed with null",
      input: response(discovery(), { type: "complete", data: null }),
      expected: [{ kind: "run.finish", status: "Completed", output: null }],
    },
    {
      name: "retriable error, attempt 0 → retry attempt 1 at now+backoff(1)",
      input: response(discovery(0), error(true)),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + 1000, plainBoom)],
    },
    {
      name: "retriable error on a planned item, attempt 1 → retry that item, attempt 2",
      state: state({ steps: { [P1]: StepStatus.Planned } }),
      input: response(item(P1, 1), error(true)),
      expected: [retry(P1, 2, NOW + 2000, plainBoom)],
    },
    {
      name: "retriable error with Retry-After 30 s → retry at now+30 s",
      input: response(discovery(0), error(true, 30_000)),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + 30_000, plainBoom)],
    },
    {
      name: "retriable error with Retry-After 48 h → clamped to 24 h",
      input: response(discovery(0), error(true, 2 * DAY_MS)),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + DAY_MS, plainBoom)],
    },
    {
      name: "retriable error on the final attempt → run Failed",
      input: response(discovery(2), error(true)),
      expected: [{ kind: "run.finish", status: "Failed", error: plainBoom }],
    },
    {
      name: "retriable error with Retry-After on the final attempt → run Failed",
      input: response(discovery(2), error(true, 30_000)),
      expected: [{ kind: "run.finish", status: "Failed", error: plainBoom }],
    },
    {
      name: "non-retriable error on attempt 0 → run Failed at once",
      input: response(discovery(0), error(false)),
      expected: [{ kind: "run.finish", status: "Failed", error: plainBoom }],
    },
    {
      name: "transport error, attempt 0 → retry with the message as error",
      input: response(discovery(0), transport),
      expected: [retry(DISCOVERY_STEP_ID, 1, NOW + 1000, transportError)],
    },
    {
      name: "transport error, attempt 1 → retry, attempt 2",
      input: response(discovery(1), transport),
      expected: [retry(DISCOVERY_STEP_ID, 2, NOW + 2000, transportError)],
    },
    {
      name: "transport error on the final attempt → run Failed",
      input: response(discovery(2), transport),
      expected: [{ kind: "run.finish", status: "Failed", error: transportError }],
    },
    {
      name: "maxAttempts 1: retriable error → Failed, no retry",
      ctx: { ...CTX, maxAttempts: 1 },
      input: response(discovery(0), error(true)),
      expected: [{ kind: "run.finish", status: "Failed", error: plainBoom }],
    },
    {
      name: "maxAttempts 1: transport error → Failed, no retry",
      ctx: { ...CTX, maxAttempts: 1 },
      input: response(discovery(0), transport),
      expected: [{ kind: "run.finish", status: "Failed", error: transportError }],
    },
  ]);

  // Regression (was a bug): spec §3.3 "Retry-After ⇒ retry no earlier than that (…; clamped to [1 s, 24 h])" (Go:
  // consts.MinRetryDuration = 1 s). decide clamps only from above (Math.max(0, …)), so
  // `Retry-After: 0` or a past date retries immediately instead of after 1 s.
  it("retriable error with Retry-After 0 → retry no sooner than now+1 s", () => {
    expect(decide(state(), response(discovery(0), error(true, 0)), CTX)).toStrictEqual([
      retry(DISCOVERY_STEP_ID, 1, NOW + 1000, plainBoom),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Other inputs

describe("decide: step.resolved, checkpoint, cancel", () => {
  const event = {
    id: "01KCEVENT",
    name: "demo/approved",
    data: { id: 42 },
    ts: 1_763_777_000_000,
    user: {},
  };
  const timeout: SerializedError = {
    name: "InngestInvokeTimeoutError",
    message: "Timed out waiting for invoked function to complete",
  };

  table([
    {
      name: "step.resolved: sleep woke → null saved + discovery",
      state: state({ steps: { [NAP]: StepStatus.Sleeping } }),
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [save(NAP, null, StepStatus.Completed), DISCOVER],
    },
    {
      name: "step.resolved: wait matched → the raw event saved + discovery",
      state: state({ steps: { [WAIT]: StepStatus.Waiting } }),
      input: { kind: "step.resolved", stepId: WAIT, result: event },
      expected: [save(WAIT, event, StepStatus.Completed), DISCOVER],
    },
    {
      name: "step.resolved: invoke finished → {data} saved + discovery",
      state: state({ steps: { [CHILD]: StepStatus.Invoking } }),
      input: { kind: "step.resolved", stepId: CHILD, result: { data: { childResult: "ok" } } },
      expected: [save(CHILD, { data: { childResult: "ok" } }, StepStatus.Completed), DISCOVER],
    },
    {
      name: "step.resolved with failed → {error} saved as failed + discovery",
      state: state({ steps: { [CHILD]: StepStatus.Invoking } }),
      input: { kind: "step.resolved", stepId: CHILD, result: undefined, failed: timeout },
      expected: [save(CHILD, { error: timeout }, StepStatus.Failed), DISCOVER],
    },
    {
      name: "step.resolved for an unknown step → nothing",
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [],
    },
    {
      name: "step.resolved for a memoized step (late duplicate) → nothing",
      state: state({ steps: { [NAP]: StepStatus.Completed } }),
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [],
    },
    {
      name: "step.resolved for a step memoized as failed → nothing",
      state: state({ steps: { [CHILD]: StepStatus.Failed } }),
      input: { kind: "step.resolved", stepId: CHILD, result: { data: 1 } },
      expected: [],
    },
    {
      name: "step.resolved with forceStepPlan (v2) and nothing planned → forceStepPlan reset",
      state: state({ steps: { [NAP]: StepStatus.Sleeping }, forceStepPlan: true }),
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [
        save(NAP, null, StepStatus.Completed),
        DISCOVER,
        { kind: "run.update", forceStepPlan: false },
      ],
    },
    {
      name: "step.resolved with forceStepPlan (v2) while a step is planned → no reset",
      state: state({
        steps: { [NAP]: StepStatus.Sleeping, [P1]: StepStatus.Planned },
        forceStepPlan: true,
      }),
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [save(NAP, null, StepStatus.Completed), DISCOVER],
    },
    {
      name: "step.resolved with forceStepPlan (v1) → forceStepPlan kept",
      state: state({
        steps: { [NAP]: StepStatus.Sleeping },
        forceStepPlan: true,
        requestVersion: 1,
      }),
      input: { kind: "step.resolved", stepId: NAP, result: null },
      expected: [save(NAP, null, StepStatus.Completed), DISCOVER],
    },
    {
      name: "checkpoint → each new StepRun saved with its meta, no discovery",
      input: {
        kind: "checkpoint",
        steps: [
          stepRun(A, "step-a", { hello: "bob" }, { userlandId: "step-a", durationMs: 0 }),
          stepRun(B, "step-b", 2),
        ],
      },
      expected: [
        completed(
          A,
          { hello: "bob" },
          meta("step-a", "StepRun", { userlandId: "step-a", durationMs: 0 }),
        ),
        completed(B, 2, meta("step-b", "StepRun")),
      ],
    },
    {
      name: "checkpoint → memoized steps skipped, duplicates saved once",
      state: state({ steps: { [A]: StepStatus.Completed } }),
      input: {
        kind: "checkpoint",
        steps: [stepRun(A, "step-a", 1), stepRun(B, "step-b", 2), stepRun(B, "step-b", 3)],
      },
      expected: [completed(B, 2, meta("step-b", "StepRun"))],
    },
    {
      name: "checkpoint of a step that was planned → saved",
      state: state({ steps: { [A]: StepStatus.Planned } }),
      input: { kind: "checkpoint", steps: [stepRun(A, "step-a", 1)] },
      expected: [completed(A, 1, meta("step-a", "StepRun"))],
    },
    {
      name: "empty checkpoint → nothing",
      input: { kind: "checkpoint", steps: [] },
      expected: [],
    },
    {
      name: "cancel → run.finish Cancelled with the reason",
      state: state({ steps: { [NAP]: StepStatus.Sleeping } }),
      input: { kind: "cancel", reason: "cancelled by event demo/cancel" },
      expected: [
        {
          kind: "run.finish",
          status: "Cancelled",
          error: { name: "Cancelled", message: "cancelled by event demo/cancel" },
        },
      ],
    },
  ]);
});

describe("decide: a terminal run ignores every input", () => {
  const inputs: [string, EngineInput][] = [
    ["StepRun", ops(discovery(), [stepRun(A, "step-a", 1)])],
    ["StepError", ops(discovery(), [stepError(FAIL, "failing-step")])],
    ["RunComplete", ops(discovery(), [runComplete(1)])],
    ["complete", response(discovery(), { type: "complete", data: 1 })],
    ["transport", response(discovery(), { type: "transport", message: "x" })],
    ["step.resolved", { kind: "step.resolved", stepId: NAP, result: null }],
    ["checkpoint", { kind: "checkpoint", steps: [stepRun(A, "step-a", 1)] }],
    ["cancel", { kind: "cancel", reason: "again" }],
  ];
  const statuses: RunStatus[] = ["Completed", "Failed", "Cancelled"];
  const cases = statuses.flatMap((status) =>
    inputs.map(([name, input]): Case => ({
      name: `${status} run + ${name} → []`,
      state: state({ status, steps: { [NAP]: StepStatus.Sleeping } }),
      input,
      expected: [],
    })),
  );
  table(cases);

  it("a Queued run is not terminal", () => {
    const input: EngineInput = { kind: "cancel", reason: "r" };
    expect(decide(state({ status: "Queued" }), input, CTX)).toStrictEqual([
      { kind: "run.finish", status: "Cancelled", error: { name: "Cancelled", message: "r" } },
    ]);
  });
});

describe("decide is pure", () => {
  it("does not mutate the state it is given", () => {
    const s = state({
      steps: { [P1]: StepStatus.Planned, [P2]: StepStatus.Planned },
      forceStepPlan: true,
    });
    const before = [...s.steps.entries()].map(([id, step]) => [id, { ...step }]);
    decide(s, ops(item(P1), [stepRun(P1, "par-1", "one")]), CTX);
    decide(s, ops(discovery(), [stepPlanned(A, "step-a"), sleep(NAP, "nap", "1m")]), CTX);
    expect([...s.steps.entries()]).toStrictEqual(before);
    expect(s.forceStepPlan).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Backoff

describe("exponentialBackoff", () => {
  it.each([
    { attempt: 0, ms: 1_000 },
    { attempt: 1, ms: 1_000 },
    { attempt: 2, ms: 2_000 },
    { attempt: 3, ms: 4_000 },
    { attempt: 4, ms: 8_000 },
    { attempt: 10, ms: 512_000 },
    { attempt: 11, ms: 600_000 },
    { attempt: 20, ms: 600_000 },
  ])("base 1 s, default cap 10 min: attempt $attempt → $ms ms", ({ attempt, ms }) => {
    expect(exponentialBackoff(1_000)(attempt)).toBe(ms);
  });

  it.each([
    { attempt: 1, ms: 15_000 },
    { attempt: 2, ms: 30_000 },
    { attempt: 3, ms: 60_000 },
    { attempt: 4, ms: 100_000 },
  ])("base 15 s, cap 100 s: attempt $attempt → $ms ms", ({ attempt, ms }) => {
    expect(exponentialBackoff(15_000, 100_000)(attempt)).toBe(ms);
  });
});
