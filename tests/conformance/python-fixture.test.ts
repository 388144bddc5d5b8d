import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AiGatewayRequest, type OpcodeKind, parseOpcodes, RegisterRequest } from "@ingot/protocol";
import { createIngotServer, createLogger, resolveConfig } from "@ingot/server";
import { describe, expect, it } from "vitest";

/**
 * Real traffic between the official Python SDK 0.5.18 and Ingot, captured by
 * python/capture.ts (FastAPI and Flask apps behind recording proxies). Ingot must keep
 * accepting exactly these shapes, and keep sending what the SDK's strict (pydantic) models read.
 */

interface Captured {
  direction: "to-app" | "to-ingot";
  method: string;
  url: string;
  request: { headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures/python-sdk-0.5.18.json"), "utf8"),
) as { exchanges: Captured[] };
const exchanges = fixture.exchanges;
const registrations = exchanges.filter((e) => e.url.startsWith("/fn/register"));
const executions = exchanges.filter((e) => e.direction === "to-app" && e.method === "POST");

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

describe("captured Python SDK traffic", () => {
  it("covers both frameworks, sync, events, executions and use_api", () => {
    const frameworks = new Set(registrations.map((e) => e.request.headers["x-inngest-framework"]));
    expect(frameworks).toEqual(new Set(["fast_api", "flask"]));
    expect(executions.length).toBeGreaterThan(40);
    expect(exchanges.some((e) => e.url.startsWith("/e/"))).toBe(true);
    expect(exchanges.some((e) => /^\/v0\/runs\/\w+\/actions/.test(e.url))).toBe(true);
  });

  it("refuses unsigned in-band sync in dev mode with 401, answering as an SDK", () => {
    const refusals = exchanges.filter(
      (e) => e.method === "PUT" && e.request.headers["x-inngest-sync-kind"] === "in_band",
    );
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal.response.status).toBe(401);
      expect(refusal.response.body).toMatchObject({
        message: "request must be signed for in-band sync",
      });
      expect(refusal.response.headers["x-inngest-sdk"]).toBe("inngest-py:v0.5.18");
    }
  });

  it("registers with appname and snake_case keys, which Ingot's schema reads", () => {
    expect(registrations.length).toBeGreaterThan(1);
    for (const registration of registrations) {
      const raw = registration.request.body as Record<string, unknown>;
      expect(Object.keys(raw)).toContain("appname");
      expect(Object.keys(raw)).toContain("deploy_type");
      expect(Object.keys(raw)).not.toContain("appName");
      const parsed = RegisterRequest.parse(raw);
      expect(parsed.appName).toBe(raw.appname);
      expect(parsed.deployType).toBe("ping");
      expect(parsed.functions.length).toBeGreaterThan(15);
      expect(registration.response.body).toMatchObject({ ok: true });
    }
  });

  it("answers the sync PUT with the registration's own answer (so its status proves nothing)", () => {
    for (const registration of registrations) {
      const syncId = new URL(registration.url, "http://x").searchParams.get("deployId");
      const put = exchanges.find(
        (e) =>
          e.method === "PUT" && e.url.includes(`deployId=${syncId}`) && e.response.status === 200,
      );
      expect(put?.response.body).toEqual(registration.response.body);
    }
  });

  it("sends opcodes with null opts, null names and userland index null; all parse", () => {
    const raw = executions
      .filter((e) => e.response.status === 206)
      .flatMap((e) => e.response.body as Record<string, unknown>[]);
    expect(raw.some((op) => op.opts === null)).toBe(true);
    expect(raw.some((op) => isObject(op.userland) && op.userland.index === null)).toBe(true);
    const kinds = new Set<OpcodeKind>(
      executions
        .filter((e) => e.response.status === 206)
        .flatMap((e) => parseOpcodes(e.response.body).map((op) => op.kind)),
    );
    for (const kind of [
      "StepRun",
      "StepPlanned",
      "StepError",
      "StepFailed",
      "Sleep",
      "WaitForEvent",
      "InvokeFunction",
      "AIGateway",
    ] as const)
      expect(kinds, kind).toContain(kind);
    expect(kinds).not.toContain("Unknown");
  });

  it("puts the provider, format, key and body in step.ai.infer options", () => {
    const ops = executions
      .filter((e) => e.response.status === 206)
      .flatMap((e) => parseOpcodes(e.response.body))
      .filter((op) => op.kind === "AIGateway");
    const formats = new Set(ops.map((op) => op.kind === "AIGateway" && op.request.format));
    expect(formats).toEqual(new Set(["openai-chat", "gemini"]));
    for (const op of ops) {
      if (op.kind !== "AIGateway") continue;
      expect(AiGatewayRequest.parse(op.opts).auth_key).toMatch(/SECRET/);
      expect(op.request.body).toHaveProperty("model");
    }
  });

  it("gets execution requests with every field its strict models require", () => {
    for (const { request } of executions) {
      const body = request.body;
      if (!isObject(body) || !isObject(body.ctx))
        throw new Error(`bad body: ${JSON.stringify(body)}`);
      const { ctx, event } = body;
      expect(typeof ctx.run_id).toBe("string");
      expect(Number.isInteger(ctx.attempt)).toBe(true);
      expect(typeof ctx.disable_immediate_execution).toBe("boolean");
      expect(isObject(ctx.stack) && Array.isArray(ctx.stack.stack)).toBe(true);
      expect(isObject(event) && typeof event.name === "string").toBe(true);
      expect(isObject(event) && Number.isInteger(event.ts)).toBe(true);
      expect(isObject(body.steps)).toBe(true);
      expect(typeof body.use_api).toBe("boolean");
      expect(request.headers["content-type"]).toBe("application/json");
    }
  });

  it("registrations replayed to a fresh server register every function", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ingot-py-fixture-"));
    const server = createIngotServer(resolveConfig("dev", { dataDir }, {}), {
      logger: createLogger({ level: "silent" }),
    });
    try {
      for (const registration of registrations.slice(0, 2)) {
        const response = await server.app.request("/fn/register", {
          method: "POST",
          headers: { "content-type": "application/json", ...registration.request.headers },
          body: JSON.stringify(registration.request.body),
        });
        expect(response.status).toBe(200);
      }
      const response = await server.app.request("/v1/functions");
      const { data } = (await response.json()) as { data: { id: string }[] };
      const expected = registrations
        .slice(0, 2)
        .flatMap((r) => (r.request.body as { functions: { id: string }[] }).functions)
        .map((fn) => fn.id);
      expect(data.map((fn) => fn.id).sort()).toEqual([...new Set(expected)].sort());
    } finally {
      await server.stop();
    }
  });
});
