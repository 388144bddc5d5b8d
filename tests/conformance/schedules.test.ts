import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** Cron triggers (one run per tick, across restarts) and signals, with the official SDK. */
describe("cron triggers and signals", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  let inngest: Inngest;
  const ticks: string[] = [];

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "sched", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        { id: "every-second", triggers: [{ cron: "TZ=Europe/Paris * * * * * *" }] },
        ({ event }) => {
          // The SDK types cron events' data loosely; Ingot sends {cron, scheduledAt, fireAt}.
          const scheduledAt = String((event.data as Record<string, unknown>).scheduledAt);
          ticks.push(scheduledAt);
          return scheduledAt;
        },
      ),
      inngest.createFunction(
        { id: "waiter", triggers: [{ event: "sig/wait" }] },
        async ({ event, step }) => {
          const got = await step.waitForSignal("wait", {
            signal: String(event.data.signal),
            timeout: String(event.data.timeout ?? "30s"),
            onConflict: event.data.conflict === "fail" ? "fail" : "replace",
          });
          return got;
        },
      ),
      inngest.createFunction(
        { id: "signaller", triggers: [{ event: "sig/send" }] },
        async ({ event, step }) => {
          return step.sendSignal("send", {
            signal: String(event.data.signal),
            data: { from: "step" },
          });
        },
      ),
    ];
    app = await serveApp({ handler: serveV4({ client: inngest, functions: fns }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  async function waiting(eventId: string) {
    const [run] = await api.started(eventId);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await api.steps(run!.run_id)).some((s) => s.status === "waiting")) return run!;
      await sleep(20);
    }
    throw new Error("run never waited");
  }

  it("cron: exactly one run per tick, also across a restart", async () => {
    await sleep(3_300);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    await ingot.stop();
    await sleep(600);
    await ingot.restart();
    await sleep(2_500);
    expect(new Set(ticks).size).toBe(ticks.length);
    const seconds = ticks.map((at) => Date.parse(at) / 1000);
    expect(seconds.every((s) => Number.isInteger(s))).toBe(true);
    // A tick's run is created a moment before the app executes it: look until both agree.
    const runCount = async () =>
      (await api.json<{ data: unknown[] }>("/v1/runs?function_id=sched-every-second&limit=500"))
        .body.data.length;
    let runs = await runCount();
    for (let i = 0; i < 20 && runs !== ticks.length; i += 1) {
      await sleep(50);
      runs = await runCount();
    }
    expect(runs).toBe(ticks.length);
  });

  it("signals: sendSignal resumes the waiting run with the data; nobody waiting → no run", async () => {
    const [id] = await api.send({ name: "sig/wait", data: { signal: "order-1" } });
    const run = await waiting(id!);
    const sent = await inngest.sendSignal({ signal: "order-1", data: { approved: true } });
    expect(sent.runId).toBe(run.run_id);
    const [done] = await api.settled(id!);
    expect(done?.output).toEqual({ signal: "order-1", data: { approved: true } });
    expect((await inngest.sendSignal({ signal: "nobody-waits", data: {} })).runId).toBeUndefined();
  });

  it("signals: a wait times out with null", async () => {
    const [id] = await api.send({ name: "sig/wait", data: { signal: "never", timeout: "1s" } });
    const [run] = await api.settled(id!, { timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: "Completed", output: null });
  });

  it("signals: step.sendSignal from another function", async () => {
    const [id] = await api.send({ name: "sig/wait", data: { signal: "from-step" } });
    await waiting(id!);
    const [sender] = await api.send({ name: "sig/send", data: { signal: "from-step" } });
    await api.settled(sender!);
    expect((await api.settled(id!))[0]?.output).toEqual({
      signal: "from-step",
      data: { from: "step" },
    });
  });

  it("signals: onConflict replace moves the signal to the newer wait; fail fails the newer run", async () => {
    const [older] = await api.send({ name: "sig/wait", data: { signal: "shared", timeout: "2s" } });
    const olderRun = await waiting(older!);
    const [newer] = await api.send({ name: "sig/wait", data: { signal: "shared" } });
    const newerRun = await waiting(newer!);
    const sent = await inngest.sendSignal({ signal: "shared", data: 1 });
    expect(sent.runId).toBe(newerRun.run_id);
    expect((await api.settled(newer!))[0]?.output).toEqual({ signal: "shared", data: 1 });
    expect((await api.waitFor(olderRun.run_id, ["Completed"])).output).toBeNull();

    const [holder] = await api.send({
      name: "sig/wait",
      data: { signal: "exclusive", timeout: "3s" },
    });
    await waiting(holder!);
    const [rival] = await api.send({
      name: "sig/wait",
      data: { signal: "exclusive", conflict: "fail" },
    });
    const [failed] = await api.settled(rival!);
    expect(failed?.status).toBe("Failed");
    expect(failed?.output).toMatchObject({
      message: expect.stringContaining("already waiting") as string,
    });
  });
});
