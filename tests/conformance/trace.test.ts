import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** `INGOT_TRACE_RUNS`: a run's timeline, phase by phase, from the server's own clock. */
describe("run traces", () => {
  let ingot: IngotProcess;
  let app: RunningApp;
  let api: IngotApi;
  let inngest: Inngest;

  beforeAll(async () => {
    ingot = await startIngot({ env: { INGOT_TRACE_RUNS: "100" } });
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "trace-app", isDev: true, baseUrl: ingot.url });
    const fn = inngest.createFunction(
      { id: "two-steps", triggers: [{ event: "trace/go" }] },
      async ({ step }) => {
        const a = await step.run("a", () => 1);
        return step.run("b", () => a + 1);
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("records each phase of a run in order, from event to long-poll answer", async () => {
    const { ids } = await inngest.send({ name: "trace/go" });
    const { body } = await api.json<{ data: { run_id: string }[] }>(
      `/v1/events/${ids[0]}/runs?wait_for=completion&timeout=10000`,
    );
    const runId = body.data[0]!.run_id;
    const trace = await api.json<{ data: { phase: string; ms: number }[] }>(
      `/v1/runs/${runId}/trace`,
    );
    const phases = trace.body.data.map((mark) => mark.phase);
    const order = [
      "event.committed",
      "run.created",
      "request.sent",
      "checkpoint.received",
      "checkpoint.acknowledged",
      "run.finished",
      "longpoll.answered",
    ];
    const positions = order.map((phase) => phases.indexOf(phase));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(phases.filter((phase) => phase === "checkpoint.acknowledged")).toHaveLength(2);
    const times = trace.body.data.map((mark) => mark.ms);
    expect(times[0]).toBe(0);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });
});
