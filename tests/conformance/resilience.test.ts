import type { RequestHandler } from "express";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

const MiB = 1024 * 1024;

/**
 * Apps that misbehave (garbage, 502, dropped connections) are retried without corrupting runs,
 * and large state travels through `use_api` when the app's body limit is small.
 */
describe("misbehaving apps and large state", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();
  /** Per event key: how many execution requests to sabotage, and how. */
  const sabotage = new Map<
    string,
    { mode: "garbage" | "502" | "drop" | "html200"; left: number }
  >();

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "resilience", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        { id: "steps", retries: 5, triggers: [{ event: "res/steps" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const a = await step.run("a", () => (counter.hit(`${key}:a`), "A"));
          const b = await step.run("b", () => (counter.hit(`${key}:b`), "B"));
          return a + b;
        },
      ),
      inngest.createFunction(
        { id: "big", triggers: [{ event: "res/big" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const size = Number(event.data.mib) * MiB;
          const parts: number[] = [];
          for (const name of ["one", "two", "three"]) {
            const blob = await step.run(
              name,
              () => (counter.hit(`${key}:${name}`), name[0]!.repeat(size)),
            );
            parts.push(blob.length);
          }
          return { parts };
        },
      ),
    ];
    const serveHandler = serveV4({ client: inngest, functions: fns });
    const handler: RequestHandler = (req, res, next) => {
      const body = req.body as { event?: { data?: { key?: string } } } | undefined;
      const key = req.method === "POST" ? body?.event?.data?.key : undefined;
      const plan = key === undefined ? undefined : sabotage.get(key);
      if (plan && plan.left > 0) {
        plan.left--;
        if (plan.mode === "garbage")
          return void res.status(200).type("text/plain").send("not the sdk");
        if (plan.mode === "html200")
          return void res.status(200).set("x-inngest-sdk", "fake").type("text/html").send("<html>");
        if (plan.mode === "502") return void res.status(502).send("Bad Gateway");
        req.socket.destroy();
        return;
      }
      serveHandler(req, res, next);
    };
    app = await serveApp({ handler });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it.each(["garbage", "502", "drop", "html200"] as const)(
    "retries after the app answers %s, and each step still runs once",
    async (mode) => {
      const key = `bad-${mode}`;
      sabotage.set(key, { mode, left: 2 });
      const [id] = await api.send({ name: "res/steps", data: { key } });
      const [run] = await api.settled(id!, { timeoutMs: 15_000 });
      expect(run).toMatchObject({ status: "Completed", output: "AB" });
      expect(counter.get(`${key}:a`)).toBe(1);
      expect(counter.get(`${key}:b`)).toBe(1);
      const history = await api.history(run!.run_id);
      expect(history.filter((h) => h.type === "step.errored")).toHaveLength(2);
    },
  );

  it("fails the run once retries are used up on an app that never answers properly", async () => {
    const key = "bad-forever";
    sabotage.set(key, { mode: "502", left: 1_000 });
    const [id] = await api.send({ name: "res/steps", data: { key } });
    const [run] = await api.settled(id!, { timeoutMs: 30_000 });
    expect(run?.status).toBe("Failed");
    expect(run?.output).toMatchObject({ message: expect.stringContaining("502") as string });
    expect(sabotage.get(key)?.left).toBe(1_000 - 6);
  });

  it("hands several MiB of step output to the app through use_api (express's 100 kB limit)", async () => {
    const [id] = await api.send({ name: "res/big", data: { key: "big", mib: 3 } });
    const [run] = await api.settled(id!, { timeoutMs: 30_000 });
    expect(run).toMatchObject({
      status: "Completed",
      output: { parts: [3 * MiB, 3 * MiB, 3 * MiB] },
    });
    for (const name of ["one", "two", "three"]) expect(counter.get(`big:${name}`)).toBe(1);
  });
});
