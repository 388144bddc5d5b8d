import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRun, IngotApi, sleep } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";
import { nested, RawApp } from "./raw-app.js";

/**
 * Issue "correctness under faults", items 4, 5 and 7: every answer Ingot cannot act on becomes a
 * recorded error, retried within the function's retries, and the run then fails — never a run
 * left `Running` without a word. Limits on nesting and size are enforced at the edge with 4xx.
 */

const RETRIES = 2;
const STEP_A = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

describe("no silent stall", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  const app = new RawApp("raw");
  let sdkApp: RunningApp;
  let inngest: Inngest;

  beforeAll(async () => {
    ingot = await startIngot({
      args: ["--app-request-timeout-ms", "1500", "--app-max-response-bytes", "1048576"],
    });
    api = new IngotApi(ingot.url);
    await app.start();
    const ops = (list: unknown[]) => ({ status: 206, body: JSON.stringify(list) });
    app.on("empty", () => ops([]));
    app.on("unknown-op", () => ops([{ op: "Teleport", id: STEP_A, name: "beam" }]));
    app.on("resaved", () =>
      ops([{ op: "StepRun", id: STEP_A, name: "a", displayName: "a", data: 1 }]),
    );
    app.on("deep-output", () => ({ status: 200, body: nested(6_000) }));
    app.on("huge-output", () => ({ status: 200, body: `"${"x".repeat(2 * 1024 * 1024)}"` }));
    app.on("slow", () => ({ hang: true }));
    await app.register(ingot.url, [
      { slug: "empty", event: "stall/empty", retries: RETRIES },
      { slug: "unknown-op", event: "stall/unknown-op", retries: RETRIES },
      { slug: "resaved", event: "stall/resaved", retries: RETRIES },
      { slug: "deep-output", event: "stall/deep-output", retries: RETRIES },
      { slug: "huge-output", event: "stall/huge-output", retries: RETRIES },
      { slug: "slow", event: "stall/slow", retries: 1 },
    ]);

    inngest = new Inngest({ id: "stall-sdk", isDev: true, baseUrl: ingot.url });
    const badWait = inngest.createFunction(
      { id: "bad-wait", retries: 0, triggers: [{ event: "stall/bad-wait" }] },
      async ({ step }) => {
        try {
          await step.waitForEvent("approval", {
            event: "stall/approved",
            timeout: "1h",
            if: "async.data.id === event.data.id",
          });
          return "matched";
        } catch (error) {
          return { refused: (error as Error).message };
        }
      },
    );
    sdkApp = await serveApp({ handler: serveV4({ client: inngest, functions: [badWait] }) });
    await api.syncApp(sdkApp.url);
  });

  afterAll(async () => {
    await ingot?.stop();
    await Promise.all([app.close(), sdkApp?.close()]);
  });

  async function failedRun(event: string): Promise<ApiRun & { error?: { message?: string } }> {
    const ids = await api.send({ name: event });
    const [run] = await api.settled(ids[0]!, { timeoutMs: 30_000 });
    expect(run!.status).toBe("Failed");
    return (
      await api.json<{ data: ApiRun & { error?: { message?: string } } }>(`/v1/runs/${run!.run_id}`)
    ).body.data;
  }

  it.each([
    ["empty", "an empty list of steps (206 [])"],
    ["unknown-op", "only opcodes Ingot does not know (Teleport)"],
    ["resaved", "nothing to act on"],
  ])("a 206 of %s fails the run after its retries, with the reason", async (slug, reason) => {
    const run = await failedRun(`stall/${slug}`);
    expect(run.error?.message).toContain(reason);
    // `resaved` first answers with a new step (saved), then re-reports it: one more request.
    expect(app.count(slug)).toBe(slug === "resaved" ? RETRIES + 2 : RETRIES + 1);
    const history = await api.history(run.run_id);
    expect(history.filter((entry) => entry.type === "step.errored").length).toBeGreaterThan(0);
  });

  it("an answer nested 6,000 levels deep fails within the retries, with the reason", async () => {
    const run = await failedRun("stall/deep-output");
    expect(run.error?.message).toContain("deeper than 512 levels");
    expect(app.count("deep-output")).toBe(RETRIES + 1);
  });

  it("an answer over --app-max-response-bytes fails within the retries, with the reason", async () => {
    const run = await failedRun("stall/huge-output");
    expect(run.error?.message).toContain("larger than 1048576 bytes");
    expect(app.count("huge-output")).toBe(RETRIES + 1);
  });

  it("an app that never answers is given up on after --app-request-timeout-ms", async () => {
    const started = Date.now();
    const run = await failedRun("stall/slow");
    expect(run.error?.message).toContain("did not answer within 1500 ms");
    expect(app.count("slow")).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  });

  it("a waitForEvent whose if cannot run is refused when planned, not at its timeout", async () => {
    const ids = await api.send({ name: "stall/bad-wait", data: { id: 1 } });
    const [run] = await api.settled(ids[0]!, { timeoutMs: 10_000 });
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ refused: expect.stringContaining("Invalid expression") });
  });

  it("refuses events nested too deeply with a 400, and stores nothing of them", async () => {
    for (const depth of [600, 4_200, 20_000]) {
      const response = await fetch(`${ingot.url}/e/key`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"name":"stall/deep","data":{"x":${nested(depth)}}}`,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain("512 levels");
    }
    const stored = await api.json<{ data: unknown[] }>("/v1/events?name=stall/deep");
    expect(stored.body.data).toEqual([]);
  });

  it("names the setting in a 413, and answers a bad percent-encoding with 400", async () => {
    const big = await fetch(`${ingot.url}/e/key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "stall/big", data: { x: "y".repeat(11 * 1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    const message = ((await big.json()) as { error: string }).error;
    expect(message).toContain("INGOT_MAX_BODY_BYTES");
    expect(message).not.toContain("--max-body-bytes");
    for (const path of ["/%E0%A4%A", "/runs/%ff", "/assets/%zz", "/v1/runs/%E0/rerun"]) {
      const response = await fetch(`${ingot.url}${path}`);
      expect(response.status).toBe(400);
    }
  });
});

describe("a hung app", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  const hungApp = new RawApp("hung");
  const otherApp = new RawApp("other");

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    await Promise.all([hungApp.start(), otherApp.start()]);
    hungApp.on("hang", () => ({ hang: true }));
    otherApp.on("quick", () => ({ status: 200, body: '"quick"' }));
    await hungApp.register(ingot.url, [{ slug: "hang", event: "stall/hang", retries: 0 }]);
    await otherApp.register(ingot.url, [{ slug: "quick", event: "stall/quick", retries: 0 }]);
  });

  afterAll(async () => {
    await Promise.all([hungApp.close(), otherApp.close()]);
    await ingot?.stop();
  });

  it("an app whose requests all hang does not delay another app", async () => {
    const hanging = await api.send(Array.from({ length: 70 }, () => ({ name: "stall/hang" })));
    expect(hanging).toHaveLength(70);
    const deadline = Date.now() + 10_000;
    while (hungApp.count("hang") < 64 && Date.now() < deadline) await sleep(20);
    const started = Date.now();
    const [quick] = await api.send({ name: "stall/quick" });
    const [run] = await api.settled(quick!, { timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: "Completed", output: "quick" });
    // Not behind the hung app's 64 open requests and 6 queued ones.
    expect(Date.now() - started).toBeLessThan(5_000);
    // The cap shows: 64 requests hold the hung app's connections, the rest wait.
    const apps = await api.json<{
      data: { id: string; requests?: { active: number; queued: number; limit: number } }[];
    }>("/v1/apps");
    const hung = apps.body.data.find((entry) => entry.id === "hung");
    expect(hung?.requests).toEqual({ active: 64, queued: 6, limit: 64 });
  });
});
