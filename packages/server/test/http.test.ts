import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createIngotServer,
  hashSigningKey,
  type IngotServer,
  resolveConfig,
} from "../src/index.js";
import { silentLogger } from "../src/logger.js";

/** Routes through `app.request()`: no socket, a real SQLite store in a temp directory. */

const SIGNING_KEY = `signkey-test-${"ab".repeat(32)}`;
const servers: IngotServer[] = [];

function server(mode: "dev" | "start" = "dev", dashboardDir?: string): IngotServer {
  const dataDir = mkdtempSync(join(tmpdir(), "ingot-http-"));
  const config = resolveConfig(
    mode,
    {
      dataDir,
      maxBodyBytes: 4096,
      ...(mode === "start"
        ? { signingKey: SIGNING_KEY, eventKeys: ["evt-key-0123456789abcdef"] }
        : {}),
    },
    {},
  );
  const created = createIngotServer(config, {
    logger: silentLogger(),
    ...(dashboardDir ? { dashboardDir } : {}),
  });
  servers.push(created);
  return created;
}

afterEach(async () => {
  for (const created of servers.splice(0)) await created.stop();
});

async function call(
  s: IngotServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const response = await s.app.request(path, init);
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

const registerBody = (functions: unknown[]) => ({
  url: "http://127.0.0.1:3999/api/inngest?deployId=d1",
  appName: "http-app",
  sdk: "js:v4.24.0",
  framework: "express",
  functions,
});

const fnConfig = (id: string, trigger: Record<string, unknown> = { event: "http/x" }) => ({
  id: `http-app-${id}`,
  name: id,
  triggers: [trigger],
  steps: {
    step: {
      id: "step",
      name: "step",
      runtime: {
        type: "http",
        url: `http://127.0.0.1:3999/api/inngest?deployId=d1&fnId=http-app-${id}&stepId=step`,
      },
    },
  },
});

describe("HTTP routes (dev mode)", () => {
  it("answers /health", async () => {
    expect(await call(server(), "GET", "/health")).toEqual({
      status: 200,
      json: { status: "ok", mode: "dev", node: expect.stringMatching(/^node-/) as string },
    });
  });

  it("registers functions, strips deployId, and lists them", async () => {
    const s = server();
    const registered = await call(
      s,
      "POST",
      "/fn/register",
      registerBody([fnConfig("a"), fnConfig("b")]),
    );
    expect(registered).toMatchObject({
      status: 200,
      json: { ok: true, modified: true, app_id: "http-app" },
    });
    const again = await call(
      s,
      "POST",
      "/fn/register",
      registerBody([fnConfig("a"), fnConfig("b")]),
    );
    expect(again.json.modified).toBe(false);
    const apps = await call(s, "GET", "/v1/apps");
    expect(apps.json.data).toMatchObject([
      { id: "http-app", url: "http://127.0.0.1:3999/api/inngest", function_count: 2 },
    ]);
    const functions = (await call(s, "GET", "/v1/functions")).json.data as {
      id: string;
      config: { steps: { step: { runtime: { url: string } } } };
    }[];
    expect(functions.map((fn) => fn.id)).toEqual(["http-app-a", "http-app-b"]);
    expect(functions[0]?.config.steps.step.runtime.url).toBe(
      "http://127.0.0.1:3999/api/inngest?fnId=http-app-a&stepId=step",
    );
  });

  it("rejects registrations it could not run, in the SDK's {error, status} shape", async () => {
    const s = server();
    const cases: [unknown, RegExp][] = [
      ["{oops", /not valid JSON/],
      [{ appName: "x" }, /url/],
      [registerBody([fnConfig("a", { event: "*" })]), /not a valid event name/],
      [registerBody([fnConfig("a"), fnConfig("a")]), /listed twice/],
      [
        registerBody([fnConfig("a", { event: "x/y", expression: "event.data.(" })]),
        /triggers\[0\]\.expression/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await call(s, "POST", "/fn/register", body);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ status: 400 });
      expect(String(response.json.error)).toMatch(message);
    }
    const kind = await call(s, "POST", "/fn/register", registerBody([]), {
      "x-inngest-expected-server-kind": "cloud",
    });
    expect(kind.status).toBe(400);
    expect(String(kind.json.error)).toContain('"dev" server');
  });

  it("accepts events, creates runs for matching functions and exposes both", async () => {
    const s = server();
    await call(s, "POST", "/fn/register", registerBody([fnConfig("a")]));
    await s.deps.syncer.reloadRegistry();
    const sent = await call(s, "POST", "/e/any", [
      { name: "http/x", data: { n: 1 } },
      { name: "http/none" },
    ]);
    expect(sent.status).toBe(200);
    const ids = sent.json.ids as string[];
    expect(ids).toHaveLength(2);
    const event = await call(s, "GET", `/v1/events/${ids[0]}`);
    expect(event.json.data).toMatchObject({ id: ids[0], name: "http/x", data: { n: 1 } });
    const list = await call(s, "GET", "/v1/events?limit=1");
    expect((list.json.data as unknown[]).length).toBe(1);
    expect(list.json.cursor).not.toBeNull();
  });

  it("validates list queries", async () => {
    const s = server();
    expect((await call(s, "GET", "/v1/runs?limit=9999")).status).toBe(400);
    const status = await call(s, "GET", "/v1/runs?status=Sleeping");
    expect(status.status).toBe(400);
    expect(String(status.json.error)).toContain("status");
    expect(await call(s, "GET", "/v1/runs?status=Running,Completed&limit=5")).toMatchObject({
      status: 200,
      json: { data: [], cursor: null },
    });
  });

  it("refuses bodies over the limit with 413 before reading them all", async () => {
    const s = server();
    const response = await call(s, "POST", "/e/any", {
      name: "big",
      data: { blob: "x".repeat(10_000) },
    });
    expect(response.status).toBe(413);
    expect(String(response.json.error)).toContain("4096 bytes");
  });

  it("answers checkpoints of unknown runs and stale leases", async () => {
    const s = server();
    const bad = await call(s, "POST", "/v1/checkpoint/01RUN/async", { steps: "no" });
    expect(bad.status).toBe(400);
    const unknown = await call(s, "POST", "/v1/checkpoint/01RUN/async", {
      qi_id: "01ITEM:token",
      steps: [],
    });
    expect(unknown.status).toBe(404);
    expect((await call(s, "GET", "/v0/runs/01RUN/actions")).status).toBe(404);
    expect((await call(s, "GET", "/v0/runs/01RUN/batch")).status).toBe(404);
  });
});

describe("HTTP routes (start mode)", () => {
  it("requires the event key on /e/ and the signing key elsewhere", async () => {
    const s = server("start");
    expect((await call(s, "POST", "/e/wrong", { name: "x" })).status).toBe(401);
    expect((await call(s, "POST", "/e/evt-key-0123456789abcdef", { name: "x" })).status).toBe(200);
    expect((await call(s, "GET", "/v1/runs")).status).toBe(401);
    expect(
      (await call(s, "GET", "/v1/runs", undefined, { authorization: "Bearer nope" })).status,
    ).toBe(401);
    expect(
      (await call(s, "GET", "/v1/runs", undefined, { authorization: `Bearer ${SIGNING_KEY}` }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(s, "GET", "/v1/runs", undefined, {
          authorization: `Bearer ${hashSigningKey(SIGNING_KEY)}`,
        })
      ).status,
    ).toBe(200);
    expect((await call(s, "POST", "/fn/register", registerBody([]))).status).toBe(401);
    expect((await call(s, "GET", "/health")).status).toBe(200);
  });

  it("refuses to start without keys", () => {
    expect(() => resolveConfig("start", { eventKeys: ["k"] }, {})).toThrow(/--signing-key/);
    expect(() => resolveConfig("start", { signingKey: SIGNING_KEY }, {})).toThrow(/--event-key/);
  });
});

describe("dashboard sign-in and static files", () => {
  it("dev mode needs no sign-in", async () => {
    expect((await call(server(), "GET", "/auth/session")).json).toEqual({
      mode: "dev",
      required: false,
      authenticated: true,
    });
  });

  it("start mode issues a session cookie for the dashboard token, which the API accepts", async () => {
    const s = server("start");
    expect((await call(s, "GET", "/auth/session")).json).toMatchObject({
      required: true,
      authenticated: false,
    });
    const origin = { origin: "http://localhost" };
    const wrong = await call(s, "POST", "/auth/login", { token: "not-it-at-all" }, origin);
    expect(wrong.status).toBe(401);
    expect(String(wrong.json.error)).toContain("wrong dashboard token");
    expect((await call(s, "POST", "/auth/login", { nope: 1 }, origin)).status).toBe(400);

    const login = await s.app.request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", ...origin },
      body: JSON.stringify({ token: SIGNING_KEY }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/ingot_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    const session = cookie.split(";")[0]!;
    expect((await call(s, "GET", "/v1/runs", undefined, { cookie: session })).status).toBe(200);
    expect(
      (await call(s, "GET", "/auth/session", undefined, { cookie: session })).json.authenticated,
    ).toBe(true);
    const forged = session.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    expect((await call(s, "GET", "/v1/runs", undefined, { cookie: forged })).status).toBe(401);
  });

  it("serves the dashboard's files, its routes, and never shadows the API", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ingot-dash-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(join(dir, "assets", "app.js"), "console.log(1)");
    const s = server("dev", dir);
    const index = await s.app.request("/");
    expect(index.headers.get("content-type")).toContain("text/html");
    expect(await index.text()).toContain("id=root");
    expect(await (await s.app.request("/runs/01ABC")).text()).toContain("id=root");
    const asset = await s.app.request("/assets/app.js");
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await s.app.request("/assets/missing.js")).status).toBe(404);
    expect((await s.app.request("/../../etc/passwd")).status).not.toBe(500);
    expect(await (await s.app.request("/%2e%2e/%2e%2e/etc/passwd")).text()).not.toContain("root:");
    const api = await s.app.request("/v2/nothing");
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: "route_not_found" });
  });
});
