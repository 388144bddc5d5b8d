/**
 * `classifyResponse()` / `parseRetryAfter()`: HTTP answer in, outcome out (spec §3.3, §6).
 */
import { type Opcode, StepId } from "@ingot/protocol";
import { describe, expect, it } from "vitest";
import {
  classifyResponse,
  parseRetryAfter,
  type SdkHttpResponse,
  type SdkOutcome,
} from "../src/index.js";

const NOW = 1_000_000;
const DAY_MS = 24 * 3_600_000;

/** Headers of a v4 SDK answer (spec §3.3). */
const SDK: Record<string, string> = {
  "content-type": "application/json",
  "x-inngest-sdk": "inngest-js:v4.24.0",
  "x-inngest-sdk-handled": "true",
  "x-inngest-req-version": "2",
};

/** An answer whose text is the JSON of `body` (or `text` when the body is not JSON). */
function answer(
  status: number,
  body: unknown,
  headers: Record<string, string | undefined> = SDK,
  text?: string,
): SdkHttpResponse {
  return {
    status,
    headers,
    body,
    text: text ?? (body === undefined ? "" : JSON.stringify(body)),
  };
}

const STEP_A = "1419522417cff8c6ddd205cc9882d16411490c09";
const RAW_STEP_RUN = {
  id: STEP_A,
  op: "StepRun",
  name: "step-a",
  opts: {},
  displayName: "step-a",
  userland: { id: "step-a" },
  data: { hello: "bob" },
  timing: { a: 1_795_315_652_188_000_000, b: 0 },
};
const STEP_RUN: Opcode = {
  id: StepId(STEP_A),
  displayName: "step-a",
  userlandId: "step-a",
  opts: {},
  kind: "StepRun",
  data: { hello: "bob" },
  startedAt: 1_795_315_652_188,
  durationMs: 0,
};
const RAW_STEP_ERROR = {
  id: "5703c5615703c5615703c5615703c5615703c561",
  op: "StepError",
  name: "failing-step",
  error: { name: "Error", message: "step boom", stack: "Error: step boom", __serialized: true },
  data: null,
};
const STEP_ERROR: Opcode = {
  id: StepId("5703c5615703c5615703c5615703c5615703c561"),
  displayName: "failing-step",
  opts: {},
  kind: "StepError",
  error: { name: "Error", message: "step boom", stack: "Error: step boom" },
};
const PLAIN_BOOM = {
  name: "Error",
  message: "plain boom",
  stack: "Error: plain boom\n at …",
  __serialized: true,
};
const NOT_FOUND = {
  error: 'Could not find step "76272dc4" to run; timed out. Found new steps: \nnap (c2640f79).',
  requestedStep: "76272dc4",
  foundSteps: [{ id: "c2640f79", name: "1m", displayName: "nap" }],
  totalFoundSteps: 1,
};

interface Case {
  name: string;
  response: SdkHttpResponse;
  expected: SdkOutcome;
}

describe("classifyResponse (spec §3.3)", () => {
  const cases: Case[] = [
    // 200
    {
      name: "200 + JSON → complete with the body",
      response: answer(200, { ok: true }),
      expected: { type: "complete", data: { ok: true } },
    },
    {
      name: "200 null (handler returned undefined) → complete with null",
      response: answer(200, null),
      expected: { type: "complete", data: null },
    },
    {
      name: "200 that is not JSON → transport",
      response: answer(200, undefined, SDK, "OK"),
      expected: { type: "transport", message: 'HTTP 200 "OK" is not the JSON an SDK answers with' },
    },
    // 206
    {
      name: "206 [StepRun] → ops, x-inngest-req-version 2 captured",
      response: answer(206, [RAW_STEP_RUN]),
      expected: { type: "ops", ops: [STEP_RUN], requestVersion: 2 },
    },
    {
      name: "206 from v3 → x-inngest-req-version 1 captured",
      response: answer(206, [RAW_STEP_RUN], { ...SDK, "x-inngest-req-version": "1" }),
      expected: { type: "ops", ops: [STEP_RUN], requestVersion: 1 },
    },
    {
      name: "206 without x-inngest-req-version → no requestVersion",
      response: answer(206, [RAW_STEP_RUN], { ...SDK, "x-inngest-req-version": undefined }),
      expected: { type: "ops", ops: [STEP_RUN] },
    },
    {
      name: "206 with a non-numeric x-inngest-req-version → no requestVersion",
      response: answer(206, [RAW_STEP_RUN], { ...SDK, "x-inngest-req-version": "two" }),
      expected: { type: "ops", ops: [STEP_RUN] },
    },
    {
      name: "206 [] → ops with nothing to do",
      response: answer(206, []),
      expected: { type: "ops", ops: [], requestVersion: 2 },
    },
    {
      name: "206 [StepError] with retry-after 30 (RetryAfterError in a step) → retryAfterMs",
      response: answer(206, [RAW_STEP_ERROR], {
        ...SDK,
        "x-inngest-no-retry": "false",
        "retry-after": "30",
      }),
      expected: { type: "ops", ops: [STEP_ERROR], requestVersion: 2, retryAfterMs: 30_000 },
    },
    {
      name: "206 that is not JSON → transport",
      response: answer(206, undefined, SDK, "<html>"),
      expected: {
        type: "transport",
        message: 'HTTP 206 "<html>" is not the JSON an SDK answers with',
      },
    },
    {
      name: "206 with an opcode missing a required field → transport with the reason",
      response: answer(206, [{ id: "c2640f79", op: "Sleep", opts: {} }]),
      expected: {
        type: "transport",
        message:
          'app answered 206 with invalid opcodes: Sleep c2640f79: expected a duration in "name"',
      },
    },
    // 4xx / 5xx from the SDK
    {
      name: "500 + no-retry false → retriable error, __serialized dropped",
      response: answer(500, PLAIN_BOOM, { ...SDK, "x-inngest-no-retry": "false" }),
      expected: {
        type: "error",
        error: { name: "Error", message: "plain boom", stack: "Error: plain boom\n at …" },
        retriable: true,
      },
    },
    {
      name: "500 without x-inngest-no-retry → retriable",
      response: answer(500, PLAIN_BOOM),
      expected: {
        type: "error",
        error: { name: "Error", message: "plain boom", stack: "Error: plain boom\n at …" },
        retriable: true,
      },
    },
    {
      name: "400 + no-retry true (NonRetriableError / v4 final attempt) → not retriable",
      response: answer(
        400,
        { name: "NonRetriableError", message: "no retry please", stack: "", __serialized: true },
        { ...SDK, "x-inngest-no-retry": "true" },
      ),
      expected: {
        type: "error",
        error: { name: "NonRetriableError", message: "no retry please", stack: "" },
        retriable: false,
      },
    },
    {
      name: "400 from the SDK without x-inngest-no-retry → retriable",
      response: answer(400, { name: "Error", message: "bad" }),
      expected: { type: "error", error: { name: "Error", message: "bad" }, retriable: true },
    },
    {
      name: "500 + no-retry true → not retriable",
      response: answer(
        500,
        { name: "Error", message: "x" },
        { ...SDK, "x-inngest-no-retry": "true" },
      ),
      expected: { type: "error", error: { name: "Error", message: "x" }, retriable: false },
    },
    {
      name: "500 RetryAfterError with retry-after 30 → retryAfterMs 30 000",
      response: answer(
        500,
        { name: "RetryAfterError", message: "later please", __serialized: true },
        { ...SDK, "x-inngest-no-retry": "false", "retry-after": "30" },
      ),
      expected: {
        type: "error",
        error: { name: "RetryAfterError", message: "later please" },
        retriable: true,
        retryAfterMs: 30_000,
      },
    },
    {
      name: "500 with retry-after as an ISO date 60 s ahead → retryAfterMs 60 000",
      response: answer(
        500,
        { name: "RetryAfterError", message: "later" },
        { ...SDK, "retry-after": new Date(NOW + 60_000).toISOString() },
      ),
      expected: {
        type: "error",
        error: { name: "RetryAfterError", message: "later" },
        retriable: true,
        retryAfterMs: 60_000,
      },
    },
    {
      name: "500 with retry-after as an HTTP date 60 s ahead → retryAfterMs 60 000",
      response: answer(
        500,
        { name: "RetryAfterError", message: "later" },
        { ...SDK, "retry-after": new Date(NOW + 60_000).toUTCString() },
      ),
      expected: {
        type: "error",
        error: { name: "RetryAfterError", message: "later" },
        retriable: true,
        retryAfterMs: 60_000,
      },
    },
    {
      name: "500 with retry-after of 2 days → clamped to 24 h",
      response: answer(500, { name: "Error", message: "x" }, { ...SDK, "retry-after": "172800" }),
      expected: {
        type: "error",
        error: { name: "Error", message: "x" },
        retriable: true,
        retryAfterMs: DAY_MS,
      },
    },
    {
      name: "500 with an unparsable retry-after → no retryAfterMs",
      response: answer(500, { name: "Error", message: "x" }, { ...SDK, "retry-after": "soon" }),
      expected: { type: "error", error: { name: "Error", message: "x" }, retriable: true },
    },
    {
      name: '500 {error: "Could not find step …"} → retriable error with that message',
      response: answer(500, NOT_FOUND, { ...SDK, "x-inngest-no-retry": "false" }),
      expected: {
        type: "error",
        error: { name: "Error", message: NOT_FOUND.error },
        retriable: true,
      },
    },
    {
      name: "500 SDK internal error (unknown fnId) → retriable error keeping its fields",
      response: answer(500, {
        type: "internal",
        name: "Error",
        message:
          'Function "proto-app-nope" was not found in this app; is the app synced correctly?',
        stack: "Error: Function …",
      }),
      expected: {
        type: "error",
        error: {
          type: "internal",
          name: "Error",
          message:
            'Function "proto-app-nope" was not found in this app; is the app synced correctly?',
          stack: "Error: Function …",
        },
        retriable: true,
      },
    },
    {
      name: "500 from the SDK with a non-JSON body → error naming the status and text",
      response: answer(500, undefined, SDK, "boom"),
      expected: {
        type: "error",
        error: { name: "Error", message: 'app answered HTTP 500 "boom"' },
        retriable: true,
      },
    },
    {
      name: "401 bad signature (only x-inngest-sdk-handled kept) → retriable error",
      response: answer(401, { message: "Unauthorized" }, { "x-inngest-sdk-handled": "true" }),
      expected: {
        type: "error",
        error: { name: "Error", message: "Unauthorized" },
        retriable: true,
      },
    },
    // Not from an SDK
    {
      name: "502 HTML from a proxy (no x-inngest-sdk) → transport, whitespace collapsed",
      response: answer(
        502,
        undefined,
        { "content-type": "text/html" },
        "<html>\n  <body>Bad   gateway</body>\n</html>",
      ),
      expected: {
        type: "transport",
        message:
          'HTTP 502 "<html> <body>Bad gateway</body> </html>" did not come from an Inngest SDK',
      },
    },
    {
      name: "200 JSON without any SDK header → transport",
      response: answer(200, { ok: true }, { "content-type": "application/json" }),
      expected: {
        type: "transport",
        message: 'HTTP 200 "{"ok":true}" did not come from an Inngest SDK',
      },
    },
    {
      name: "206 opcodes without any SDK header → transport",
      response: answer(206, [RAW_STEP_RUN], {}),
      expected: {
        type: "transport",
        message: `HTTP 206 "${JSON.stringify([RAW_STEP_RUN]).slice(0, 200)}" did not come from an Inngest SDK`,
      },
    },
    {
      name: "a status the SDK does not use (302) → transport",
      response: answer(302, undefined, SDK, ""),
      expected: { type: "transport", message: "HTTP 302 is not a status the SDK uses" },
    },
    {
      name: "201 streaming envelope (not unwrapped) → transport",
      response: answer(201, { status: 200, headers: {}, body: "{}", version: 2 }, SDK, "  {…}"),
      expected: { type: "transport", message: 'HTTP 201 "{…}" is not a status the SDK uses' },
    },
  ];

  it.each(cases)("$name", ({ response, expected }) => {
    expect(classifyResponse(response, NOW)).toStrictEqual(expected);
  });

  it("206 with a body that is not an array → transport naming the opcode error", () => {
    const outcome = classifyResponse(answer(206, { op: "StepRun" }), NOW);
    expect(outcome.type).toBe("transport");
    if (outcome.type !== "transport") return;
    expect(outcome.message).toMatch(
      /^app answered 206 with invalid opcodes: expected a JSON array of opcodes: /,
    );
  });

  it("206 with an element lacking `op` → transport", () => {
    const outcome = classifyResponse(answer(206, [{ id: STEP_A, data: 1 }]), NOW);
    expect(outcome.type).toBe("transport");
  });

  // Regression (was a bug): spec §3.3 "Go treats a 2xx response without `x-inngest-sdk` as 'not from an SDK' →
  // error" and §6 lists "2xx without x-inngest-sdk" as a transport failure. classifyResponse also
  // accepts `x-inngest-sdk-handled` alone (which a real SDK only sends by itself on a 401 after a
  // failed signature check), so a 2xx carrying only that header completes the run.
  it("200 with only x-inngest-sdk-handled (no x-inngest-sdk) → transport", () => {
    const outcome = classifyResponse(
      answer(200, { ok: true }, { "x-inngest-sdk-handled": "true" }),
      NOW,
    );
    expect(outcome.type).toBe("transport");
  });
});

describe("parseRetryAfter (spec §3.3)", () => {
  it.each<{ value: string | undefined; expected: number | undefined }>([
    { value: undefined, expected: undefined },
    { value: "", expected: undefined },
    { value: "   ", expected: undefined },
    { value: "30", expected: 30_000 },
    { value: " 30 ", expected: 30_000 },
    { value: "1", expected: 1_000 },
    { value: "1.5", expected: 1_500 },
    { value: "86400", expected: DAY_MS },
    { value: "86401", expected: DAY_MS },
    { value: "999999999", expected: DAY_MS },
    { value: new Date(NOW + 90_000).toISOString(), expected: 90_000 },
    { value: "1970-01-01T00:18:10Z", expected: 90_000 },
    { value: "1970-01-01T01:18:10+01:00", expected: 90_000 },
    { value: "Thu, 01 Jan 1970 00:18:10 GMT", expected: 90_000 },
    { value: "2030-01-01T00:00:00.000Z", expected: DAY_MS },
    { value: "soon", expected: undefined },
    { value: "30s", expected: undefined },
    { value: "-30", expected: undefined },
  ])("$value → $expected", ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  // Regression (was a bug): spec §3.3 Retry-After is "clamped to [1 s, 24 h]" (Go: consts.MinRetryDuration = 1 s).
  // parseRetryAfter clamps to [0, 24 h], so `Retry-After: 0` retries at once.
  it('"0" → clamped up to 1 s', () => {
    expect(parseRetryAfter("0", NOW)).toBe(1_000);
  });

  // Regression (was a bug): same lower bound (spec §3.3): a date in the past should mean "retry after 1 s", not 0.
  it("a date in the past → clamped up to 1 s", () => {
    expect(parseRetryAfter("1970-01-01T00:00:00Z", NOW)).toBe(1_000);
  });

  // Regression (was a bug): spec §3.3 Retry-After is seconds or an RFC 3339 / HTTP date. "-5" is neither, but V8's
  // lenient Date.parse reads it as the year 2001, so with now = 1 000 000 it becomes a 24 h delay
  // (and with a real clock, 0). Expected: ignored (undefined → backoff), or at most the 1 s floor.
  it('"-5" is not read as a date', () => {
    const ms = parseRetryAfter("-5", NOW);
    expect(ms === undefined || ms <= 1_000).toBe(true);
  });
});
