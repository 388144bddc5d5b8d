import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openai } from "@inngest/ai";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";

/**
 * Issue "correctness under faults", item 3: a cancel stops everything in flight — the model call
 * in the gateway, the request open to the app — records it as cancelled, clears timers, and
 * emits `inngest/function.cancelled`; `cancelOn` behaves the same as the REST cancel.
 */

/** A provider that never answers in time, and notes when its caller hung up. */
class SlowProvider {
  server!: Server;
  url = "";
  received: number[] = [];
  hungUp: number[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.received.push(Date.now());
      res.on("close", () => {
        if (!res.writableEnded) this.hungUp.push(Date.now());
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ choices: [{ message: { role: "assistant", content: "late" } }] }));
      }, 20_000).unref();
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("cancellation stops work in flight", () => {
  const provider = new SlowProvider();
  let ingot: IngotProcess;
  let app: RunningApp;
  let api: IngotApi;
  let inngest: Inngest;
  /** When the app saw a request's connection close before it answered. */
  const appHangUps: number[] = [];
  let appRequests = 0;

  beforeAll(async () => {
    await provider.start();
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "cancel-app", isDev: true, baseUrl: ingot.url });
    const ask = inngest.createFunction(
      {
        id: "ask",
        retries: 0,
        triggers: [{ event: "cancel/ask" }],
        cancelOn: [{ event: "cancel/stop", match: "data.id" }],
      },
      async ({ step }) =>
        step.ai.infer("think", {
          model: openai({
            model: "gpt-4o-mini",
            apiKey: "sk-slow-provider",
            baseUrl: `${provider.url}/v1/`,
          }),
          body: { messages: [{ role: "user", content: "take your time" }] },
        }),
    );
    const hang = inngest.createFunction(
      { id: "hang", retries: 0, triggers: [{ event: "cancel/hang" }] },
      async ({ step }) => step.run("slow-step", () => sleep(15_000).then(() => "late")),
    );
    const nap = inngest.createFunction(
      { id: "nap", triggers: [{ event: "cancel/nap" }] },
      async ({ step }) => {
        await step.sleep("long-nap", "1h");
        return "woke";
      },
    );
    const handler = serveV4({ client: inngest, functions: [ask, hang, nap] });
    app = await serveApp({
      handler: (req, res, next) => {
        if (req.method === "POST") {
          appRequests += 1;
          res.on("close", () => {
            if (!res.writableEnded) appHangUps.push(Date.now());
          });
        }
        handler(req, res, next);
      },
    });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await provider.close();
  });

  async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 15_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error("timed out");
      await sleep(20);
    }
  }

  async function expectCancelledEverywhere(runId: string) {
    const run = await api.waitFor(runId, ["Cancelled"]);
    expect(run.status).toBe("Cancelled");
    const steps = await api.steps(runId);
    // The outstanding step ended with the run: no "in progress" bar growing for ever.
    expect(steps.filter((step) => step.status !== "completed").map((step) => step.status)).toEqual([
      "cancelled",
    ]);
    const finished = await api.json<{ data: { name: string; data: { run_id?: string } }[] }>(
      "/v1/events?name=inngest/function.cancelled&limit=100",
    );
    expect(finished.body.data.some((event) => event.data.run_id === runId)).toBe(true);
  }

  it("REST cancel aborts the provider call within a second and records it as cancelled", async () => {
    const before = provider.received.length;
    const { ids } = await inngest.send({ name: "cancel/ask", data: { id: "rest" } });
    const [run] = await api.started(ids[0]!);
    await until(() => (provider.received.length > before ? true : undefined));
    const cancelledAt = Date.now();
    const response = await api.json(`/v1/runs/${run!.run_id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    const hungUpAt = await until(() => provider.hungUp.find((at) => at >= cancelledAt));
    expect(hungUpAt - cancelledAt).toBeLessThan(1_000);
    await expectCancelledEverywhere(run!.run_id);
    const calls = await until(async () => {
      const ai = await api.json<{ data: { outcome: string; error: string | null }[] }>(
        `/v1/runs/${run!.run_id}/ai`,
      );
      return ai.body.data.length > 0 ? ai.body.data : undefined;
    });
    expect(calls.map((call) => call.outcome)).toEqual(["cancelled"]);
    expect(calls[0]!.error).toContain("cancelled");
  });

  it("cancelOn does the same", async () => {
    const before = provider.received.length;
    const { ids } = await inngest.send({ name: "cancel/ask", data: { id: "on-event" } });
    const [run] = await api.started(ids[0]!);
    await until(() => (provider.received.length > before ? true : undefined));
    const cancelledAt = Date.now();
    await inngest.send({ name: "cancel/stop", data: { id: "on-event" } });
    const hungUpAt = await until(() => provider.hungUp.find((at) => at >= cancelledAt));
    expect(hungUpAt - cancelledAt).toBeLessThan(1_000);
    await expectCancelledEverywhere(run!.run_id);
  });

  it("drops the request open to the app", async () => {
    const before = appRequests;
    const { ids } = await inngest.send({ name: "cancel/hang" });
    const [run] = await api.started(ids[0]!);
    await until(() => (appRequests > before ? true : undefined));
    await sleep(200);
    const cancelledAt = Date.now();
    await api.json(`/v1/runs/${run!.run_id}`, { method: "DELETE" });
    const hungUpAt = await until(() => appHangUps.find((at) => at >= cancelledAt));
    expect(hungUpAt - cancelledAt).toBeLessThan(1_000);
    expect((await api.run(run!.run_id)).status).toBe("Cancelled");
  });

  it("clears a sleeping run's timer and ends its step", async () => {
    const { ids } = await inngest.send({ name: "cancel/nap" });
    const [run] = await api.started(ids[0]!);
    await until(async () =>
      (await api.steps(run!.run_id)).some((step) => step.status === "sleeping") ? true : undefined,
    );
    await api.json(`/v1/runs/${run!.run_id}`, { method: "DELETE" });
    await expectCancelledEverywhere(run!.run_id);
  });

  it("logs no lost leases for the work it stopped", async () => {
    await sleep(2_500);
    expect(ingot.logs()).not.toContain("lost leases");
  });
});
