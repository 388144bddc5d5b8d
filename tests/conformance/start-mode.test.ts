import { randomBytes } from "node:crypto";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSigningKey } from "@ingot/server";
import { Counter, IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
const otherKey = `signkey-test-${randomBytes(32).toString("hex")}`;
const eventKey = `evt-${randomBytes(8).toString("hex")}`;

/** `ingot start`: signed requests to apps, event keys, bearer auth on the API (spec §8). */
describe("ingot start (signed mode)", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();

  function client(key: string): Inngest {
    return new Inngest({
      id: "signed-app",
      isDev: false,
      signingKey: key,
      eventKey,
      baseUrl: ingot.url,
    });
  }

  beforeAll(async () => {
    ingot = await startIngot({
      mode: "start",
      args: ["--signing-key", signingKey, "--event-key", eventKey],
    });
    api = new IngotApi(ingot.url, { authorization: `Bearer ${signingKey}` });
    const inngest = client(signingKey);
    const fn = inngest.createFunction(
      { id: "signed", triggers: [{ event: "signed/run" }] },
      async ({ event, step }) => {
        const a = await step.run("a", () => (counter.hit("a"), event.data.n as number));
        await step.sleep("nap", "200ms");
        return a * 2;
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("syncs a cloud-mode SDK in band with a signed PUT, and runs its functions with signed requests", async () => {
    await api.syncApp(app.url);
    const { ids } = await client(signingKey).send({ name: "signed/run", data: { n: 21 } });
    const [run] = await api.settled(ids[0]!);
    expect(run).toMatchObject({ status: "Completed", output: 42 });
    expect(counter.get("a")).toBe(1);
  });

  it("accepts the SDK's own out-of-band registration with the hashed key", async () => {
    const put = await fetch(app.url, { method: "PUT" });
    expect(put.status).toBe(200);
  });

  it("requires a known event key on /e/", async () => {
    const wrong = await fetch(`${ingot.url}/e/not-the-key`, {
      method: "POST",
      body: JSON.stringify({ name: "signed/run" }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      status: 401,
      ids: [],
      error: expect.stringContaining("event key") as string,
    });
  });

  it("requires the signing key as a bearer token on the REST API and SDK endpoints", async () => {
    for (const path of ["/v1/runs", "/v1/apps", "/v0/runs/01X/actions"]) {
      const response = await fetch(ingot.url + path);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toContain("Bearer");
    }
    const register = await fetch(`${ingot.url}/fn/register`, { method: "POST", body: "{}" });
    expect(register.status).toBe(401);
    const wrong = await fetch(`${ingot.url}/v1/runs`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    expect(wrong.status).toBe(401);
    const hashed = await fetch(`${ingot.url}/v1/runs`, {
      headers: { authorization: `Bearer ${hashSigningKey(signingKey)}` },
    });
    expect(hashed.status).toBe(200);
  });

  it("reports an app that rejects the server's signature instead of running it", async () => {
    const stranger = client(otherKey);
    const fn = stranger.createFunction(
      { id: "other", triggers: [{ event: "signed/other" }] },
      () => "never",
    );
    const otherApp = await serveApp({ handler: serveV4({ client: stranger, functions: [fn] }) });
    try {
      const response = await api.json<{ error: string }>("/v1/apps", {
        method: "POST",
        body: JSON.stringify({ url: otherApp.url }),
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toContain("401");
    } finally {
      await otherApp.close();
    }
  });

  it("accepts the fallback key while keys are rotated", async () => {
    const next = `signkey-test-${randomBytes(32).toString("hex")}`;
    const rotating = await startIngot({
      mode: "start",
      args: ["--signing-key", next, "--signing-key-fallback", signingKey, "--event-key", eventKey],
    });
    try {
      // The API still takes the old key, and apps that already know the new key as primary
      // accept requests the server signs with it.
      const old = await fetch(`${rotating.url}/v1/runs`, {
        headers: { authorization: `Bearer ${signingKey}` },
      });
      expect(old.status).toBe(200);
      const rotated = new Inngest({
        id: "rotated-app",
        isDev: false,
        signingKey: next,
        signingKeyFallback: signingKey,
        eventKey,
        baseUrl: rotating.url,
      });
      const fn = rotated.createFunction(
        { id: "r", triggers: [{ event: "rot/x" }] },
        () => "rotated",
      );
      const rotatedApp = await serveApp({ handler: serveV4({ client: rotated, functions: [fn] }) });
      try {
        const rotatedApi = new IngotApi(rotating.url, { authorization: `Bearer ${next}` });
        await rotatedApi.syncApp(rotatedApp.url);
        const { ids } = await rotated.send({ name: "rot/x" });
        expect((await rotatedApi.settled(ids[0]!))[0]).toMatchObject({
          status: "Completed",
          output: "rotated",
        });
      } finally {
        await rotatedApp.close();
      }
    } finally {
      await rotating.stop();
    }
  });

  it("never writes the signing key or the event key to its log", () => {
    const logs = ingot.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(signingKey.slice("signkey-test-".length));
    expect(logs).not.toContain(eventKey);
  });
});
