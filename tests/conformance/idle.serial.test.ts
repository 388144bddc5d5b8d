import { readFileSync } from "node:fs";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

const WAITING = 10_000;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * No busy polling: with 10,000 throttled runs and 10,000 debounce windows waiting on timers,
 * an idle server uses almost no CPU.
 */
describe("idle server with waiting flow control", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;

  beforeAll(async () => {
    ingot = await startIngot({ env: { INGOT_LOG_LEVEL: "warn" } });
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "idle", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        {
          id: "throttled",
          throttle: { limit: 1, period: "1h" },
          triggers: [{ event: "idle/throttled" }],
        },
        () => "ran",
      ),
      inngest.createFunction(
        {
          id: "debounced",
          debounce: { period: "1h", key: "event.data.key" },
          triggers: [{ event: "idle/debounced" }],
        },
        () => "ran",
      ),
    ];
    app = await serveApp({ handler: serveV4({ client: inngest, functions: fns }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it(`uses almost no CPU with ${WAITING} throttled runs and ${WAITING} debounce timers waiting`, async () => {
    for (let offset = 0; offset < WAITING; offset += 1_000) {
      await api.send(Array.from({ length: 1_000 }, () => ({ name: "idle/throttled" })));
      await api.send(
        Array.from({ length: 1_000 }, (_, i) => ({
          name: "idle/debounced",
          data: { key: `k${offset + i}` },
        })),
      );
    }
    // Wait until every event was routed: the throttled runs exist, the queue holds the timers.
    const countQueued = async (): Promise<number> => {
      let count = 0;
      let cursor: string | null = null;
      do {
        const page: { body: { data: unknown[]; cursor: string | null } } = await api.json(
          `/v1/runs?function_id=idle-throttled&status=Queued&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
        );
        count += page.body.data.length;
        cursor = page.body.cursor;
      } while (cursor);
      return count;
    };
    const deadline = Date.now() + 60_000;
    // One throttled run starts at once; the other 9,999 wait for their slot.
    while ((await countQueued()) < WAITING - 1) {
      if (Date.now() > deadline) throw new Error("events were not routed in time");
      await sleep(500);
    }
    await sleep(3_000);
    const pid = ingot.pid();
    const before = cpuMs(pid);
    const started = Date.now();
    await sleep(10_000);
    const usedPct = ((cpuMs(pid) - before) / (Date.now() - started)) * 100;
    process.stdout.write(
      `idle: server CPU ${usedPct.toFixed(2)}% of one core over 10 s with ${WAITING * 2} waiting timers\n`,
    );
    expect(usedPct).toBeLessThan(3);
  }, 180_000);
});
