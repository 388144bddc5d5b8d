import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { freePort, type IngotProcess, startIngot } from "./harness/ingot.js";
import {
  PYTHON,
  PYTHON_SDK,
  type PythonApp,
  startPythonApp,
  waitForApps,
} from "./harness/python.js";
import { type Exchange, type Recorder, startRecorder } from "./harness/recorder.js";

/**
 * The Python SDK in production mode (`INNGEST_SIGNING_KEY`, `INNGEST_EVENT_KEY`, no
 * `INNGEST_DEV`) against `ingot start`: every request is signed both ways, and apps or clients
 * with a wrong or a missing key are refused. A recording proxy in front of the app shows the
 * signatures on the wire.
 */

const hex = () => randomBytes(32).toString("hex");
const signingKey = `signkey-prod-${hex()}`;
const wrongKey = `signkey-prod-${hex()}`;
const eventKey = `evt-${randomBytes(8).toString("hex")}`;

let ingot: IngotProcess;
let api: IngotApi;
let good: PythonApp;
let wire: Recorder;
let wrong: PythonApp;
let keyless: PythonApp;
let outOfBand: PythonApp;

/** The HMAC the SDK and Ingot sign with: key = hex text after `signkey-<env>-` (spec §8.2). */
function signatureValid(header: string | undefined, body: string, key: string): boolean {
  if (header === undefined) return false;
  const params = new URLSearchParams(header);
  const t = params.get("t") ?? "";
  const hmacKey = key.replace(/^signkey-[a-z0-9]+-/, "");
  const expected = createHmac("sha256", hmacKey).update(body).update(t).digest("hex");
  return params.get("s") === expected;
}

function prodEnv(ingotUrl: string, appId: string, key: string): Record<string, string> {
  return {
    PY_APP_ID: appId,
    INNGEST_SIGNING_KEY: key,
    INNGEST_EVENT_KEY: eventKey,
    INNGEST_BASE_URL: ingotUrl,
  };
}

beforeAll(async () => {
  const port = await freePort();
  const ingotUrl = `http://127.0.0.1:${port}`;
  const appPort = await freePort();
  wire = await startRecorder(`http://127.0.0.1:${appPort}`);
  [good, wrong, keyless, outOfBand] = await Promise.all([
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      port: appPort,
      // The app's functions are reached through the recorder.
      env: { ...prodEnv(ingotUrl, "py-prod", signingKey), INNGEST_SERVE_ORIGIN: wire.url },
    }),
    startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: prodEnv(ingotUrl, "py-prod-wrong", wrongKey),
    }),
    // A dev-mode SDK has no key.
    startPythonApp({
      server: "flask",
      module: "sync_app",
      env: { PY_APP_ID: "py-keyless", INNGEST_DEV: "1", INNGEST_BASE_URL: ingotUrl },
    }),
    startPythonApp({
      server: "flask",
      module: "sync_app",
      env: { ...prodEnv(ingotUrl, "py-prod-oob", signingKey), INNGEST_ALLOW_IN_BAND_SYNC: "false" },
    }),
  ]);
  ingot = await startIngot({
    mode: "start",
    port,
    args: ["--signing-key", signingKey, "--event-key", eventKey, "-u", `${wire.url}/api/inngest`],
    env: { INGOT_INLINE_STATE_BYTES: String(64 * 1024) },
  });
  api = new IngotApi(ingot.url, { authorization: `Bearer ${signingKey}` });
  await waitForApps(api, ["py-prod"]);
});

afterAll(async () => {
  await Promise.all([good, wrong, keyless, outOfBand].map((app) => app?.stop()));
  await ingot?.stop();
  await wire?.close();
});

describe("Python SDK in production mode against ingot start", () => {
  it("syncs in band with a signed PUT and runs functions with signed requests and answers", async () => {
    const sync = wire.exchanges.find((e) => e.method === "PUT");
    expect(sync?.requestHeaders["x-inngest-sync-kind"]).toBe("in_band");
    expect(sync?.status).toBe(200);
    expect(sync?.responseHeaders["x-inngest-sync-kind"]).toBe("in_band");
    const { body } = await api.json<{ data: { id: string; sdk: string; framework: string }[] }>(
      "/v1/apps",
    );
    expect(body.data.find((app) => app.id === "py-prod")).toMatchObject({
      sdk: "py:v0.5.18",
      framework: "fast_api",
    });

    const [id] = await api.send({ name: "py-prod/steps", data: { n: 1 } }, eventKey);
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    expect(run).toMatchObject({
      status: "Completed",
      output: { b: 11, invoked: { child_got: 11 } },
    });

    const calls = wire.exchanges.filter((e: Exchange) => e.method !== "GET");
    expect(calls.filter((e) => e.method === "POST").length).toBeGreaterThan(5);
    for (const call of calls) {
      expect(
        signatureValid(call.requestHeaders["x-inngest-signature"], call.requestBody, signingKey),
        `request ${call.url}`,
      ).toBe(true);
      expect(
        signatureValid(call.responseHeaders["x-inngest-signature"], call.responseBody, signingKey),
        `answer to ${call.url}`,
      ).toBe(true);
    }
  });

  it("accepts the SDK's own calls with its hashed key: large state through use_api", async () => {
    const [id] = await api.send({ name: "py-prod/large", data: { kb: 80 } }, eventKey);
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    expect(run).toMatchObject({ status: "Completed", output: { intact: true } });
  });

  it("syncs an app that disables in-band sync out of band, with its hashed key", async () => {
    const answer = await api.json<{ data: { app_id: string; function_count: number } }>(
      "/v1/apps",
      { method: "POST", body: JSON.stringify({ url: outOfBand.url }) },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ app_id: "py-prod-oob" });
    expect(answer.body.data.function_count).toBeGreaterThan(15);
    const [id] = await api.send({ name: "py-prod-oob/retries", data: {} }, eventKey);
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    expect(run).toMatchObject({ status: "Completed", output: { step_attempt: 2 } });
  });

  it("refuses an app with a wrong signing key, and says why", async () => {
    const bad = wrong;
    const answer = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: bad.url }),
    });
    expect(answer.status).toBe(400);
    // In band, the SDK refused Ingot's signature; out of band, Ingot refused the SDK's key.
    expect(answer.body.error).toContain("registration was refused");
    expect(answer.body.error).toContain("Authorization");
    const { body } = await api.json<{ data: { id: string; url: string; error: string | null }[] }>(
      "/v1/apps",
    );
    expect(body.data.find((app) => app.url === bad.url)?.error).toBe(answer.body.error);
    expect(body.data.some((app) => app.id === "py-prod-wrong")).toBe(false);
    await eventually(() => expect(ingot.logs()).toMatch(/"level":40.*registration was refused/));
  });

  it("refuses an app without a signing key, and says why", async () => {
    // Made to register by a PUT of its own, it sends no key: Ingot refuses, the SDK relays why.
    const put = await fetch(keyless.url, { method: "PUT" });
    expect(await put.text()).toContain("missing or wrong Authorization header");
    await eventually(() => expect(ingot.logs()).toContain("refused an app registration"));
    // Synced by Ingot, it refuses the production server (and would have no key to register with).
    const answer = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: keyless.url }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("expected Dev Server");
    const { body } = await api.json<{ data: { id: string; url: string; error: string | null }[] }>(
      "/v1/apps",
    );
    expect(body.data.find((app) => app.url === keyless.url)?.error).toBe(answer.body.error);
    expect(body.data.some((app) => app.id === "py-keyless")).toBe(false);
  });

  it("refuses events with a wrong or a missing event key", async () => {
    const send = (key: string | undefined) =>
      promisify(execFile)(
        PYTHON,
        [
          "-c",
          "import inngest; c = inngest.Inngest(app_id='sender'); print(c.send_sync(inngest.Event(name='py-prod/steps', data={'n': 2})))",
        ],
        {
          env: {
            PYTHONPATH: PYTHON_SDK,
            INNGEST_SIGNING_KEY: signingKey,
            INNGEST_BASE_URL: ingot.url,
            ...(key === undefined ? {} : { INNGEST_EVENT_KEY: key }),
          },
        },
      ).then(
        ({ stdout }) => ({ ok: true, out: stdout }),
        (error: { stderr?: string }) => ({ ok: false, out: String(error.stderr) }),
      );
    const [right, wrong, missing] = await Promise.all([
      send(eventKey),
      send("not-the-key"),
      send(undefined),
    ]);
    expect(right.ok).toBe(true);
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.out).toContain("unknown event key");
    expect(missing).toMatchObject({ ok: false });
    // The SDK itself refuses to send without a key (EventKeyUnspecifiedError)...
    expect(missing.out).toContain("EventKeyUnspecified");
    // ...and what an SDK without a key sends in dev mode is refused by Ingot.
    const raw = await fetch(`${ingot.url}/e/NO_EVENT_KEY_SET`, {
      method: "POST",
      body: JSON.stringify([{ name: "py-prod/steps", data: {} }]),
    });
    expect(raw.status).toBe(401);
  });
});

/** Retries an assertion for a while: the server's log reaches the test through a pipe. */
async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}
