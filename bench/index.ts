import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { benchCore, describeBreakdown, describeCore } from "./core.js";
import { benchGatewayOverhead, benchInFlight, describeGateway } from "./gateway.js";
import { benchFirstStep, benchIngest } from "./ingest.js";
import { fmt } from "./lib/stats.js";
import { benchParked } from "./parked.js";
import { benchRealtime, describeRealtime } from "./realtime.js";
import { compareWithPeers, describePeers, runPeers } from "./peers/index.js";
import { TestPostgres } from "../packages/store-postgres/test/postgres.js";
import { benchPostgres } from "./postgres.js";
import { benchPythonChat } from "./python-chat.js";
import { benchRetention, describeRetention } from "./retention.js";
import { benchRetentionPostgres, describeRetentionPostgres } from "./retention-postgres.js";
import { type BenchResults, benchmarksMarkdown, chartSvg } from "./report.js";

const DOCS = resolve(import.meta.dirname, "../docs");

/**
 * `npm run bench [-- --quick] [--no-peers] [--no-docs] [--only=NAME,…]`: measures, prints one
 * summary line per metric, and rewrites docs/benchmarks.md and docs/benchmarks.svg (a full run;
 * `--quick` writes them only with `--docs`; `--only` runs the parts whose names contain one of
 * the words, e.g. `--only=retention`, and never writes them). Never part of `npm test`. Every
 * number is measured in this run.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const only = argv
    .find((arg) => arg.startsWith("--only="))
    ?.slice("--only=".length)
    .split(",");
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const started = performance.now();
  const results: BenchResults = {
    quick,
    date: new Date().toISOString().slice(0, 10),
    core: [],
    floor: [],
    problems: [],
  };
  /** Runs one part; a failure is reported and the bench goes on with the rest. */
  const part = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    if (only && !only.some((word) => name.includes(word))) return undefined;
    process.stderr.write(`[bench] ${name}…\n`);
    try {
      return await work();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      results.problems.push(`${name}: ${why}`);
      out(`${name}: failed: ${why}`);
      return undefined;
    }
  };

  // --quick measures the v4 default (checkpointing on) only. The SDK floor (bench/floor: the
  // same app process driven by a stub server that stores nothing) runs right before Ingot.
  for (const checkpointing of quick ? [true] : [true, false]) {
    const mode = `checkpointing ${checkpointing ? "on" : "off"}`;
    for (const target of ["floor", "ingot"] as const) {
      const core = await part(
        `durable steps (${target === "floor" ? "SDK floor, " : ""}${mode})`,
        () =>
          benchCore({
            target,
            checkpointing,
            sequential: quick ? 100 : 500,
            runs: quick ? 300 : 2_000,
          }),
      );
      if (!core) continue;
      (target === "floor" ? results.floor : results.core).push(core);
      out(describeCore(core));
      if (core.breakdown) {
        out("Ingot, one 3-step run (median of 7), from the server's trace:");
        for (const line of describeBreakdown(core.breakdown)) out(line);
      }
    }
  }

  const events = quick ? 10_000 : 100_000;
  const ingest = await part("ingest", () => benchIngest({ events, batch: 500, senders: 64 }));
  if (ingest) {
    results.ingest = { ...ingest, events, batch: 500 };
    out(
      `durable ingest:                     ${fmt(ingest.batchedPerSecond, 0)} events/s batched (500 per request), ${fmt(ingest.singlePerSecond, 0)} events/s single (64 senders)`,
    );
  }
  // Below saturation on this machine for Ingot and the peers: a latency, not a queue length.
  const firstStep = { ratePerSecond: 100, seconds: quick ? 2 : 10 };
  const first = await part("event -> first step", () => benchFirstStep(firstStep));
  if (first) {
    results.firstStep = { ...first, ...firstStep };
    out(
      `event -> first step:                p50 ${fmt(first.p50)} ms, p99 ${fmt(first.p99)} ms at ${firstStep.ratePerSecond}/s (${first.n} events)`,
    );
  }

  const parking = quick ? { runs: 1_000, windowMs: 2_000 } : { runs: 100_000, windowMs: 30_000 };
  const parked = await part("parked runs", () => benchParked(parking));
  if (parked) {
    results.parked = { ...parked, windowMs: parking.windowMs };
    out(
      `parked runs:                        ${parked.runs} asleep at ${fmt(parked.parkedRssMiB, 0)} MiB RSS (idle ${fmt(parked.idleRssMiB, 0)}); wake-up lateness p50 ${fmt(parked.lateness.p50, 0)} ms, p99 ${fmt(parked.lateness.p99, 0)} ms`,
    );
  }

  const gateway = await part("AI gateway overhead", () => benchGatewayOverhead(quick ? 50 : 300));
  if (gateway) {
    results.gateway = gateway;
    out(describeGateway(gateway));
  }
  const held = await part("AI calls in flight", () => benchInFlight(quick ? 500 : 10_000));
  if (held) {
    results.inFlight = held;
    out(
      `AI calls in flight on one node:     ${held.inFlight} (server RSS ${fmt(held.rssMiB, 0)} MiB, idle ${fmt(held.idleRssMiB, 0)} MiB; ${fmt(held.seconds, 1)} s to reach)`,
    );
  }

  const pythonChat = await part("python chat seed flow", () => benchPythonChat(quick ? 20 : 100));
  if (pythonChat) {
    results.pythonChat = pythonChat;
    out(
      `python chat, POST then poll to done: p50 ${fmt(pythonChat.p50, 0)} ms, p95 ${fmt(pythonChat.p95, 0)} ms, max ${fmt(pythonChat.max, 0)} ms (${pythonChat.n} requests, llm-sim)`,
    );
  }
  const realtime = await part("realtime", () => benchRealtime({ quick }));
  if (realtime) {
    results.realtime = realtime;
    for (const line of describeRealtime(realtime)) out(line);
  }
  const backlog = quick
    ? { runs: 500, clonedRuns: 10_000, ratePerSecond: 20, baselineSeconds: 5 }
    : { runs: 10_000, clonedRuns: 100_000, ratePerSecond: 20, baselineSeconds: 20 };
  const retention = await part("retention", () => benchRetention(backlog));
  if (retention) {
    results.retention = retention;
    for (const line of describeRetention(retention)) out(line);
    if (!quick) {
      const sample = retention.sample;
      const onPostgres = await part("retention on Postgres", () =>
        benchRetentionPostgres({ sample, runs: 100_000 }),
      );
      if (onPostgres) {
        results.retentionPostgres = onPostgres;
        out(describeRetentionPostgres(onPostgres));
      }
    }
  }

  if (!quick) {
    const pgCore = await part("durable steps on Postgres", async () => {
      const pg = await TestPostgres.start();
      try {
        const db = await pg.createDatabase();
        return await benchCore({
          checkpointing: true,
          sequential: 500,
          runs: 1_000,
          serverArgs: ["--postgres-uri", db.url],
        });
      } finally {
        await pg.stop();
      }
    });
    if (pgCore) {
      results.postgresCore = pgCore;
      out(`Postgres, 1 node: ${describeCore(pgCore)}`);
    }
    const pg = await part("Postgres", () => benchPostgres({ nodes: [1, 2], runs: 2_000 }));
    if (pg) {
      results.postgres = pg;
      for (const r of pg)
        out(
          `Postgres, ${r.nodes} node(s):                ${fmt(r.stepsPerSecond, 0)} steps/s (${r.runs} runs in ${fmt(r.seconds)} s; server CPU ${fmt(r.serverCpuPct, 0)}%)`,
        );
    }
  }

  if (!argv.includes("--no-peers")) {
    const peers = await part("peers", () => runPeers({ quick }));
    if (peers) {
      results.peers = peers;
      for (const line of describePeers(peers)) out(line);
      const ckpt = results.core.find((core) => core.checkpointing);
      const ratios = compareWithPeers(
        {
          ...(ckpt
            ? {
                latencyP50: ckpt.latency.p50,
                latencyP99: ckpt.latency.p99,
                stepsPerSecond: ckpt.throughput.stepsPerSecond,
              }
            : {}),
          ...(results.ingest
            ? {
                ingestSinglePerSecond: results.ingest.singlePerSecond,
                ingestBatchedPerSecond: results.ingest.batchedPerSecond,
              }
            : {}),
          ...(results.firstStep
            ? { firstStepP50: results.firstStep.p50, firstStepP99: results.firstStep.p99 }
            : {}),
        },
        peers,
      );
      for (const line of ratios) out(line);
    }
  }

  const writeDocs =
    only === undefined && (argv.includes("--docs") || (!quick && !argv.includes("--no-docs")));
  if (writeDocs) {
    writeFileSync(resolve(DOCS, "benchmarks.md"), benchmarksMarkdown(results));
    writeFileSync(resolve(DOCS, "benchmarks.svg"), chartSvg(results));
    out("wrote docs/benchmarks.md and docs/benchmarks.svg");
  }
  out(`bench finished in ${fmt((performance.now() - started) / 1000, 1)} s`);
}

main().then(
  // Exit explicitly: a peer client that failed to close must not keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
