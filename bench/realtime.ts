import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { Pool } from "undici";
import { WebSocket } from "ws";
import { startIngot } from "./lib/ingot.js";
import { fmt, summarize } from "./lib/stats.js";

const TSX = resolve(import.meta.dirname, "../node_modules/.bin/tsx");
const BASELINE = resolve(import.meta.dirname, "lib/ws-broadcast.ts");

type Summary = ReturnType<typeof summarize>;

export interface RealtimeLatency {
  subscribers: number;
  messages: number;
  ratePerSecond: number;
  ingot: Summary;
  baseline: Summary;
}

export interface RealtimeResults {
  latency: RealtimeLatency[];
  /** Messages per second one node takes in and delivers to one subscriber (many publishers). */
  throughput: { messages: number; publishers: number; ingot: number; baseline: number };
}

/** Where messages are published and how subscribers connect: Ingot, or the `ws` baseline. */
interface Target {
  url: string;
  /** Each measurement uses a channel of its own: Ingot replays a channel's last minute. */
  publishPath: (channel: string) => string;
  socketUrl: (channel: string) => Promise<string>;
  stop(): Promise<void>;
}

/**
 * Realtime: publish → receive latency with 1, 100 and 1,000 WebSocket subscribers (HTTP publish
 * as the SDK does; subscribers and publisher in this process, the server in its own), and the
 * messages per second one node sustains. Each figure is set beside the same workload against a
 * bare `ws` broadcast server measured in the same run.
 */
export async function benchRealtime(options: { quick: boolean }): Promise<RealtimeResults> {
  const shapes = options.quick
    ? [
        { subscribers: 1, messages: 200, ratePerSecond: 200 },
        { subscribers: 100, messages: 100, ratePerSecond: 50 },
        { subscribers: 1_000, messages: 40, ratePerSecond: 20 },
      ]
    : [
        { subscribers: 1, messages: 2_000, ratePerSecond: 200 },
        { subscribers: 100, messages: 500, ratePerSecond: 100 },
        { subscribers: 1_000, messages: 200, ratePerSecond: 20 },
      ];
  const flood = { messages: options.quick ? 5_000 : 30_000, publishers: 64 };
  const latency: RealtimeLatency[] = [];
  let throughput = { ...flood, ingot: 0, baseline: 0 };
  for (const kind of ["ingot", "baseline"] as const) {
    const target = kind === "ingot" ? await ingotTarget() : await baselineTarget();
    try {
      for (const [index, shape] of shapes.entries()) {
        const measured = await measureLatency(target, shape);
        const row = latency[index] ?? { ...shape, ingot: measured, baseline: measured };
        row[kind] = measured;
        latency[index] = row;
      }
      throughput = { ...throughput, [kind]: await measureThroughput(target, flood) };
    } finally {
      await target.stop();
    }
  }
  return { latency, throughput };
}

export function describeRealtime(results: RealtimeResults): string[] {
  const lines = results.latency.map(
    (row) =>
      `realtime publish -> receive, ${String(row.subscribers).padStart(5)} subscriber(s): p50 ${fmt(row.ingot.p50)} ms, p99 ${fmt(row.ingot.p99)} ms (bare ws: p50 ${fmt(row.baseline.p50)}, p99 ${fmt(row.baseline.p99)}; x${fmt(row.ingot.p50 / row.baseline.p50, 1)} at p50) at ${row.ratePerSecond}/s`,
  );
  const t = results.throughput;
  lines.push(
    `realtime messages/s, one node:      ${fmt(t.ingot, 0)} (bare ws: ${fmt(t.baseline, 0)}; ${fmt((100 * t.ingot) / t.baseline, 0)}%), ${t.publishers} publishers, 1 subscriber`,
  );
  return lines;
}

async function ingotTarget(): Promise<Target> {
  const server = await startIngot();
  return {
    url: server.url,
    publishPath: (channel) => `/v1/realtime/publish?channel=${channel}&topic=t`,
    socketUrl: async (channel) => {
      const response = await fetch(`${server.url}/v1/realtime/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ channel, name: "t", kind: "run" }]),
      });
      const { jwt } = (await response.json()) as { jwt: string };
      return `${server.url.replace("http", "ws")}/v1/realtime/connect?token=${jwt}`;
    },
    stop: () => server.stop(),
  };
}

async function baselineTarget(): Promise<Target> {
  const child = spawn(TSX, [BASELINE], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`ws baseline exited (${code})`)));
  });
  return {
    url,
    publishPath: () => "/publish",
    socketUrl: () => Promise.resolve(url.replace("http", "ws")),
    stop: () =>
      new Promise((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

/** `count` subscribers; `onMessage(sentAt)` per message each receives (sentAt from the body). */
async function connectAll(
  url: string,
  count: number,
  onMessage: (sentAt: number) => void,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () => {
      const ws = new WebSocket(url);
      ws.on("message", (data: Buffer) => {
        // The send time, without parsing the whole message.
        const match = /"sentAt":([\d.]+)/.exec(data.toString());
        if (match?.[1]) onMessage(Number(match[1]));
      });
      return new Promise<WebSocket>((ok, fail) => {
        ws.once("open", () => ok(ws));
        ws.once("error", fail);
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function measureLatency(
  target: Target,
  shape: { subscribers: number; messages: number; ratePerSecond: number },
): Promise<Summary> {
  const samples: number[] = [];
  const expected = shape.messages * shape.subscribers;
  let received = 0;
  let allIn: (() => void) | undefined;
  const channel = `latency-${shape.subscribers}`;
  const sockets = await connectAll(await target.socketUrl(channel), shape.subscribers, (sentAt) => {
    samples.push(performance.now() - sentAt);
    if (++received === expected) allIn?.();
  });
  const pool = new Pool(target.url, { connections: 8 });
  try {
    const done = new Promise<void>((ok) => (allIn = ok));
    const interval = 1000 / shape.ratePerSecond;
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < shape.messages; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      sends.push(
        post(pool, target.publishPath(channel), JSON.stringify({ i, sentAt: performance.now() })),
      );
    }
    await Promise.all(sends);
    await Promise.race([done, new Promise((ok) => setTimeout(ok, 30_000))]);
    if (received < expected) throw new Error(`only ${received} of ${expected} messages arrived`);
    return summarize(samples);
  } finally {
    for (const ws of sockets) ws.terminate();
    await pool.close();
  }
}

async function measureThroughput(
  target: Target,
  flood: { messages: number; publishers: number },
): Promise<number> {
  let received = 0;
  let allIn: (() => void) | undefined;
  const sockets = await connectAll(await target.socketUrl("flood"), 1, () => {
    if (++received === flood.messages) allIn?.();
  });
  const pool = new Pool(target.url, { connections: flood.publishers });
  try {
    const done = new Promise<void>((ok) => (allIn = ok));
    const started = performance.now();
    let next = 0;
    const publisher = async (): Promise<void> => {
      while (next < flood.messages) {
        const i = next++;
        await post(
          pool,
          target.publishPath("flood"),
          JSON.stringify({ i, sentAt: performance.now() }),
        );
      }
    };
    await Promise.all(Array.from({ length: flood.publishers }, publisher));
    await Promise.race([done, new Promise((ok) => setTimeout(ok, 60_000))]);
    if (received < flood.messages) {
      throw new Error(`only ${received} of ${flood.messages} messages arrived`);
    }
    return flood.messages / ((performance.now() - started) / 1000);
  } finally {
    for (const ws of sockets) ws.terminate();
    await pool.close();
  }
}

async function post(pool: Pool, path: string, body: string): Promise<void> {
  const response = await pool.request({
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body,
  });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`publish answered ${response.statusCode}`);
}
