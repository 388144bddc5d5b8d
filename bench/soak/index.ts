import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { syncApp } from "../lib/app.js";
import { startIngot } from "../lib/ingot.js";
import { fileBytes, usedBytes } from "../lib/sqlite-files.js";
import { cpuMs, fmt, rssMiB } from "../lib/stats.js";
import { passLogs } from "../retention.js";
import { chartSvg } from "./chart.js";

/**
 * `npm run soak [-- --minutes 10] [--rate 20] [--retention 2m] [--every 30] [--out DIR] [--docs]`
 *
 * A long run at a steady rate, three processes as in production: `ingot dev` (SQLite, with
 * retention), an app on the official v4 SDK serving a 3-step function, and a load generator that
 * starts runs on schedule and times each until the server reports it Completed. One line per
 * period: server RSS and CPU, run latency p50/p99, the database's size on disk and in use, and
 * what pruning deleted. The series goes to DIR/soak.json, soak.csv and soak.svg (`--docs`: also
 * docs/soak.svg and docs/soak.json). Never part of `npm test`.
 */

const ROOT = resolve(import.meta.dirname, "../..");
/** `node --import tsx`: the script runs in that process (the tsx CLI would add a parent). */
const TSX = ["--import", "tsx"];

interface Point {
  /** Minutes since the load started. */
  minute: number;
  serverRssMiB: number;
  appRssMiB: number;
  serverCpuPct: number;
  runs: number;
  failed: number;
  p50: number | null;
  p99: number | null;
  maxMs: number | null;
  /** Database, WAL and shared-memory files (MiB), and the pages in use of the database. */
  diskMiB: number;
  usedMiB: number;
  prunedRuns: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "10" },
      rate: { type: "string", default: "20" },
      retention: { type: "string", default: "2m" },
      every: { type: "string", default: "30" },
      out: { type: "string", default: resolve(ROOT, ".tmp/soak") },
      docs: { type: "boolean", default: false },
    },
  });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  const everyMs = Number(values.every) * 1000;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);

  const server = await startIngot(
    ["--retention", values.retention, "--log-level", "info"],
    {},
    { captureLog: true },
  );
  const app = await startChild(["bench/soak/app.ts", server.url], /app ready at (\S+)/);
  const processes: ChildProcess[] = [app.child];
  const series: Point[] = [];
  try {
    await syncApp(server.url, app.match);
    out(
      `soak: ${minutes} min at ${rate} runs/s, --retention ${values.retention}; server ${server.url} (pid ${server.pid}), data in ${server.dataDir}`,
    );
    out(
      "minute | server RSS MiB | app RSS MiB | server CPU % | runs | failed | p50 ms | p99 ms | max ms | disk MiB | in use MiB | pruned runs",
    );
    const load = spawn(
      process.execPath,
      [...TSX, "bench/soak/load.ts", server.url, String(rate), String(everyMs)],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    processes.push(load);
    const started = Date.now();
    let cpuBefore = cpuMs(server.pid);
    let timeBefore = started;
    let prunedBefore = 0;
    let buffer = "";
    const done = new Promise<void>((resolveDone) => load.once("exit", () => resolveDone()));
    load.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const window = JSON.parse(line) as {
          at: number;
          n: number;
          failed: number;
          p50: number | null;
          p99: number | null;
          max: number | null;
        };
        const now = Date.now();
        const cpu = cpuMs(server.pid);
        const pruned = passLogs(server.log()).reduce((sum, pass) => sum + pass.runs, 0);
        const files = fileBytes(server.dataDir);
        const point: Point = {
          minute: (window.at - started) / 60_000,
          serverRssMiB: rssMiB(server.pid),
          appRssMiB: rssMiB(app.child.pid ?? 0),
          serverCpuPct: ((cpu - cpuBefore) / Math.max(1, now - timeBefore)) * 100,
          runs: window.n,
          failed: window.failed,
          p50: window.p50,
          p99: window.p99,
          maxMs: window.max,
          diskMiB: files.total / 1_048_576,
          usedMiB: usedBytes(server.dataDir) / 1_048_576,
          prunedRuns: pruned - prunedBefore,
        };
        cpuBefore = cpu;
        timeBefore = now;
        prunedBefore = pruned;
        series.push(point);
        out(describe(point));
      }
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, minutes * 60_000));
    load.kill("SIGTERM");
    await done;
  } finally {
    for (const child of processes) child.kill("SIGTERM");
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  report(series, {
    minutes,
    rate,
    retention: values.retention,
    out: values.out,
    docs: values.docs,
  });
}

function describe(p: Point): string {
  const num = (value: number | null, digits = 1) => (value === null ? "-" : fmt(value, digits));
  return [
    fmt(p.minute, 1),
    fmt(p.serverRssMiB, 0),
    fmt(p.appRssMiB, 0),
    fmt(p.serverCpuPct, 0),
    String(p.runs),
    String(p.failed),
    num(p.p50),
    num(p.p99),
    num(p.maxMs),
    fmt(p.diskMiB, 1),
    fmt(p.usedMiB, 1),
    String(p.prunedRuns),
  ].join(" | ");
}

function report(
  series: Point[],
  options: { minutes: number; rate: number; retention: string; out: string; docs: boolean },
): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (series.length === 0) throw new Error("the soak recorded nothing");
  const at = (fraction: number): Point =>
    series[Math.min(series.length - 1, Math.floor(fraction * (series.length - 1)))]!;
  const [first, middle, last] = [at(0), at(0.5), at(1)];
  const total = series.reduce((sum, p) => sum + p.runs, 0);
  const failed = series.reduce((sum, p) => sum + p.failed, 0);
  out("");
  out(`soak summary: ${total} runs completed, ${failed} failed, in ${fmt(last.minute, 1)} min`);
  for (const [name, p] of [
    ["start", first],
    ["middle", middle],
    ["end", last],
  ] as const) {
    out(
      `  ${name.padEnd(6)} (min ${fmt(p.minute, 1)}): server RSS ${fmt(p.serverRssMiB, 0)} MiB, p99 ${p.p99 === null ? "-" : fmt(p.p99, 1)} ms, disk ${fmt(p.diskMiB, 1)} MiB (${fmt(p.usedMiB, 1)} MiB in use)`,
    );
  }
  mkdirSync(options.out, { recursive: true });
  const json = JSON.stringify({ ...options, series }, null, 2);
  const csv = [
    Object.keys(first).join(","),
    ...series.map((p) =>
      Object.values(p)
        .map((v) => (v === null ? "" : String(v)))
        .join(","),
    ),
  ].join("\n");
  const svg = chartSvg(
    `Soak: ${options.rate} runs/s for ${options.minutes} min, --retention ${options.retention} (SQLite)`,
    [
      {
        title: "RSS (server and app processes)",
        unit: "MiB",
        series: [
          {
            label: "server",
            color: "#1f6feb",
            points: series.map((p) => ({ x: p.minute, y: p.serverRssMiB })),
          },
          {
            label: "app",
            color: "#8b949e",
            points: series.map((p) => ({ x: p.minute, y: p.appRssMiB })),
          },
        ],
      },
      {
        title: "3-step run latency",
        unit: "ms",
        series: [
          {
            label: "p99",
            color: "#d1242f",
            points: series.map((p) => ({ x: p.minute, y: p.p99 })),
          },
          {
            label: "p50",
            color: "#2da44e",
            points: series.map((p) => ({ x: p.minute, y: p.p50 })),
          },
        ],
      },
      {
        title: "Disk",
        unit: "MiB",
        series: [
          {
            label: "files",
            color: "#8250df",
            points: series.map((p) => ({ x: p.minute, y: p.diskMiB })),
          },
          {
            label: "in use",
            color: "#bf8700",
            points: series.map((p) => ({ x: p.minute, y: p.usedMiB })),
          },
        ],
      },
    ],
    "min",
  );
  writeFileSync(resolve(options.out, "soak.json"), json);
  writeFileSync(resolve(options.out, "soak.csv"), `${csv}\n`);
  writeFileSync(resolve(options.out, "soak.svg"), svg);
  out(`wrote ${options.out}/soak.json, soak.csv, soak.svg`);
  if (options.docs) {
    writeFileSync(resolve(ROOT, "docs/soak.svg"), svg);
    writeFileSync(resolve(ROOT, "docs/soak.json"), `${json}\n`);
    out("wrote docs/soak.svg and docs/soak.json");
  }
}

/** Starts `tsx <args>` and waits for a line matching `ready`; its first group is returned. */
function startChild(
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, [...TSX, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolveReady, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = ready.exec(text);
      if (match?.[1]) resolveReady({ child, match: match[1] });
    });
    child.once("exit", (code) =>
      reject(new Error(`${args[0]} exited (${code}) before it was ready`)),
    );
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
