import { AppId, FunctionId, RunId, StepId } from "@ingot/protocol";
import type { PrunedRuns } from "@ingot/store";
import { describe, expect, it } from "vitest";
import type { PostgresStore } from "../src/index.js";
import { rows, T0, useTestServer } from "./fixtures.js";

/** Several nodes pruning one database while others keep writing (`--retention`). */

const { node, freshDatabase } = useTestServer();

/** `count` finished runs with 3 steps, 4 history rows and an event each, by plain SQL. */
async function seedFinished(url: string, count: number): Promise<void> {
  await rows(
    url,
    `INSERT INTO events (id, name, data, ts, received_at)
       SELECT 'e-' || i, 'shop/order', '{}', ${T0}, ${T0} + i FROM generate_series(1, ${count}) AS i;
     INSERT INTO runs (id, function_id, app_id, status, event_ids, created_at, ended_at)
       SELECT 'run-' || i, 'shop-a', 'shop', 'Completed', '["e-' || i || '"]', ${T0} + i, ${T0} + i + 5
       FROM generate_series(1, ${count}) AS i;
     INSERT INTO run_events (event_id, run_id) SELECT 'e-' || i, 'run-' || i FROM generate_series(1, ${count}) AS i;
     INSERT INTO steps (run_id, step_id, seq, status, op, output, created_at)
       SELECT 'run-' || i, 's' || j, j, 'completed', 'step', '1', ${T0}
       FROM generate_series(1, ${count}) AS i, generate_series(1, 3) AS j;
     INSERT INTO history (run_id, at, type)
       SELECT 'run-' || i, ${T0}, 'step.completed' FROM generate_series(1, ${count}) AS i, generate_series(1, 4) AS j;`,
  );
}

async function pruneUntilDone(store: PostgresStore, before: number): Promise<PrunedRuns> {
  const total: PrunedRuns = { runs: 0, steps: 0, history: 0, aiCalls: 0, waits: 0 };
  for (;;) {
    const batch = await store.retention.pruneRuns({ before, limit: 25 });
    for (const key of Object.keys(total) as (keyof PrunedRuns)[]) total[key] += batch[key];
    if (batch.runs === 0) return total;
  }
}

describe("pruning from several nodes", () => {
  it("each run is deleted and counted by exactly one node, while a writer goes on", async () => {
    const url = await freshDatabase();
    const nodes = await Promise.all([node(url), node(url), node(url)]);
    const writer = await node(url);
    await seedFinished(url, 600);
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) {
        const id = RunId(`live-${written}`);
        const result = await writer.commit({
          newRuns: [
            {
              id,
              functionId: FunctionId("shop-a"),
              appId: AppId("shop"),
              eventIds: [],
              createdAt: T0,
            },
          ],
          steps: [{ runId: id, stepId: StepId("a"), status: "completed", outputJson: "1" }],
          history: [{ runId: id, at: T0, type: "function.started" }],
        });
        expect(result.ok).toBe(true);
        written++;
      }
    })();
    const totals = await Promise.all(nodes.map((store) => pruneUntilDone(store, T0 + 10_000)));
    writing = false;
    await writes;
    const sum = totals.reduce(
      (acc, t) => ({
        runs: acc.runs + t.runs,
        steps: acc.steps + t.steps,
        history: acc.history + t.history,
      }),
      { runs: 0, steps: 0, history: 0 },
    );
    expect(sum).toEqual({ runs: 600, steps: 1_800, history: 2_400 });
    // The work was shared: SKIP LOCKED let the nodes take different runs at the same time.
    expect(totals.filter((t) => t.runs > 0).length).toBeGreaterThan(1);
    const left = await rows(
      url,
      `SELECT (SELECT count(*) FROM runs WHERE id LIKE 'run-%') AS finished,
              (SELECT count(*) FROM runs WHERE id LIKE 'live-%') AS live,
              (SELECT count(*) FROM steps WHERE run_id LIKE 'live-%') AS live_steps,
              (SELECT count(*) FROM run_events) AS links`,
    );
    expect(left).toEqual([
      { finished: "0", live: String(written), live_steps: String(written), links: "0" },
    ]);
    expect(written).toBeGreaterThan(0);
  });
});
