import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** Operator actions the dashboard uses: rerun, invoke, send, bulk cancel and replay. */
describe("run actions", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();
  let failing = true;

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "ops", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        { id: "echo", triggers: [{ event: "ops/echo" }] },
        async ({ event, step }) => {
          const n = await step.run("count", () => (counter.hit("echo"), counter.get("echo")));
          return { n, data: event.data };
        },
      ),
      inngest.createFunction(
        { id: "sleepy", triggers: [{ event: "ops/sleepy" }] },
        async ({ step }) => {
          await step.sleep("long", "1h");
          return "woke";
        },
      ),
      inngest.createFunction(
        { id: "flaky", retries: 0, triggers: [{ event: "ops/flaky" }] },
        () => {
          if (failing) throw new Error("not yet");
          return "fixed";
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

  it("sends events through the REST API", async () => {
    const { status, body } = await api.json<{ ids: string[] }>("/v1/events", {
      method: "POST",
      body: JSON.stringify({ name: "ops/echo", data: { via: "rest" } }),
    });
    expect(status).toBe(200);
    const [run] = await api.settled(body.ids[0]!);
    expect(run).toMatchObject({ status: "Completed", output: { data: { via: "rest" } } });
  });

  it("reruns a finished run with the same event, as a new run", async () => {
    const [id] = await api.send({ name: "ops/echo", data: { x: 1 } });
    const [first] = await api.settled(id!);
    const { body } = await api.json<{ data: { run_id: string } }>(
      `/v1/runs/${first!.run_id}/rerun`,
      { method: "POST" },
    );
    expect(body.data.run_id).not.toBe(first!.run_id);
    const again = await api.waitFor(body.data.run_id, ["Completed"]);
    expect(again.event_id).toBe(id);
    expect((again.output as { data: unknown }).data).toEqual({ x: 1 });
    expect((again.output as { n: number }).n).toBe((first!.output as { n: number }).n + 1);
    expect((await api.runsOf(id!)).map((r) => r.run_id).sort()).toEqual(
      [first!.run_id, body.data.run_id].sort(),
    );
    expect((await api.json(`/v1/runs/01NOPE/rerun`, { method: "POST" })).status).toBe(404);
  });

  it("invokes a function with a payload, bypassing its trigger", async () => {
    const { status, body } = await api.json<{ data: { run_id: string } }>(
      "/v1/functions/ops-echo/invoke",
      {
        method: "POST",
        body: JSON.stringify({ data: { hello: "invoke" } }),
      },
    );
    expect(status).toBe(200);
    const run = await api.waitFor(body.data.run_id, ["Completed"]);
    expect((run.output as { data: { hello: string } }).data.hello).toBe("invoke");
    expect(
      (await api.json("/v1/functions/ops-nope/invoke", { method: "POST", body: "{}" })).status,
    ).toBe(404);
    const bad = await api.json<{ error: string }>("/v1/functions/ops-echo/invoke", {
      method: "POST",
      body: JSON.stringify({ data: [1] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("data");
  });

  it("cancels every matching run at once", async () => {
    const ids = await api.send(Array.from({ length: 5 }, () => ({ name: "ops/sleepy" })));
    const runs = (await Promise.all(ids.map((id) => api.started(id)))).flat();
    await sleep(300);
    const { body } = await api.json<{ data: { cancelled: number } }>("/v1/runs/cancel", {
      method: "POST",
      body: JSON.stringify({ function_id: "ops-sleepy" }),
    });
    expect(body.data.cancelled).toBe(5);
    for (const run of runs) expect((await api.run(run.run_id)).status).toBe("Cancelled");
  });

  it("replays failed runs after the cause was fixed", async () => {
    const ids = await api.send([{ name: "ops/flaky" }, { name: "ops/flaky" }]);
    await Promise.all(ids.map((id) => api.settled(id)));
    failing = false;
    const { body } = await api.json<{ data: { replayed: number; run_ids: string[] } }>(
      "/v1/runs/replay",
      {
        method: "POST",
        body: JSON.stringify({ function_id: "ops-flaky", status: ["Failed"] }),
      },
    );
    expect(body.data.replayed).toBe(2);
    for (const runId of body.data.run_ids)
      expect((await api.waitFor(runId, ["Completed"])).output).toBe("fixed");
    const invalid = await api.json("/v1/runs/replay", {
      method: "POST",
      body: JSON.stringify({ status: ["Nope"] }),
    });
    expect(invalid.status).toBe(400);
  });
});
