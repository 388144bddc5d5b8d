import { Inngest } from "inngest";
import { request } from "undici";
import { serveFunctions, syncApp } from "./lib/app.js";
import { startIngot } from "./lib/ingot.js";
import { summarize } from "./lib/stats.js";

/**
 * Durable event acceptance: events/s until `POST /e/` answers (the events are committed),
 * with single-event requests from concurrent senders and with batched requests.
 */
export async function benchIngest(options: {
  events: number;
  batch: number;
  senders: number;
}): Promise<{
  singlePerSecond: number;
  batchedPerSecond: number;
}> {
  const server = await startIngot();
  try {
    const url = `${server.url}/e/bench`;
    const post = async (body: string): Promise<void> => {
      const response = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}`);
    };
    const one = JSON.stringify({ name: "bench/ingest", data: { user: "u1", amount: 42 } });
    const single = Math.min(options.events, 20_000);
    let next = 0;
    let started = performance.now();
    await Promise.all(
      Array.from({ length: options.senders }, async () => {
        while (next++ < single) await post(one);
      }),
    );
    const singlePerSecond = single / ((performance.now() - started) / 1000);
    const batchBody = JSON.stringify(
      Array.from({ length: options.batch }, (_, i) => ({
        name: "bench/ingest",
        data: { user: `u${i % 100}`, amount: i },
      })),
    );
    const requests = Math.ceil(options.events / options.batch);
    next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next++ < requests) await post(batchBody);
      }),
    );
    const batchedPerSecond = (requests * options.batch) / ((performance.now() - started) / 1000);
    return { singlePerSecond, batchedPerSecond };
  } finally {
    await server.stop();
  }
}

/**
 * Event → first step: events sent at a fixed rate; the time from sending to the function's first
 * step body starting (official SDK app on the same machine).
 */
export async function benchFirstStep(options: {
  ratePerSecond: number;
  seconds: number;
}): Promise<ReturnType<typeof summarize>> {
  const server = await startIngot();
  const inngest = new Inngest({ id: "bench-first", isDev: true, baseUrl: server.url });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const fn = inngest.createFunction(
    { id: "first", retries: 0, triggers: [{ event: "bench/first" }] },
    async ({ event, step }) => {
      await step.run("first", () => {
        const sent = sentAt.get(Number(event.data.n));
        if (sent !== undefined) latencies.push(performance.now() - sent);
        return null;
      });
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  try {
    await syncApp(server.url, app.url);
    const total = Math.round(options.ratePerSecond * options.seconds);
    const interval = 1000 / options.ratePerSecond;
    const start = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let n = 0; n < total; n++) {
      const due = start + n * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt.set(n, performance.now());
      sends.push(
        request(`${server.url}/e/bench`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "bench/first", data: { n } }),
        }).then((response) => response.body.dump()),
      );
    }
    await Promise.all(sends);
    const deadline = performance.now() + 30_000;
    while (latencies.length < total && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return summarize(latencies);
  } finally {
    await app.close();
    await server.stop();
  }
}
