import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { openai } from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import Database from "better-sqlite3";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRun, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { CLI, type IngotProcess, startIngot } from "./harness/ingot.js";

/**
 * `--retention`: finished runs (steps, history, AI calls) and their events disappear once older
 * than the retention, while an unfinished run and its event stay, and the database stops growing
 * because pruned pages are reused.
 */
describe("retention", () => {
  let sim: LlmSim;
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;

  beforeAll(async () => {
    sim = await startLlmSim();
    ingot = await startIngot({ args: ["--retention", "2s"] });
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "retention-app", isDev: true, baseUrl: ingot.url });
    const work = inngest.createFunction(
      { id: "work", retries: 0, triggers: [{ event: "test/work" }] },
      async ({ event, step }) => {
        const a = await step.run("a", () => ({ n: Number(event.data.n), pad: "x".repeat(500) }));
        const b = await step.run("b", () => a.n + 1);
        if (event.data.ai === true) {
          await step.ai.infer("ask", {
            model: openai({ model: "gpt-4o-mini", apiKey: "sk-test", baseUrl: `${sim.url}/v1/` }),
            body: { messages: [{ role: "user", content: `n=${b}` }] },
          });
        }
        return await step.run("c", () => b + 1);
      },
    );
    const hold = inngest.createFunction(
      { id: "hold", retries: 0, triggers: [{ event: "test/hold" }] },
      async ({ step }) => {
        await step.run("before", () => "held");
        return await step.waitForEvent("approval", { event: "test/approve", timeout: "1h" });
      },
    );
    app = await serveApp({
      handler: serveV4({ client: inngest, functions: [work, hold] }),
      jsonLimit: "1mb",
    });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  /** Rows the database holds for a run, read from the file (the API 404s once the run is gone). */
  function rowsOf(runId: string): Record<string, number> {
    const db = new Database(join(ingot.dataDir, "ingot.db"), { readonly: true });
    try {
      const count = (table: string, column = "run_id"): number =>
        (
          db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(runId) as {
            n: number;
          }
        ).n;
      return {
        runs: count("runs", "id"),
        steps: count("steps"),
        history: count("history"),
        aiCalls: count("ai_calls"),
        links: count("run_events"),
      };
    } finally {
      db.close();
    }
  }

  async function runWork(
    events: Record<string, unknown>[],
  ): Promise<{ eventId: string; run: ApiRun }[]> {
    const ids = await api.send(events.map((data) => ({ name: "test/work", data })));
    const done: { eventId: string; run: ApiRun }[] = [];
    for (const eventId of ids) {
      const [run] = await api.settled(eventId, { timeoutMs: 30_000 });
      expect(run?.status).toBe("Completed");
      done.push({ eventId, run: run! });
    }
    return done;
  }

  async function waitUntilGone(runIds: string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const runId of runIds) {
      while ((await api.json(`/v1/runs/${runId}`)).status !== 404) {
        if (Date.now() > deadline)
          throw new Error(`run ${runId} was not pruned in ${timeoutMs} ms`);
        await sleep(100);
      }
    }
  }

  it("deletes old finished runs, their events, history and AI calls; keeps a running run", async () => {
    const [holdEvent] = await api.send({ name: "test/hold", data: {} });
    const [held] = await api.started(holdEvent!);
    await expect
      .poll(async () => (await api.steps(held!.run_id)).length, { timeout: 10_000 })
      .toBeGreaterThan(0);

    const done = await runWork([{ n: 1, ai: true }, { n: 2 }, { n: 3 }]);
    const withAi = done[0]!.run.run_id;
    expect((await api.json<{ data: unknown[] }>(`/v1/runs/${withAi}/ai`)).body.data).toHaveLength(
      1,
    );
    expect(rowsOf(withAi)).toMatchObject({ runs: 1, steps: 4, aiCalls: 1, links: 1 });
    expect(rowsOf(withAi).history).toBeGreaterThan(3);

    await waitUntilGone(done.map(({ run }) => run.run_id));
    for (const { eventId, run } of done) {
      expect(rowsOf(run.run_id)).toEqual({ runs: 0, steps: 0, history: 0, aiCalls: 0, links: 0 });
      await expect
        .poll(async () => (await api.json(`/v1/events/${eventId}`)).status, { timeout: 10_000 })
        .toBe(404);
    }
    const calls = await api.json<{ data: { run_id: string }[] }>(
      "/v1/ai/calls?function_id=retention-app-work",
    );
    expect(calls.body.data.filter((call) => call.run_id === withAi)).toEqual([]);

    // The waiting run is older than the retention too, but unfinished: it and its event stay.
    expect((await api.run(held!.run_id)).status).toBe("Running");
    expect((await api.json(`/v1/events/${holdEvent}`)).status).toBe(200);
    expect((await api.runsOf(holdEvent!)).map((run) => run.run_id)).toEqual([held!.run_id]);
    expect(rowsOf(held!.run_id)).toMatchObject({ runs: 1, links: 1 });
    // And it still works: the approval ends it, and then it is pruned as well.
    await api.send({ name: "test/approve", data: { ok: true } });
    expect((await api.waitFor(held!.run_id, ["Completed"])).status).toBe("Completed");
    await waitUntilGone([held!.run_id]);
    expect(ingot.logs()).toMatch(/"msg":"pruned old data"/);
    expect(ingot.logs()).toMatch(/"retentionMs":2000/);
  });

  it("the database stops growing: pruned pages are reused by new runs", async () => {
    /** Pages in use and free, as committed (a reader sees the WAL's latest state). */
    const pages = () => {
      const db = new Database(join(ingot.dataDir, "ingot.db"), { readonly: true });
      try {
        const read = (name: string) => Number(db.pragma(name, { simple: true }));
        return { total: read("page_count"), free: read("freelist_count") };
      } finally {
        db.close();
      }
    };
    const sizes: { total: number; free: number }[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const before = pages();
      const done = await runWork(Array.from({ length: 50 }, (_, i) => ({ n: wave * 100 + i })));
      const full = pages();
      // The wave's rows took pages: new ones, or free ones left by earlier waves.
      expect(full.total - full.free).toBeGreaterThan(before.total - before.free);
      await waitUntilGone(done.map(({ run }) => run.run_id));
      sizes.push(pages());
    }
    // Without pruning each wave would add as many pages as it used; with it, the file keeps
    // the size it reached after the first wave (a few pages of slack for index splits).
    const first = sizes[0]!.total;
    const used = sizes.map((size) => size.total - first);
    expect(Math.max(...used)).toBeLessThanOrEqual(8);
  });
});

describe("retention settings", () => {
  it("a retention without a unit, or under a second, is refused with a clear message", () => {
    for (const value of ["7", "500ms", "soon"]) {
      const result = spawnSync(process.execPath, [CLI, "dev", "--retention", value], {
        encoding: "utf8",
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`--retention: expected a duration of at least 1s`);
      expect(result.stderr).toContain(`got "${value}"`);
    }
    const env = spawnSync(process.execPath, [CLI, "dev"], {
      encoding: "utf8",
      env: { ...process.env, INGOT_RETENTION: "7 days" },
    });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain("INGOT_RETENTION: expected a duration of at least 1s such as 7d");
  });
});
