import { type Inngest, NonRetriableError, referenceFunction, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4, v4Client } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** Retries, failures, onFailure, cancellation — v4 SDK against `ingot dev` (retry base 100 ms). */
describe("v4 SDK errors, retries and cancellation", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();
  const failures: unknown[] = [];

  function functions(inngest: Inngest) {
    return [
      inngest.createFunction(
        { id: "flaky-step", retries: 3, triggers: [{ event: "test/flaky-step" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const fails = Number(event.data.fails);
          const value = await step.run("flaky", () => {
            counter.hit(`${key}:flaky`);
            if (counter.get(`${key}:flaky`) <= fails)
              throw new Error(`boom ${counter.get(`${key}:flaky`)}`);
            return "ok";
          });
          const after = await step.run("after", () => (counter.hit(`${key}:after`), "after"));
          return { value, after };
        },
      ),
      inngest.createFunction(
        { id: "caught", retries: 1, triggers: [{ event: "test/caught" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          try {
            await step.run("always-fails", () => {
              counter.hit(`${key}:fails`);
              throw new Error("step boom");
            });
            return { caught: false };
          } catch (error) {
            return { caught: true, name: (error as Error).name, message: (error as Error).message };
          }
        },
      ),
      inngest.createFunction(
        { id: "non-retriable-step", retries: 4, triggers: [{ event: "test/nr-step" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          await step.run("nr", () => {
            counter.hit(`${key}:nr`);
            throw new NonRetriableError("do not retry me");
          });
          return "unreachable";
        },
      ),
      inngest.createFunction(
        {
          id: "function-level",
          retries: 2,
          triggers: [{ event: "test/fn-error" }],
          onFailure: ({ event, error }) => {
            failures.push({ original: event.data.event.data, error: error.message });
          },
        },
        async ({ event, attempt }) => {
          const key = String(event.data.key);
          counter.hit(`${key}:attempt`);
          if (event.data.mode === "non-retriable") throw new NonRetriableError("fatal");
          if (event.data.mode === "retry-after" && attempt === 0)
            throw new RetryAfterError("later", "1s");
          if (event.data.mode === "retry-after") return { attempt };
          throw new Error(`plain boom ${attempt}`);
        },
      ),
      inngest.createFunction(
        {
          id: "cancellable",
          triggers: [{ event: "test/cancellable" }],
          cancelOn: [{ event: "test/cancel", match: "data.key" }],
        },
        async ({ event, step }) => {
          const key = String(event.data.key);
          await step.run("before", () => counter.hit(`${key}:before`));
          await step.sleep("long", "30s");
          await step.run("never", () => counter.hit(`${key}:never`));
          return "finished";
        },
      ),
      inngest.createFunction(
        { id: "step-retry-after", retries: 2, triggers: [{ event: "test/step-retry-after" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const times = await step.run("later", () => {
            counter.hit(`${key}:later`);
            if (counter.get(`${key}:later`) === 1) throw new RetryAfterError("not yet", "1s");
            return counter.get(`${key}:later`);
          });
          return { times };
        },
      ),
      inngest.createFunction(
        { id: "invoke-missing", triggers: [{ event: "test/invoke-missing" }] },
        async ({ step }) => {
          try {
            await step.invoke("nobody", {
              function: referenceFunction({ appId: "no-such-app", functionId: "nope" }),
              data: {},
            });
            return { caught: false };
          } catch (error) {
            return { caught: true, message: (error as Error).message };
          }
        },
      ),
      inngest.createFunction(
        { id: "finished-listener", triggers: [{ event: "inngest/function.finished" }] },
        async ({ event }) => {
          if (event.data.function_id === "errors-app-function-level")
            counter.hit(`finished:${String(event.data.run_id)}`);
          return null;
        },
      ),
    ];
  }

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = v4Client("errors-app", ingot.url);
    app = await serveApp({ handler: serveV4({ client: inngest, functions: functions(inngest) }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("retries a failing step until it succeeds, without re-running memoized steps", async () => {
    const [id] = await api.send({ name: "test/flaky-step", data: { key: "flaky2", fails: 2 } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { value: "ok", after: "after" } });
    expect(counter.get("flaky2:flaky")).toBe(3);
    expect(counter.get("flaky2:after")).toBe(1);
    const steps = await api.steps(run!.run_id);
    expect(steps.find((s) => s.name === "flaky")?.attempts).toBe(3);
  });

  it("stops after retries + 1 attempts and fails the run", async () => {
    const [id] = await api.send({ name: "test/flaky-step", data: { key: "flaky9", fails: 9 } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("flaky9:flaky")).toBe(4);
    expect(counter.get("flaky9:after")).toBe(0);
    expect(run?.output).toMatchObject({ name: "Error", message: "boom 4" });
  });

  it("lets user code catch a step's final failure", async () => {
    const [id] = await api.send({ name: "test/caught", data: { key: "c1" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { caught: true, message: "step boom" },
    });
    expect(counter.get("c1:fails")).toBe(2);
  });

  it("does not retry a step that throws NonRetriableError", async () => {
    const [id] = await api.send({ name: "test/nr-step", data: { key: "nr1" } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("nr1:nr")).toBe(1);
    expect(run?.output).toMatchObject({ message: "do not retry me" });
  });

  it("retries a function-level error, then fails and runs onFailure with the original event", async () => {
    const [id] = await api.send({ name: "test/fn-error", data: { key: "fe1", mode: "plain" } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("fe1:attempt")).toBe(3);
    await until(() =>
      failures.some((f) => (f as { original: { key: string } }).original.key === "fe1"),
    );
    expect(failures).toContainEqual({
      original: { key: "fe1", mode: "plain" },
      error: "plain boom 2",
    });
    await until(() => counter.get(`finished:${run!.run_id}`) === 1);
  });

  it("fails at once on NonRetriableError", async () => {
    const [id] = await api.send({
      name: "test/fn-error",
      data: { key: "fe2", mode: "non-retriable" },
    });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Failed");
    expect(counter.get("fe2:attempt")).toBe(1);
  });

  it("honours RetryAfterError's delay", async () => {
    const started = Date.now();
    const [id] = await api.send({
      name: "test/fn-error",
      data: { key: "fe3", mode: "retry-after" },
    });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { attempt: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(counter.get("fe3:attempt")).toBe(2);
  });

  it("honours RetryAfterError thrown inside a step", async () => {
    const started = Date.now();
    const [id] = await api.send({ name: "test/step-retry-after", data: { key: "sra" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { times: 2 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it("fails an invoke of an unknown function as a catchable step error", async () => {
    const [id] = await api.send({ name: "test/invoke-missing", data: {} });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { caught: true } });
    expect((run?.output as { message: string }).message).toContain("no-such-app-nope");
  });

  it("cancels a sleeping run on a matching cancelOn event only", async () => {
    const ids = await api.send([
      { name: "test/cancellable", data: { key: "k1" } },
      { name: "test/cancellable", data: { key: "k2" } },
    ]);
    const [first] = await api.started(ids[0]!);
    const [second] = await api.started(ids[1]!);
    await until(async () => (await api.steps(first!.run_id)).some((s) => s.status === "sleeping"));
    await api.send({ name: "test/cancel", data: { key: "k1" } });
    const cancelled = await api.waitFor(first!.run_id, ["Cancelled"]);
    expect(cancelled.status).toBe("Cancelled");
    expect((await api.run(second!.run_id)).status).toBe("Running");
    expect(counter.get("k1:before")).toBe(1);
    expect(counter.get("k1:never")).toBe(0);
  });

  it("cancels a run through DELETE /v1/runs/:id", async () => {
    const [id] = await api.send({ name: "test/cancellable", data: { key: "k3" } });
    const [run] = await api.started(id!);
    await until(async () => (await api.steps(run!.run_id)).some((s) => s.status === "sleeping"));
    const response = await api.json<{ data: { status: string } }>(`/v1/runs/${run!.run_id}`, {
      method: "DELETE",
    });
    expect(response.status).toBe(200);
    expect(response.body.data.status).toBe("Cancelled");
    const again = await api.json(`/v1/runs/${run!.run_id}`, { method: "DELETE" });
    expect(again.status).toBe(200);
    const history = await api.history(run!.run_id);
    expect(history.at(-1)?.type).toBe("function.cancelled");
  });

  it("refuses to cancel a finished run and unknown runs", async () => {
    const [id] = await api.send({ name: "test/caught", data: { key: "c2" } });
    const [run] = await api.settled(id!);
    const finished = await api.json<{ error: string }>(`/v1/runs/${run!.run_id}`, {
      method: "DELETE",
    });
    expect(finished.status).toBe(409);
    expect(finished.body.error).toContain("already ended");
    const unknown = await api.json<{ error: string; code: string }>("/v1/runs/01NOPE", {
      method: "DELETE",
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("run_not_found");
  });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error("condition not met in time");
}
