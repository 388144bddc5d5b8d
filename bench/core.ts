import { Inngest } from "inngest";
import { serveFunctions, syncApp } from "./lib/app.js";
import { startIngot } from "./lib/ingot.js";
import { cpuMs, fmt, rssMiB, summarize } from "./lib/stats.js";

export interface CoreResult {
  checkpointing: boolean;
  latency: { p50: number; p99: number; mean: number; n: number };
  throughput: {
    runs: number;
    steps: number;
    seconds: number;
    stepsPerSecond: number;
    serverCpuPct: number;
    rssMiB: number;
  };
}

/**
 * End-to-end latency of a 3-step function (event sent → run Completed as reported by the
 * server's long-poll), sequential; then steps/s with many runs in flight.
 */
export async function benchCore(options: {
  checkpointing: boolean;
  sequential: number;
  concurrent: number;
  /** Extra `ingot dev` flags, e.g. `--postgres-uri`. */
  serverArgs?: string[];
}): Promise<CoreResult> {
  const server = await startIngot(options.serverArgs);
  const inngest = new Inngest({
    id: `bench-${options.checkpointing ? "ckpt" : "classic"}`,
    isDev: true,
    baseUrl: server.url,
    ...(options.checkpointing ? {} : { checkpointing: false }),
  });
  let stepsRun = 0;
  let finished = 0;
  let onFinished: (() => void) | undefined;
  const fn = inngest.createFunction(
    { id: "three-steps", retries: 0, triggers: [{ event: "bench/three" }] },
    async ({ step }) => {
      const a = await step.run("a", () => (stepsRun++, 1));
      const b = await step.run("b", () => (stepsRun++, a + 1));
      const c = await step.run("c", () => (stepsRun++, b + 1));
      return c;
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  try {
    await syncApp(server.url, app.url);
    const send = async (events: unknown[]): Promise<string[]> => {
      const response = await fetch(`${server.url}/e/bench`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(events),
      });
      return ((await response.json()) as { ids: string[] }).ids;
    };
    const completed = async (eventId: string): Promise<void> => {
      const response = await fetch(
        `${server.url}/v1/events/${eventId}/runs?wait_for=completion&timeout=30000`,
      );
      const body = (await response.json()) as { data: { status: string }[] };
      if (body.data[0]?.status !== "Completed")
        throw new Error(`run did not complete: ${JSON.stringify(body)}`);
    };
    // Warm up connections and JIT.
    for (let i = 0; i < 50; i++)
      await completed((await send([{ name: "bench/three", data: { i } }]))[0]!);

    const samples: number[] = [];
    for (let i = 0; i < options.sequential; i++) {
      const started = performance.now();
      const [id] = await send([{ name: "bench/three", data: { i } }]);
      await completed(id!);
      samples.push(performance.now() - started);
    }

    // Throughput: the whole batch in flight at once, completions counted by the server.
    const total = options.concurrent;
    stepsRun = 0;
    finished = 0;
    const cpuBefore = cpuMs(server.pid);
    const started = performance.now();
    const ids: string[] = [];
    for (let offset = 0; offset < total; offset += 500) {
      const batch = Array.from({ length: Math.min(500, total - offset) }, (_, i) => ({
        name: "bench/three",
        data: { i: offset + i },
      }));
      ids.push(...(await send(batch)));
    }
    await new Promise<void>((resolve) => {
      onFinished = resolve;
      void (async () => {
        for (const id of ids) {
          await completed(id);
          finished++;
        }
        onFinished?.();
      })();
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMs(server.pid) - cpuBefore;
    return {
      checkpointing: options.checkpointing,
      latency: summarize(samples),
      throughput: {
        runs: finished,
        steps: stepsRun,
        seconds,
        stepsPerSecond: stepsRun / seconds,
        serverCpuPct: (cpu / (seconds * 1000)) * 100,
        rssMiB: rssMiB(server.pid),
      },
    };
  } finally {
    await app.close();
    await server.stop();
  }
}

export function describeCore(result: CoreResult): string {
  const mode = result.checkpointing ? "checkpointing on " : "checkpointing off";
  const { latency: l, throughput: t } = result;
  return [
    `3-step run latency (${mode}): p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms over ${l.n} sequential runs`,
    `throughput       (${mode}): ${fmt(t.stepsPerSecond, 0)} steps/s (${t.runs} runs, ${t.steps} steps in ${fmt(t.seconds)} s; server CPU ${fmt(t.serverCpuPct, 0)}%, RSS ${fmt(t.rssMiB, 0)} MiB)`,
  ].join("\n");
}
