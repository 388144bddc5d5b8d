import { NonRetriableError } from "inngest-v3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV3, v3Client } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/**
 * The v3 SDK (3.54.x): request version 1, no checkpointing, and no "final attempt" signal — the
 * server must enforce attempts itself (spec §9.3).
 */
describe("v3 SDK", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();
  const failures: string[] = [];

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = v3Client("v3-app", ingot.url);
    const child = inngest.createFunction({ id: "child" }, { event: "v3/child" }, ({ event }) => ({
      echoed: event.data as unknown,
    }));
    const fns = [
      inngest.createFunction({ id: "flow" }, { event: "v3/flow" }, async ({ event, step }) => {
        const key = String(event.data.key);
        const a = await step.run("a", () => (counter.hit(`${key}:a`), 1));
        const [x, y] = await Promise.all([
          step.run("x", () => (counter.hit(`${key}:x`), "x")),
          step.run("y", () => (counter.hit(`${key}:y`), "y")),
        ]);
        await step.sleep("nap", "500ms");
        const got = await step.waitForEvent("wait", {
          event: "v3/go",
          match: "data.key",
          timeout: "20s",
        });
        const invoked = await step.invoke("invoke", { function: child, data: { from: key } });
        const b = await step.run("b", () => (counter.hit(`${key}:b`), a + 1));
        return { a, b, x, y, go: got?.data.ok ?? null, invoked };
      }),
      child,
      inngest.createFunction(
        {
          id: "always-fails",
          retries: 2,
          onFailure: ({ error }) => void failures.push(error.message),
        },
        { event: "v3/fail" },
        ({ event }) => {
          counter.hit(`${String(event.data.key)}:attempt`);
          if (event.data.nonRetriable) throw new NonRetriableError("stop");
          throw new Error("v3 boom");
        },
      ),
      inngest.createFunction(
        { id: "step-fails", retries: 1 },
        { event: "v3/step-fail" },
        async ({ event, step }) => {
          const key = String(event.data.key);
          await step.run("bad", () => {
            counter.hit(`${key}:bad`);
            throw new Error("bad step");
          });
        },
      ),
    ];
    app = await serveApp({ handler: serveV3({ client: inngest, functions: fns }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("runs steps, parallel steps, sleep, waitForEvent and invoke", async () => {
    const [id] = await api.send({ name: "v3/flow", data: { key: "f1" } });
    const [run] = await api.started(id!);
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      !(await api.steps(run!.run_id)).some((s) => s.status === "waiting")
    )
      await sleep(20);
    await api.send({ name: "v3/go", data: { key: "f1", ok: true } });
    const [done] = await api.settled(id!);
    expect(done).toMatchObject({
      status: "Completed",
      output: { a: 1, b: 2, x: "x", y: "y", go: true, invoked: { echoed: { from: "f1" } } },
    });
    for (const name of ["a", "x", "y", "b"]) expect(counter.get(`f1:${name}`)).toBe(1);
  });

  it("enforces the attempt limit although v3 never marks the final attempt", async () => {
    const [id] = await api.send({ name: "v3/fail", data: { key: "v3f" } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("v3f:attempt")).toBe(3);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !failures.includes("v3 boom")) await sleep(20);
    expect(failures).toContain("v3 boom");
  });

  it("does not retry NonRetriableError", async () => {
    const [id] = await api.send({ name: "v3/fail", data: { key: "v3nr", nonRetriable: true } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("v3nr:attempt")).toBe(1);
  });

  it("fails a step after its attempts and then the run", async () => {
    const [id] = await api.send({ name: "v3/step-fail", data: { key: "v3s" } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("v3s:bad")).toBe(2);
    expect(run?.output).toMatchObject({ message: "bad step" });
  });
});
