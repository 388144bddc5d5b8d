/**
 * What every official SDK sends is accepted (key spellings, `null` for absent options), while
 * garbage is still refused with a message naming the field.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AiGatewayRequest,
  describeZodError,
  foldKey,
  FunctionConfig,
  InBandSyncResponse,
  maxAttemptsOf,
  parseOpcodes,
  RegisterRequest,
  sdkObject,
  sdkOf,
} from "../src/index.js";

const step = (url = "http://127.0.0.1:8000/api/inngest?fnId=app-f&stepId=step") => ({
  step: { id: "step", name: "step", runtime: { type: "http", url } },
});

function problems(result: { success: boolean; error?: z.ZodError }): string {
  if (result.success || !result.error) throw new Error("expected a parse failure");
  return describeZodError(result.error);
}

describe("sdkObject", () => {
  const Schema = sdkObject({ appName: z.string(), rateLimit: z.number().optional() });

  it("folds case, underscores and dashes", () => {
    expect(
      ["rate_limit", "RateLimit", "rate-limit", "ratelimit", "RATELIMIT"].map(foldKey),
    ).toEqual(Array(5).fill("ratelimit"));
    for (const key of ["appname", "app_name", "AppName", "APPNAME"])
      expect(Schema.parse({ [key]: "a" })).toEqual({ appName: "a" });
  });

  it("prefers the canonical spelling when both are sent, whatever their order", () => {
    expect(Schema.parse({ appname: "variant", appName: "canonical" })).toEqual({
      appName: "canonical",
    });
    expect(Schema.parse({ appName: "canonical", appname: "variant" })).toEqual({
      appName: "canonical",
    });
  });

  it("reads null on an optional field as absent, but not on a required one", () => {
    expect(Schema.parse({ appName: "a", rate_limit: null })).toEqual({ appName: "a" });
    expect(problems(Schema.safeParse({ appName: null }))).toMatch(/^appName: .*received null/);
  });

  it("keeps unknown keys as sent and names the canonical field in errors", () => {
    expect(Schema.parse({ appName: "a", featureObservations: { x: 1 } })).toEqual({
      appName: "a",
      featureObservations: { x: 1 },
    });
    expect(problems(Schema.safeParse({ appname: 5 }))).toMatch(/^appName: .*expected string/);
  });
});

describe("registration bodies", () => {
  it("accepts the Python SDK's spelling: appname, deploy_type, snake_case options", () => {
    const parsed = RegisterRequest.parse({
      appname: "py-app",
      deploy_type: "ping",
      url: "http://127.0.0.1:8000/api/inngest",
      functions: [
        {
          id: "py-app-f",
          name: null,
          triggers: [{ event: "a/b", expression: null }],
          steps: step(),
          batch_events: { max_size: 3, timeout: "1s", if: null },
          rate_limit: { limit: 1, period: "1m", key: null },
          concurrency: [{ limit: 2, scope: null }],
        },
      ],
    });
    expect(parsed.appName).toBe("py-app");
    expect(parsed.deployType).toBe("ping");
    expect(parsed.functions[0]).toMatchObject({
      id: "py-app-f",
      triggers: [{ event: "a/b" }],
      batchEvents: { maxSize: 3, timeout: "1s" },
      rateLimit: { limit: 1, period: "1m" },
      concurrency: [{ limit: 2 }],
    });
    expect(parsed.functions[0]).not.toHaveProperty("name");
  });

  it("refuses garbage with the path of the field", () => {
    const result = RegisterRequest.safeParse({
      appname: "py-app",
      url: "http://x",
      functions: [{ id: "f", steps: step(), rate_limit: { limit: "many", period: "1m" } }],
    });
    expect(problems(result)).toContain("functions[0].rateLimit.limit");
    expect(problems(RegisterRequest.safeParse({ url: "http://x" }))).toContain("appName");
    expect(
      problems(FunctionConfig.safeParse({ id: "f", steps: step(), triggers: [{ event: 5 }] })),
    ).toContain("triggers[0]");
  });

  it("takes the Go server's function-level retries when the step does not say", () => {
    expect(maxAttemptsOf(FunctionConfig.parse({ id: "f", steps: step(), retries: 2 }))).toBe(3);
    const stepRetries = { step: { ...step().step, retries: { attempts: 1 } } };
    expect(maxAttemptsOf(FunctionConfig.parse({ id: "f", steps: stepRetries, retries: 2 }))).toBe(
      2,
    );
  });
});

describe("what the Go SDK sends", () => {
  it("reads its function config: null step retries, function retries, scopes and hashes", () => {
    const config = FunctionConfig.parse({
      name: "Go fn",
      id: "go-app-fn",
      triggers: [{ event: "go/x" }, { cron: "0 * * * *" }],
      concurrency: [{ limit: 2, key: "event.data.user", scope: "fn", hash: "" }],
      priority: { run: null },
      throttle: { limit: 1, period: "1m0s", burst: 1, key: null },
      retries: 3,
      steps: {
        step: {
          id: "step",
          name: "Go fn",
          runtime: { url: "http://go:8080/?fnId=go-app-fn" },
          retries: null,
        },
      },
    });
    expect(config.priority).toEqual({});
    expect(config.throttle).toEqual({ limit: 1, period: "1m0s", burst: 1 });
    expect(config.steps.step).not.toHaveProperty("retries");
    expect(maxAttemptsOf(config)).toBe(4);
  });

  it("names the SDK of an in-band answer from sdk_language and sdk_version", () => {
    const base = { app_id: "a", url: "http://a", functions: [], framework: null, env: null };
    expect(
      sdkOf(InBandSyncResponse.parse({ ...base, sdk_language: "py", sdk_version: "0.5.18" })),
    ).toBe("py:v0.5.18");
    expect(sdkOf(InBandSyncResponse.parse({ ...base, sdk: "js:v4.24.0" }))).toBe("js:v4.24.0");
    expect(sdkOf(InBandSyncResponse.parse(base))).toBeNull();
  });

  it("reads its opcodes: null display name, error and data, zero timing", () => {
    const [op] = parseOpcodes([
      {
        op: "StepRun",
        id: "abc",
        name: "a",
        opts: null,
        data: null,
        error: null,
        displayName: null,
        timing: { a: 0, b: 0 },
      },
    ]);
    expect(op).toMatchObject({ kind: "StepRun", displayName: "a", data: null, opts: {} });
  });
});

describe("opcodes as the Python SDK sends them", () => {
  it("reads null opts, null name and a null userland index", () => {
    const [op] = parseOpcodes([
      {
        id: "1419522417cff8c6ddd205cc9882d16411490c09",
        op: "StepRun",
        displayName: "step-a",
        name: null,
        opts: null,
        userland: { id: "step-a", index: null },
        data: { hello: "bob" },
      },
    ]);
    expect(op).toMatchObject({
      kind: "StepRun",
      displayName: "step-a",
      userlandId: "step-a",
      opts: {},
      data: { hello: "bob" },
    });
  });

  it("still refuses a malformed opcode, naming the field", () => {
    expect(() =>
      parseOpcodes([{ id: "x", op: "StepRun", userland: { id: "a", index: "first" } }]),
    ).toThrow(/number/);
    expect(() => parseOpcodes([{ id: "", op: "StepRun" }])).toThrow();
  });

  it("reads step.ai.infer options with null headers; a null url is refused", () => {
    const opts = { auth_key: "k", body: {}, format: "anthropic", headers: null, url: "http://x" };
    expect(AiGatewayRequest.parse(opts)).toMatchObject({ format: "anthropic", auth_key: "k" });
    expect(problems(AiGatewayRequest.safeParse({ ...opts, url: null }))).toMatch(/^url:/);
  });
});
