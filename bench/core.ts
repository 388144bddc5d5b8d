import { resolve } from "node:path";
import { request } from "undici";
import { type BenchServer, startIngot } from "./lib/ingot.js";
import { type BenchProcess, spawnBenchProcess, startSdkApp } from "./lib/spawn.js";
import { cpuMs, fmt, rssMiB, summarize } from "./lib/stats.js";

/** Runs kept by the server's tracer during the bench (`INGOT_TRACE_RUNS`): the breakdown's. */
const TRACE_RUNS = "2000";
const APP_ID = "bench";
const FN_SLUG = `${APP_ID}-three-steps`;

export interface TracePhase {
  phase: string;
  /** Since the first mark (the event's commit). */
  ms: number;
}

export interface CoreResult {
  /** `ingot`: `ingot dev`; `floor`: the stub server of bench/floor (the SDK alone). */
  target: "ingot" | "floor";
  checkpointing: boolean;
  latency: { p50: number; p99: number; mean: number; n: number };
  throughput: {
    runs: number;
    steps: number;
    seconds: number;
    stepsPerSecond: number;
    /** Runs outstanding at once (closed loop). */
    concurrency: number;
    /** Ingot's CPU (or the stub's), % of one core. */
    serverCpuPct: number;
    appCpuPct: number;
    rssMiB: number;
  };
  /** Ingot only: the server's own timeline of the median of a few sequential runs. */
  breakdown?: TracePhase[];
}

/**
 * End-to-end latency of a 3-step function (event sent → run Completed as reported by the
 * server's long-poll), sequential; then steps/s with `concurrency` runs in flight (closed loop).
 * Three processes: the server (or the floor stub), the official SDK app (`lib/sdk-app.ts`), and
 * this one, the load generator.
 */
export async function benchCore(options: {
  target?: "ingot" | "floor";
  checkpointing: boolean;
  sequential: number;
  /** Runs in the throughput phase. */
  runs: number;
  concurrency?: number;
  /** Extra `ingot dev` flags, e.g. `--postgres-uri`. */
  serverArgs?: string[];
}): Promise<CoreResult> {
  const target = options.target ?? "ingot";
  const concurrency = options.concurrency ?? 64;
  const server = await startServer(target, options.serverArgs ?? []);
  let app: BenchProcess | undefined;
  try {
    app = await startSdkApp(server.url, { appId: APP_ID, checkpointing: options.checkpointing });
    await sync(server.url, app.url);
    const runOnce = async (i: number): Promise<string> => {
      const [id] = await send(server.url, { name: "bench/three", data: { i } });
      await completed(server.url, id!);
      return id!;
    };
    // Warm up connections and JIT.
    for (let i = 0; i < 50; i++) await runOnce(i);

    const samples: number[] = [];
    for (let i = 0; i < options.sequential; i++) {
      const started = performance.now();
      await runOnce(i);
      samples.push(performance.now() - started);
    }
    const breakdown = target === "ingot" ? await traceBreakdown(server.url, runOnce) : undefined;

    const cpuBefore = { server: cpuMs(server.pid), app: cpuMs(app.pid) };
    const started = performance.now();
    let next = 0;
    let finished = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < options.runs) {
          await runOnce(next++);
          finished++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const pct = (ms: number): number => (ms / (seconds * 1000)) * 100;
    return {
      target,
      checkpointing: options.checkpointing,
      latency: summarize(samples),
      throughput: {
        runs: finished,
        steps: finished * 3,
        seconds,
        stepsPerSecond: (finished * 3) / seconds,
        concurrency,
        serverCpuPct: pct(cpuMs(server.pid) - cpuBefore.server),
        appCpuPct: pct(cpuMs(app.pid) - cpuBefore.app),
        rssMiB: rssMiB(server.pid),
      },
      ...(breakdown ? { breakdown } : {}),
    };
  } finally {
    await app?.stop();
    await server.stop();
  }
}

async function startServer(
  target: "ingot" | "floor",
  serverArgs: string[],
): Promise<Pick<BenchServer, "url" | "pid" | "stop">> {
  if (target === "floor") {
    return spawnBenchProcess(resolve(import.meta.dirname, "floor/stub-server.ts"), [FN_SLUG]);
  }
  return startIngot(serverArgs, { INGOT_TRACE_RUNS: TRACE_RUNS });
}

async function sync(serverUrl: string, appUrl: string): Promise<void> {
  const response = await request(`${serverUrl}/v1/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: appUrl }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`sync failed: ${response.statusCode} ${text}`);
}

async function send(serverUrl: string, event: unknown): Promise<string[]> {
  const response = await request(`${serverUrl}/e/bench-key-0123456789`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  return ((await response.body.json()) as { ids: string[] }).ids;
}

async function completed(serverUrl: string, eventId: string): Promise<void> {
  const response = await request(
    `${serverUrl}/v1/events/${eventId}/runs?wait_for=completion&timeout=30000`,
  );
  const body = (await response.body.json()) as { data: { status: string }[] };
  if (body.data[0]?.status !== "Completed")
    throw new Error(`run did not complete: ${JSON.stringify(body)}`);
}

/**
 * Seven sequential runs, each with the server's own timeline (`GET /v1/runs/:id/trace`); the
 * run whose total is the median stands for them.
 */
async function traceBreakdown(
  serverUrl: string,
  runOnce: (i: number) => Promise<string>,
): Promise<TracePhase[]> {
  const traces: TracePhase[][] = [];
  for (let i = 0; i < 7; i++) {
    const eventId = await runOnce(i);
    const runs = (await (await request(`${serverUrl}/v1/events/${eventId}/runs`)).body.json()) as {
      data: { run_id: string }[];
    };
    const trace = (await (
      await request(`${serverUrl}/v1/runs/${runs.data[0]!.run_id}/trace`)
    ).body.json()) as { data: TracePhase[] };
    traces.push(trace.data);
  }
  const total = (t: TracePhase[]): number => t.at(-1)?.ms ?? 0;
  traces.sort((a, b) => total(a) - total(b));
  return traces[Math.floor(traces.length / 2)]!;
}

/** One line per phase: `+gap` since the previous mark, and the time since the first. */
export function describeBreakdown(phases: readonly TracePhase[]): string[] {
  let previous = 0;
  return phases.map((mark) => {
    const line = `  ${mark.phase.padEnd(28)} +${fmt(mark.ms - previous)} ms  (at ${fmt(mark.ms)})`;
    previous = mark.ms;
    return line;
  });
}

export function describeCore(result: CoreResult): string {
  const mode = result.checkpointing ? "checkpointing on " : "checkpointing off";
  const who = result.target === "floor" ? "SDK floor" : "Ingot";
  const { latency: l, throughput: t } = result;
  return [
    `${who}, 3-step run latency (${mode}): p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms over ${l.n} sequential runs`,
    `${who}, throughput       (${mode}): ${fmt(t.stepsPerSecond, 0)} steps/s (${t.runs} runs, ${t.concurrency} in flight, ${fmt(t.seconds)} s; server CPU ${fmt(t.serverCpuPct, 0)}%, app CPU ${fmt(t.appCpuPct, 0)}%, RSS ${fmt(t.rssMiB, 0)} MiB)`,
  ].join("\n");
}
