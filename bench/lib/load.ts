import { request } from "undici";

export interface LatencySample {
  /** When the event was sent (epoch ms). */
  at: number;
  /** Event sent → its run reported Completed by the server's long-poll (ms). */
  ms: number;
  ok: boolean;
}

/** Sends one event and waits for its run to complete; the time it took. */
export async function timedRun(
  serverUrl: string,
  event: { name: string; data: unknown },
): Promise<LatencySample> {
  const at = Date.now();
  const started = performance.now();
  try {
    const sent = await request(`${serverUrl}/e/bench`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    const { ids } = (await sent.body.json()) as { ids: string[] };
    const waited = await request(
      `${serverUrl}/v1/events/${ids[0]}/runs?wait_for=completion&timeout=60000`,
    );
    const body = (await waited.body.json()) as { data: { status: string }[] };
    return { at, ms: performance.now() - started, ok: body.data[0]?.status === "Completed" };
  } catch {
    return { at, ms: performance.now() - started, ok: false };
  }
}

/**
 * Starts one run every `1000 / ratePerSecond` ms, on schedule whatever earlier runs do (an open
 * loop, so a slow server shows as latency, not as fewer samples), until `stop()`; then waits for
 * the runs in flight and returns every sample.
 */
export function steadyLoad(input: {
  serverUrl: () => string;
  ratePerSecond: number;
  event: (n: number) => { name: string; data: unknown };
}): { samples: LatencySample[]; stop(): Promise<LatencySample[]> } {
  const samples: LatencySample[] = [];
  const inFlight = new Set<Promise<void>>();
  const period = 1000 / input.ratePerSecond;
  const started = performance.now();
  let n = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (stopped) return;
    const due = Math.floor((performance.now() - started) / period) + 1;
    while (n < due) {
      const run = timedRun(input.serverUrl(), input.event(n++)).then((sample) => {
        samples.push(sample);
        inFlight.delete(run);
      });
      inFlight.add(run);
    }
    timer = setTimeout(tick, Math.max(1, started + n * period - performance.now()));
  };
  tick();
  return {
    samples,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
      return samples;
    },
  };
}
