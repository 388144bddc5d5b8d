import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRun, IngotApi, sleep } from "./harness/api.js";
import { freePort, type IngotProcess, startIngot } from "./harness/ingot.js";
import { devEnv, type PythonApp, startPythonApp, waitForApps } from "./harness/python.js";

/**
 * `ingot dev -u <python app>` syncs the official Python SDK with no extra step, as the
 * Inngest dev server does; a sync that fails says why (GET /v1/apps, log at warn); a
 * successful one is logged at info with the app id and its function count. Also cron.
 */

interface ApiApp {
  id: string;
  url: string;
  sdk: string | null;
  framework: string | null;
  error: string | null;
  function_count: number;
}

let ingot: IngotProcess;
let api: IngotApi;
let fast: PythonApp;
let flask: PythonApp;
let elsewhere: PythonApp;
let invalid: PythonApp;
let streaming: PythonApp;
let otherServer: Server;

/** A stand-in for another Inngest server: accepts every registration. */
async function startOtherServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, modified: true }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  return {
    server,
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
  };
}

const apps = async (): Promise<ApiApp[]> =>
  (await api.json<{ data: ApiApp[] }>("/v1/apps")).body.data;

const infoLines = (appId: string): string[] =>
  ingot
    .logs()
    .split("\n")
    .filter((line) => line.includes('"level":30') && line.includes(`"app":"${appId}"`));

beforeAll(async () => {
  const port = await freePort();
  const ingotUrl = `http://127.0.0.1:${port}`;
  const other = await startOtherServer();
  otherServer = other.server;
  [fast, flask, elsewhere, invalid, streaming] = await Promise.all([
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: { ...devEnv(ingotUrl, "py-sync-fast"), PY_CRON: "1" },
    }),
    startPythonApp({ server: "flask", module: "sync_app", env: devEnv(ingotUrl, "py-sync-flask") }),
    // Points at another server: it registers there, not with Ingot.
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: devEnv(other.url, "py-elsewhere"),
    }),
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: { ...devEnv(ingotUrl, "py-invalid"), PY_BAD_CRON: "1" },
    }),
    // Answers 201 with keep-alive whitespace, then the real answer in an envelope.
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: { ...devEnv(ingotUrl, "py-stream"), INNGEST_STREAMING: "force" },
    }),
  ]);
  ingot = await startIngot({
    port,
    args: ["-u", fast.url, "-u", flask.url, "-u", streaming.url],
    env: { INGOT_SYNC_INTERVAL_MS: "250" },
  });
  api = new IngotApi(ingot.url);
  await waitForApps(api, ["py-sync-fast", "py-sync-flask", "py-stream"]);
});

afterAll(async () => {
  await Promise.all([fast, flask, elsewhere, invalid, streaming].map((app) => app?.stop()));
  await ingot?.stop();
  await new Promise((done) => otherServer?.close(done));
});

describe("syncing Python apps", () => {
  it("ingot dev -u syncs FastAPI and Flask apps with no extra step, and logs it at info", async () => {
    const listed = await apps();
    const { body } = await api.json<{ data: { app_id: string }[] }>("/v1/functions");
    for (const [id, framework] of [
      ["py-sync-fast", "fast_api"],
      ["py-sync-flask", "flask"],
    ] as const) {
      const app = listed.find((entry) => entry.id === id);
      const count = body.data.filter((fn) => fn.app_id === id).length;
      expect(app).toMatchObject({ sdk: "py:v0.5.18", framework, error: null });
      expect(count).toBeGreaterThan(15);
      expect(app?.function_count).toBe(count);
      await eventually(() => {
        expect(infoLines(id)[0]).toContain(`app ${id} synced: ${count} functions`);
        expect(infoLines(id)[0]).toContain(`"functions":${count}`);
      });
    }
    // Re-synced every 250 ms, yet logged once. Its introspection said it is the Python SDK, which
    // refuses unsigned in-band sync (and logs an error for it): it was only asked out of band.
    await sleep(1_000);
    expect(infoLines("py-sync-fast")).toHaveLength(1);
    expect(fast.logs().match(/PUT \/api\/inngest/g)?.length).toBeGreaterThan(3);
    expect(fast.logs()).not.toContain("request must be signed for in-band sync");
  });

  it("cron: a Python cron function runs every second", async () => {
    const deadline = Date.now() + 10_000;
    let runs: ApiRun[] = [];
    while (Date.now() < deadline) {
      runs = (
        await api.json<{ data: ApiRun[] }>("/v1/runs?function_id=py-sync-fast-ticker&limit=50")
      ).body.data.filter((run) => run.status === "Completed");
      if (runs.length >= 3) break;
      await sleep(100);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const ticks = runs.map((run) => Date.parse(String(run.output)));
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((at) => Number.isInteger(at / 1000))).toBe(true);
  });

  it("INNGEST_STREAMING=force: Ingot unwraps the streamed answers", async () => {
    const [id] = await api.send({ name: "py-stream/steps", data: { n: 2 } });
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    expect(run).toMatchObject({
      status: "Completed",
      output: { b: 12, invoked: { child_got: 12 }, parallel: ["part-a", "part-b", "part-c"] },
    });
  });

  it("an app that registers with another server: the sync fails and says so", async () => {
    const answer = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: elsewhere.url }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("never registered with this server");
    expect(answer.body.error).toContain(`INNGEST_BASE_URL=${ingot.url}`);
    const shown = (await apps()).find((app) => app.url === elsewhere.url);
    expect(shown).toMatchObject({ id: elsewhere.url, error: answer.body.error, function_count: 0 });
    expect((await apps()).some((app) => app.id === "py-elsewhere")).toBe(false);
    await eventually(() =>
      expect(ingot.logs()).toMatch(/"level":40.*never registered with this server/),
    );
  });

  it("a registration Ingot refuses: the SDK still answers 200, the sync fails with the reason", async () => {
    const put = await fetch(`${invalid.url}?deployId=mine`, {
      method: "PUT",
      headers: { "x-inngest-server-kind": "dev" },
    });
    // The Python SDK answers 200 even though its registration was refused...
    expect(put.status).toBe(200);
    // ...so Ingot's own sync confirms the registration, and reports why it failed.
    const answer = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: invalid.url }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("registration was refused");
    expect(answer.body.error).toContain("py-invalid-bad-cron.triggers[0].cron");
    const shown = (await apps()).find((app) => app.url === invalid.url);
    expect(shown?.error).toBe(answer.body.error);
    expect((await apps()).some((app) => app.id === "py-invalid")).toBe(false);
  });

  it("an app that goes away: the error shows on it; once it is back the sync recovers", async () => {
    const port = flask.port;
    await flask.stop();
    let shown: ApiApp | undefined;
    await eventually(async () => {
      shown = (await apps()).find((app) => app.id === "py-sync-flask");
      expect(shown?.error).toContain("could not reach the app");
    });
    await eventually(() => expect(ingot.logs()).toMatch(/"level":40.*could not reach the app/));
    flask = await startPythonApp({
      server: "flask",
      module: "sync_app",
      port,
      env: devEnv(ingot.url, "py-sync-flask"),
    });
    await eventually(async () => {
      shown = (await apps()).find((app) => app.id === "py-sync-flask");
      expect(shown?.error).toBeNull();
    }, 10_000);
    // Logged again at info: the app recovered.
    await eventually(() => expect(infoLines("py-sync-flask")).toHaveLength(2));
  });
});

/** Retries an assertion for a while (syncs run in the background; logs arrive through a pipe). */
async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
