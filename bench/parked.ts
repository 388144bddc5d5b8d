import { Inngest } from "inngest";
import { request } from "undici";
import { serveFunctions, syncApp } from "./lib/app.js";
import { startIngot } from "./lib/ingot.js";
import { rssMiB, summarize } from "./lib/stats.js";

/**
 * Parked runs: `runs` functions each sleeping until a wake time spread over `windowMs`; the
 * server's RSS once all are parked, and how precisely the server wakes them (the moment the sleep
 * step is stored as done, against the time asked for), read from run histories.
 */
export async function benchParked(options: { runs: number; windowMs: number }): Promise<{
  runs: number;
  parkedRssMiB: number;
  idleRssMiB: number;
  parkSeconds: number;
  lateness: ReturnType<typeof summarize>;
}> {
  const server = await startIngot();
  const inngest = new Inngest({ id: "bench-parked", isDev: true, baseUrl: server.url });
  let parked = 0;
  const fn = inngest.createFunction(
    { id: "park", retries: 0, triggers: [{ event: "bench/park" }] },
    async ({ event, step }) => {
      const wakeAt = Number(event.data.wakeAt);
      if (Date.now() < wakeAt - 50) parked++;
      await step.sleepUntil("park", new Date(wakeAt));
      return null;
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  try {
    await syncApp(server.url, app.url);
    const idleRssMiB = rssMiB(server.pid);
    // Generous margin: the SDK app reaches every run's sleep at ~2.5-4 ms of CPU each.
    const parkBy = Date.now() + Math.max(5_000, options.runs * 5);
    const started = performance.now();
    for (let offset = 0; offset < options.runs; offset += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, options.runs - offset) }, (_, i) => ({
        name: "bench/park",
        data: { wakeAt: parkBy + Math.floor(((offset + i) / options.runs) * options.windowMs) },
      }));
      const response = await request(`${server.url}/e/bench`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch),
      });
      await response.body.dump();
    }
    while (parked < options.runs && Date.now() < parkBy - 1_000)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const parkSeconds = (performance.now() - started) / 1000;
    const parkedRssMiB = rssMiB(server.pid);
    await new Promise((resolve) =>
      setTimeout(resolve, parkBy + options.windowMs + 3_000 - Date.now()),
    );
    // Precision of the server's timers, on a sample of runs: history "step.completed" of the sleep.
    const page = (await (
      await fetch(`${server.url}/v1/runs?function_id=bench-parked-park&limit=500`)
    ).json()) as {
      data: { run_id: string }[];
    };
    const lateness: number[] = [];
    for (const run of page.data.slice(0, 300)) {
      const history = (await (
        await fetch(`${server.url}/v1/runs/${run.run_id}/history`)
      ).json()) as {
        data: { type: string; at: string; data: unknown }[];
      };
      const sleep = history.data.find((entry) => entry.type === "step.sleep");
      const woke = history.data.find((entry) => entry.type === "step.completed");
      const until = (sleep?.data as { until?: number } | undefined)?.until;
      if (until !== undefined && woke) lateness.push(Date.parse(woke.at) - until);
    }
    return { runs: parked, parkedRssMiB, idleRssMiB, parkSeconds, lateness: summarize(lateness) };
  } finally {
    await app.close();
    await server.stop();
  }
}
