/**
 * `parseOpcodes()`: `206` bodies from the spec's transcripts (§3.4, §5.1, §10) in, opcodes out.
 */
import { describe, expect, it } from "vitest";
import { type Opcode, OpcodeError, parseOpcodes, StepId, toSerializedError } from "../src/index.js";

const TS_NS = 1_795_315_652_188_000_000;
const TS_MS = 1_795_315_652_188;

interface Case {
  name: string;
  raw: Record<string, unknown>;
  expected: Opcode;
}

const cases: Case[] = [
  {
    name: "T5 #1 StepRun executed immediately (timing in ns → ms)",
    raw: {
      id: "1419522417cff8c6ddd205cc9882d16411490c09",
      op: "StepRun",
      name: "step-a",
      opts: {},
      displayName: "step-a",
      userland: { id: "step-a" },
      data: { hello: "bob" },
      timing: { a: TS_NS, b: 0 },
    },
    expected: {
      id: StepId("1419522417cff8c6ddd205cc9882d16411490c09"),
      displayName: "step-a",
      userlandId: "step-a",
      opts: {},
      kind: "StepRun",
      data: { hello: "bob" },
      startedAt: TS_MS,
      durationMs: 0,
    },
  },
  {
    name: "T5 #10 StepRun of step.sendEvent (opts.type, 4 ms duration)",
    raw: {
      id: "5cebd8c5",
      op: "StepRun",
      name: "sendEvent",
      opts: { type: "step.sendEvent" },
      displayName: "send-it",
      userland: { id: "send-it" },
      data: { ids: ["Y1VC1Y8PASM211M8RY3TSV0SAE"] },
      timing: { a: TS_NS, b: 4_000_000 },
    },
    expected: {
      id: StepId("5cebd8c5"),
      displayName: "send-it",
      userlandId: "send-it",
      opts: { type: "step.sendEvent" },
      kind: "StepRun",
      data: { ids: ["Y1VC1Y8PASM211M8RY3TSV0SAE"] },
      startedAt: TS_MS,
      durationMs: 4,
    },
  },
  {
    name: "T6 StepRun of a repeated id: no displayName → name; userland.index ignored",
    raw: {
      id: "5be312e3",
      op: "StepRun",
      name: "same-id",
      userland: { id: "same-id", index: 1 },
      data: 1,
    },
    expected: {
      id: StepId("5be312e3"),
      displayName: "same-id",
      userlandId: "same-id",
      opts: {},
      kind: "StepRun",
      data: 1,
    },
  },
  {
    name: "T6 StepRun with a display name different from the id",
    raw: {
      id: "b6271470",
      op: "StepRun",
      name: "named",
      displayName: "A pretty name",
      userland: { id: "named" },
      data: "n",
    },
    expected: {
      id: StepId("b6271470"),
      displayName: "A pretty name",
      userlandId: "named",
      opts: {},
      kind: "StepRun",
      data: "n",
    },
  },
  {
    name: "T7 StepRun with opts.input; unknown internal fields ignored",
    raw: {
      id: "02cc3055",
      op: "StepRun",
      name: "with-input",
      opts: { input: [1, 2] },
      data: 3,
      mode: "sync",
      metadata: { x: 1 },
    },
    expected: {
      id: StepId("02cc3055"),
      displayName: "with-input",
      opts: { input: [1, 2] },
      kind: "StepRun",
      data: 3,
    },
  },
  {
    name: "StepRun without data, null name/displayName/userland/opts → data null, id as name",
    raw: { id: "abc", op: "StepRun", name: null, displayName: null, userland: null, opts: null },
    expected: { id: StepId("abc"), displayName: "abc", opts: {}, kind: "StepRun", data: null },
  },
  {
    name: "T8 StepError: __serialized dropped from the error",
    raw: {
      id: "5703c561",
      op: "StepError",
      name: "failing-step",
      error: { name: "Error", message: "step boom", stack: "Error: step boom", __serialized: true },
      timing: { a: TS_NS, b: 1_000_000 },
      data: null,
    },
    expected: {
      id: StepId("5703c561"),
      displayName: "failing-step",
      opts: {},
      kind: "StepError",
      error: { name: "Error", message: "step boom", stack: "Error: step boom" },
    },
  },
  {
    name: "StepError whose error is a bare string → {name: Error, message}",
    raw: { id: "5703c561", op: "StepError", name: "failing-step", error: "boom" },
    expected: {
      id: StepId("5703c561"),
      displayName: "failing-step",
      opts: {},
      kind: "StepError",
      error: { name: "Error", message: "boom" },
    },
  },
  {
    name: "T8 StepFailed: error taken from `error`",
    raw: {
      id: "5703c561",
      op: "StepFailed",
      name: "failing-step",
      error: { name: "Error", message: "step boom", stack: "Error: step boom", __serialized: true },
      data: { __serialized: true, name: "Error", message: "step boom", stack: "" },
    },
    expected: {
      id: StepId("5703c561"),
      displayName: "failing-step",
      opts: {},
      kind: "StepFailed",
      error: { name: "Error", message: "step boom", stack: "Error: step boom" },
    },
  },
  {
    name: "T8 StepFailed (NonRetriableError) with only `data` → error taken from data",
    raw: {
      id: "8aa1",
      op: "StepFailed",
      name: "failing-step-nr",
      data: { __serialized: true, name: "NonRetriableError", message: "nope", stack: "" },
    },
    expected: {
      id: StepId("8aa1"),
      displayName: "failing-step-nr",
      opts: {},
      kind: "StepFailed",
      error: { name: "NonRetriableError", message: "nope", stack: "" },
    },
  },
  {
    name: "T5 #5 StepPlanned (Promise.all branch) → race false",
    raw: {
      displayName: "par-1",
      op: "StepPlanned",
      id: "967645bba865793700eb20fa19806cc81aa91404",
      name: "par-1",
      opts: {},
      userland: { id: "par-1" },
    },
    expected: {
      id: StepId("967645bba865793700eb20fa19806cc81aa91404"),
      displayName: "par-1",
      userlandId: "par-1",
      opts: {},
      kind: "StepPlanned",
      race: false,
    },
  },
  {
    name: "T7 StepPlanned with parallelMode race → race true",
    raw: { op: "StepPlanned", id: "5573e39b", name: "r1", opts: { parallelMode: "race" } },
    expected: {
      id: StepId("5573e39b"),
      displayName: "r1",
      opts: { parallelMode: "race" },
      kind: "StepPlanned",
      race: true,
    },
  },
  {
    name: 'T5 #2 Sleep "1m": duration in name',
    raw: {
      displayName: "nap",
      op: "Sleep",
      id: "c2640f79b4ed481b838ce4ad75330aa3f825d4d9",
      name: "1m",
      opts: {},
      userland: { id: "nap" },
      data: null,
    },
    expected: {
      id: StepId("c2640f79b4ed481b838ce4ad75330aa3f825d4d9"),
      displayName: "nap",
      userlandId: "nap",
      opts: {},
      kind: "Sleep",
      until: "1m",
    },
  },
  {
    name: "T5 #9 sleepUntil: ISO date in name",
    raw: {
      displayName: "until",
      op: "Sleep",
      id: "b310f4d4",
      name: "2030-01-01T00:00:00.000Z",
      opts: {},
      userland: { id: "until" },
    },
    expected: {
      id: StepId("b310f4d4"),
      displayName: "until",
      userlandId: "until",
      opts: {},
      kind: "Sleep",
      until: "2030-01-01T00:00:00.000Z",
    },
  },
  {
    name: "Sleep with opts.duration and no name (other SDKs) → duration from opts",
    raw: { op: "Sleep", id: "c2640f79", displayName: "nap", opts: { duration: "30s" } },
    expected: {
      id: StepId("c2640f79"),
      displayName: "nap",
      opts: { duration: "30s" },
      kind: "Sleep",
      until: "30s",
    },
  },
  {
    name: "T5 #3 WaitForEvent: event in name, opts.timeout and opts.if",
    raw: {
      displayName: "wait-approve",
      op: "WaitForEvent",
      id: "70deb255f3eae33fa42d8fc0164f19abb33197db",
      name: "demo/approved",
      opts: { timeout: "1h", if: "event.data.id == async.data.id" },
      userland: { id: "wait-approve" },
      data: null,
    },
    expected: {
      id: StepId("70deb255f3eae33fa42d8fc0164f19abb33197db"),
      displayName: "wait-approve",
      userlandId: "wait-approve",
      opts: { timeout: "1h", if: "event.data.id == async.data.id" },
      kind: "WaitForEvent",
      event: "demo/approved",
      timeout: "1h",
      if: "event.data.id == async.data.id",
    },
  },
  {
    name: 'WaitForEvent with if "" and opts.event instead of name → no if, event from opts',
    raw: {
      op: "WaitForEvent",
      id: "70deb255",
      displayName: "w",
      name: null,
      opts: { event: "demo/x", timeout: "2030-01-01T00:00:00.000Z", if: "" },
    },
    expected: {
      id: StepId("70deb255"),
      displayName: "w",
      opts: { event: "demo/x", timeout: "2030-01-01T00:00:00.000Z", if: "" },
      kind: "WaitForEvent",
      event: "demo/x",
      timeout: "2030-01-01T00:00:00.000Z",
    },
  },
  {
    name: "T7 WaitForSignal: opts.signal and opts.timeout",
    raw: {
      op: "WaitForSignal",
      id: "b3ed2cf3",
      name: "my-signal",
      opts: { signal: "my-signal", timeout: "5m" },
    },
    expected: {
      id: StepId("b3ed2cf3"),
      displayName: "my-signal",
      opts: { signal: "my-signal", timeout: "5m" },
      kind: "WaitForSignal",
      signal: "my-signal",
      timeout: "5m",
    },
  },
  {
    name: "WaitForSignal with conflict, signal only in name",
    raw: {
      op: "WaitForSignal",
      id: "b3ed2cf3",
      name: "sig-2",
      displayName: "wait-sig",
      opts: { timeout: "1h", conflict: "replace" },
    },
    expected: {
      id: StepId("b3ed2cf3"),
      displayName: "wait-sig",
      opts: { timeout: "1h", conflict: "replace" },
      kind: "WaitForSignal",
      signal: "sig-2",
      timeout: "1h",
      conflict: "replace",
    },
  },
  {
    name: "T5 #8 InvokeFunction: function_id, payload, timeout",
    raw: {
      displayName: "call-child",
      op: "InvokeFunction",
      id: "93f72581df96e9a8f01f1481b3570b4e9370a0a6",
      opts: {
        payload: { data: { user: "u1" } },
        function_id: "proto-app-child-fn",
        timeout: "10m",
      },
      userland: { id: "call-child" },
      data: null,
    },
    expected: {
      id: StepId("93f72581df96e9a8f01f1481b3570b4e9370a0a6"),
      displayName: "call-child",
      userlandId: "call-child",
      opts: {
        payload: { data: { user: "u1" } },
        function_id: "proto-app-child-fn",
        timeout: "10m",
      },
      kind: "InvokeFunction",
      functionId: "proto-app-child-fn",
      payload: { data: { user: "u1" } },
      timeout: "10m",
    },
  },
  {
    name: 'InvokeFunction with timeout "" and no payload → no timeout, payload {}',
    raw: {
      op: "InvokeFunction",
      id: "93f72581",
      displayName: "call-child",
      opts: { function_id: "proto-app-child-fn", timeout: "" },
    },
    expected: {
      id: StepId("93f72581"),
      displayName: "call-child",
      opts: { function_id: "proto-app-child-fn", timeout: "" },
      kind: "InvokeFunction",
      functionId: "proto-app-child-fn",
      payload: {},
    },
  },
  {
    name: "T5 #4 / §5.1 AIGateway: opts become the request (auth_key kept for the call)",
    raw: {
      displayName: "ask-ai",
      op: "AIGateway",
      id: "e294cad6cd5e508ea05becdf564662f5ccae27a3",
      opts: {
        type: "step.ai.infer",
        url: "http://127.0.0.1:8288/openai/v1/chat/completions",
        auth_key: "sk-test-123",
        format: "openai-chat",
        body: { messages: [{ role: "user", content: "Say hi" }], model: "gpt-4o-mini" },
      },
      userland: { id: "ask-ai" },
      data: null,
    },
    expected: {
      id: StepId("e294cad6cd5e508ea05becdf564662f5ccae27a3"),
      displayName: "ask-ai",
      userlandId: "ask-ai",
      opts: {
        type: "step.ai.infer",
        url: "http://127.0.0.1:8288/openai/v1/chat/completions",
        auth_key: "sk-test-123",
        format: "openai-chat",
        body: { messages: [{ role: "user", content: "Say hi" }], model: "gpt-4o-mini" },
      },
      kind: "AIGateway",
      request: {
        type: "step.ai.infer",
        url: "http://127.0.0.1:8288/openai/v1/chat/completions",
        auth_key: "sk-test-123",
        format: "openai-chat",
        body: { messages: [{ role: "user", content: "Say hi" }], model: "gpt-4o-mini" },
      },
    },
  },
  {
    name: "AIGateway (anthropic) with headers; missing format defaults to openai-chat",
    raw: {
      op: "AIGateway",
      id: "e294",
      displayName: "ask",
      opts: {
        url: "https://api.anthropic.com/v1/messages",
        headers: { "anthropic-version": "2023-06-01" },
        body: { model: "claude" },
      },
    },
    expected: {
      id: StepId("e294"),
      displayName: "ask",
      opts: {
        url: "https://api.anthropic.com/v1/messages",
        headers: { "anthropic-version": "2023-06-01" },
        body: { model: "claude" },
      },
      kind: "AIGateway",
      request: {
        url: "https://api.anthropic.com/v1/messages",
        format: "openai-chat",
        headers: { "anthropic-version": "2023-06-01" },
        body: { model: "claude" },
      },
    },
  },
  {
    name: "T7 Gateway (step.fetch): opts become the request",
    raw: {
      op: "Gateway",
      id: "cddbefbc",
      displayName: "step.fetch: example.com",
      opts: {
        url: "https://example.com/api?q=1",
        method: "POST",
        headers: { "x-a": "b" },
        body: "hi",
      },
    },
    expected: {
      id: StepId("cddbefbc"),
      displayName: "step.fetch: example.com",
      opts: {
        url: "https://example.com/api?q=1",
        method: "POST",
        headers: { "x-a": "b" },
        body: "hi",
      },
      kind: "Gateway",
      request: {
        url: "https://example.com/api?q=1",
        method: "POST",
        headers: { "x-a": "b" },
        body: "hi",
      },
    },
  },
  {
    name: "Gateway without method → GET",
    raw: { op: "Gateway", id: "cddbefbc", displayName: "f", opts: { url: "https://example.com" } },
    expected: {
      id: StepId("cddbefbc"),
      displayName: "f",
      opts: { url: "https://example.com" },
      kind: "Gateway",
      request: { url: "https://example.com", method: "GET" },
    },
  },
  {
    name: "T9 #11 RunComplete: id = sha1('complete'), data = return value",
    raw: {
      op: "RunComplete",
      id: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c",
      data: { a: { hello: "bob" } },
    },
    expected: {
      id: StepId("0737c22d3bfae812339732d14d8c7dbd6dc4e09c"),
      displayName: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c",
      opts: {},
      kind: "RunComplete",
      data: { a: { hello: "bob" } },
    },
  },
  {
    name: "RunComplete of a function returning undefined → data null",
    raw: { op: "RunComplete", id: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c" },
    expected: {
      id: StepId("0737c22d3bfae812339732d14d8c7dbd6dc4e09c"),
      displayName: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c",
      opts: {},
      kind: "RunComplete",
      data: null,
    },
  },
  {
    name: "DiscoveryRequest",
    raw: { op: "DiscoveryRequest", id: "d15c" },
    expected: { id: StepId("d15c"), displayName: "d15c", opts: {}, kind: "DiscoveryRequest" },
  },
  {
    name: "DeferAdd (experimental, lazy) → Unknown keeping the op name",
    raw: { op: "DeferAdd", id: "def1", opts: { fn_slug: "app-later", input: {} } },
    expected: {
      id: StepId("def1"),
      displayName: "def1",
      opts: { fn_slug: "app-later", input: {} },
      kind: "Unknown",
      op: "DeferAdd",
    },
  },
  {
    name: "legacy StepNotFound → Unknown",
    raw: { op: "StepNotFound", id: "nf" },
    expected: {
      id: StepId("nf"),
      displayName: "nf",
      opts: {},
      kind: "Unknown",
      op: "StepNotFound",
    },
  },
];

describe("parseOpcodes: transcript shapes (spec §3.4, §10)", () => {
  it.each(cases)("$name", ({ raw, expected }) => {
    expect(parseOpcodes([raw])).toStrictEqual([expected]);
  });

  it("[] → []", () => {
    expect(parseOpcodes([])).toStrictEqual([]);
  });

  it("T5 #5 two StepPlanned in one body → two opcodes, in order", () => {
    const ops = parseOpcodes([
      { op: "StepPlanned", id: "967645bb", name: "par-1", opts: {} },
      { op: "StepPlanned", id: "0da30221", name: "par-2", opts: {} },
    ]);
    expect(ops.map((op) => [op.kind, op.id])).toStrictEqual([
      ["StepPlanned", "967645bb"],
      ["StepPlanned", "0da30221"],
    ]);
  });
});

describe("parseOpcodes: malformed bodies → OpcodeError", () => {
  it.each<{ name: string; body: unknown; message: RegExp }>([
    { name: "an object", body: { op: "StepRun", id: "a" }, message: /^expected a JSON array/ },
    { name: "null", body: null, message: /^expected a JSON array/ },
    { name: "a JSON string", body: "[]", message: /^expected a JSON array/ },
    { name: "an element without op", body: [{ id: "a" }], message: /^expected a JSON array/ },
    { name: "an element without id", body: [{ op: "StepRun" }], message: /^expected a JSON array/ },
    { name: "an empty id", body: [{ op: "StepRun", id: "" }], message: /^expected a JSON array/ },
    { name: "a numeric id", body: [{ op: "StepRun", id: 1 }], message: /^expected a JSON array/ },
    {
      name: "opts that are not an object",
      body: [{ op: "StepRun", id: "a", opts: "x" }],
      message: /^expected a JSON array/,
    },
    {
      name: "Sleep without a duration",
      body: [{ op: "Sleep", id: "s1", opts: {} }],
      message: /^Sleep s1: expected a duration in "name"$/,
    },
    {
      name: "WaitForEvent without an event name",
      body: [{ op: "WaitForEvent", id: "w1", opts: { timeout: "1h" } }],
      message: /^WaitForEvent w1: expected an event name$/,
    },
    {
      name: "WaitForEvent without opts.timeout",
      body: [{ op: "WaitForEvent", id: "w1", name: "demo/approved", opts: {} }],
      message: /^WaitForEvent w1: expected opts.timeout$/,
    },
    {
      name: "WaitForSignal without a signal",
      body: [{ op: "WaitForSignal", id: "g1", opts: { timeout: "5m" } }],
      message: /^WaitForSignal g1: expected opts.signal$/,
    },
    {
      name: "WaitForSignal without opts.timeout",
      body: [{ op: "WaitForSignal", id: "g1", name: "sig", opts: { signal: "sig" } }],
      message: /^WaitForSignal g1: expected opts.timeout$/,
    },
    {
      name: "InvokeFunction without opts.function_id",
      body: [{ op: "InvokeFunction", id: "i1", opts: { payload: { data: {} } } }],
      message: /^InvokeFunction i1: expected opts.function_id$/,
    },
    {
      name: "AIGateway without url",
      body: [{ op: "AIGateway", id: "ai1", opts: { format: "openai-chat", body: {} } }],
      message: /^AIGateway ai1: expected opts \{url, format, body\}$/,
    },
    {
      name: "Gateway without url",
      body: [{ op: "Gateway", id: "f1", opts: { method: "GET" } }],
      message: /^Gateway f1: expected opts \{url, method\}$/,
    },
    {
      name: "one bad element among good ones",
      body: [
        { op: "StepRun", id: "a", data: 1 },
        { op: "Sleep", id: "s1" },
      ],
      message: /^Sleep s1: expected a duration in "name"$/,
    },
  ])("$name", ({ body, message }) => {
    expect(() => parseOpcodes(body)).toThrow(OpcodeError);
    expect(() => parseOpcodes(body)).toThrow(message);
  });
});

describe("toSerializedError (spec §3.3, §4.2)", () => {
  it.each<{ name: string; value: unknown; expected: Record<string, unknown> }>([
    {
      name: "SDK error: __serialized dropped, cause kept",
      value: { name: "Error", message: "m", stack: "s", __serialized: true, cause: { x: 1 } },
      expected: { name: "Error", message: "m", stack: "s", cause: { x: 1 } },
    },
    {
      name: "missing name and message → defaults",
      value: {},
      expected: { name: "Error", message: "Unknown error" },
    },
    { name: "a string → its message", value: "boom", expected: { name: "Error", message: "boom" } },
    {
      name: "null → Unknown error",
      value: null,
      expected: { name: "Error", message: "Unknown error" },
    },
    {
      name: "a number → Unknown error",
      value: 42,
      expected: { name: "Error", message: "Unknown error" },
    },
  ])("$name", ({ value, expected }) => {
    expect(toSerializedError(value)).toStrictEqual(expected);
  });
});
