import { randomBytes } from "node:crypto";
import { subscribe } from "inngest/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { freePort, type IngotProcess, startIngot } from "./harness/ingot.js";
import { devEnv, type PythonApp, startPythonApp, waitForApps } from "./harness/python.js";
import { provideWebSocket, rawSocket, take } from "./harness/realtime.js";

const COUNT = 100;

/**
 * Realtime with the official Python SDK (`inngest.experimental.realtime`, unchanged): its publish
 * and subscription tokens against a running Ingot, read by the official JS client
 * (`subscribe()` from `inngest/realtime`), as a Python backend feeding a browser would be.
 */

interface Token {
  channel: string;
  topics: string[];
  key: string;
}

// The Python SDK's token is `{channel, topics, key}`; a JS client outside Inngest Cloud also
// needs to be told where Ingot is (`apiBaseUrl`), as docs/realtime.md shows.

/** Asks the Python app's own route (`/token` or `/token-sync`) for a token, as a browser would. */
async function pythonToken(app: PythonApp, route: string, channel: string, topics: string[]) {
  const origin = app.url.replace(/\/api\/inngest$/, "");
  const query = new URLSearchParams({ channel, topics: topics.join(",") });
  const response = await fetch(`${origin}${route}?${query}`);
  return { status: response.status, body: (await response.json()) as Token & { error?: string } };
}

async function pythonPublish(
  app: PythonApp,
  route: "/publish" | "/publish-sync",
  channel: string,
  topic: string,
  data: Record<string, unknown>,
) {
  const origin = app.url.replace(/\/api\/inngest$/, "");
  const query = new URLSearchParams({ channel, topic });
  const response = await fetch(`${origin}${route}?${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(data),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Realtime with the Python SDK (dev)", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: PythonApp;

  beforeAll(async () => {
    provideWebSocket();
    const port = await freePort();
    const ingotUrl = `http://127.0.0.1:${port}`;
    app = await startPythonApp({
      server: "fastapi",
      module: "realtime_app",
      env: { ...devEnv(ingotUrl, "py-rt"), PY_COUNT: String(COUNT) },
    });
    ingot = await startIngot({ port, args: ["-u", app.url] });
    api = new IngotApi(ingot.url);
    await waitForApps(api, ["py-rt"]);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await ingot?.stop();
  });

  it("publish from a function's steps reaches subscribe() in order, with a Python-minted token", async () => {
    const token = await pythonToken(app, "/token", "py:order", ["status", "progress"]);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ channel: "py:order", topics: ["status", "progress"] });
    const stream = await subscribe({ ...token.body, apiBaseUrl: ingot.url });
    const [eventId] = await api.send({ name: "py-rt/publish", data: { id: "order" } });
    const messages = await take(stream, COUNT + 2);
    await stream.cancel();
    expect(messages).toHaveLength(COUNT + 2);
    expect(messages[0]).toMatchObject({
      channel: "py:order",
      topic: "status",
      data: { phase: "started" },
    });
    const progress = messages.slice(1, -1).map((message) => (message.data as { i: number }).i);
    expect(progress).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(messages.at(-1)).toMatchObject({ topic: "status", data: { phase: "finished" } });
    const [run] = await api.settled(eventId!);
    expect(run).toMatchObject({ status: "Completed", output: "done" });
  });

  it("publish_sync and get_subscription_token_sync work as well", async () => {
    const token = await pythonToken(app, "/token-sync", "py:sync", ["news"]);
    expect(token.status).toBe(200);
    const stream = await subscribe({ ...token.body, apiBaseUrl: ingot.url });
    for (let i = 0; i < 5; i++) {
      const published = await pythonPublish(app, "/publish-sync", "py:sync", "news", { i });
      expect(published).toEqual({ status: 200, body: { ok: true } });
    }
    const messages = await take(stream, 5);
    await stream.cancel();
    expect(messages.map((message) => message.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
  });

  it("a Python-minted token for channel A reads nothing of channel B", async () => {
    const token = await pythonToken(app, "/token", "py:a", ["news"]);
    const { ws, messages } = await rawSocket(ingot.url, `token=${token.body.key}`);
    await pythonPublish(app, "/publish", "py:b", "news", { secret: true });
    await pythonPublish(app, "/publish", "py:a", "other", { otherTopic: true });
    await pythonPublish(app, "/publish", "py:a", "news", { mine: true });
    await waitFor(() => messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ws.close();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: "py:a", topic: "news", data: { mine: true } });
  });
});

describe("Realtime with the Python SDK (production, ingot start)", () => {
  const hex = () => randomBytes(32).toString("hex");
  const signingKey = `signkey-prod-${hex()}`;
  const eventKey = `evt-${randomBytes(12).toString("hex")}`;
  let ingot: IngotProcess;
  let good: PythonApp;
  let wrong: PythonApp;

  beforeAll(async () => {
    provideWebSocket();
    const port = await freePort();
    const ingotUrl = `http://127.0.0.1:${port}`;
    const prodEnv = (appId: string, key: string) => ({
      PY_APP_ID: appId,
      INNGEST_SIGNING_KEY: key,
      INNGEST_EVENT_KEY: eventKey,
      INNGEST_BASE_URL: ingotUrl,
    });
    [good, wrong] = await Promise.all([
      startPythonApp({
        server: "fastapi",
        module: "realtime_app",
        env: prodEnv("py-rt-prod", signingKey),
      }),
      startPythonApp({
        server: "fastapi",
        module: "realtime_app",
        env: prodEnv("py-rt-wrong", `signkey-prod-${hex()}`),
      }),
    ]);
    ingot = await startIngot({
      mode: "start",
      port,
      args: ["--signing-key", signingKey, "--event-key", eventKey],
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([good?.stop(), wrong?.stop()]);
    await ingot?.stop();
  });

  it("the SDK's signing key mints tokens and publishes; a wrong key is refused with 401", async () => {
    const token = await pythonToken(good, "/token", "py:prod", ["news"]);
    expect(token.status).toBe(200);
    const stream = await subscribe({ ...token.body, apiBaseUrl: ingot.url });
    expect(await pythonPublish(good, "/publish", "py:prod", "news", { n: 1 })).toEqual({
      status: 200,
      body: { ok: true },
    });
    const [message] = await take(stream, 1);
    await stream.cancel();
    expect(message).toMatchObject({ channel: "py:prod", topic: "news", data: { n: 1 } });

    const refusedToken = await pythonToken(wrong, "/token", "py:prod", ["news"]);
    expect(refusedToken.status).toBe(502);
    expect(refusedToken.body.error).toMatch(/401/);
    const refusedPublish = await pythonPublish(wrong, "/publish", "py:prod", "news", { n: 2 });
    expect(refusedPublish.status).toBe(502);
    expect(refusedPublish.body.error).toMatch(/401/);
  });
});
