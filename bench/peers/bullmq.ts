import { requirePeer } from "./load.js";
import {
  findExecutable,
  freePort,
  makeTempDir,
  removeTempDir,
  spawnServer,
  waitUntil,
} from "./procs.js";
import { bench, type StartedPeer, stepBody } from "./workload.js";

/** The slice of `bullmq` the bench uses. */
interface Connection {
  connection: { host: string; port: number };
}
interface Job {
  name: string;
  data: { probe?: number };
  waitUntilFinished(events: QueueEvents): Promise<unknown>;
}
interface Queue {
  add(name: string, data: object): Promise<Job>;
  addBulk(jobs: { name: string; data: object }[]): Promise<Job[]>;
  close(): Promise<void>;
  setMaxListeners(n: number): void;
}
interface QueueEvents {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
interface Worker {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
interface BullMq {
  Queue: new (name: string, options: Connection) => Queue;
  QueueEvents: new (name: string, options: Connection) => QueueEvents;
  Worker: new (
    name: string,
    processor: (job: Job) => Promise<number>,
    options: Connection & { concurrency: number },
  ) => Worker;
}

/**
 * BullMQ: a job queue, not durable steps — a floor, not a like-for-like peer. One job per
 * workflow; its processor does three trivial awaits where the others run three durable steps.
 * Redis (Debian's redis-server) runs on a free port on 127.0.0.1, either non-durable
 * (`--save "" --appendonly no`, as in peers.md) or `durable` (AOF with `appendfsync always`,
 * an fsync per write, which is what a fair comparison with durable engines needs).
 */
export async function startBullmq(options: { durable: boolean }): Promise<StartedPeer> {
  const redisServer = findExecutable("redis-server");
  if (!redisServer) throw new Error("redis-server is not installed");
  const { Queue, QueueEvents, Worker } = requirePeer<BullMq>("bullmq");
  const dir = makeTempDir("ingot-bench-redis-");
  const port = await freePort();
  const persistence = options.durable
    ? ["--appendonly", "yes", "--appendfsync", "always"]
    : ["--save", "", "--appendonly", "no"];
  const redis = spawnServer(redisServer, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--daemonize",
    "no",
    ...persistence,
  ]);
  const closers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await redis.stop();
    removeTempDir(dir);
  };
  try {
    await waitUntil("redis", () => redis.output().includes("Ready to accept connections"), {
      server: redis,
    });
    const connection = { connection: { host: "127.0.0.1", port } };
    const name = "bench";
    // Finished jobs are kept (BullMQ's default), as Restate and DBOS keep finished runs. Removing
    // them on completion would also race job.waitUntilFinished ("Missing key for job").
    const queue = new Queue(name, connection);
    // Each concurrent add() adds a listener for a moment; 64 in flight is expected, not a leak.
    queue.setMaxListeners(1_000);
    closers.push(() => queue.close());
    const ingestQueue = new Queue(`${name}-ingest`, connection);
    ingestQueue.setMaxListeners(1_000);
    closers.push(() => ingestQueue.close());
    const events = new QueueEvents(name, connection);
    closers.push(() => events.close());
    const worker = new Worker(
      name,
      async (job) => {
        const a = await Promise.resolve(stepBody(job.data.probe));
        const b = await Promise.resolve(stepBody());
        const c = await Promise.resolve(stepBody());
        return a + b + c;
      },
      { ...connection, concurrency: 64 },
    );
    closers.push(() => worker.close());
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
    return {
      ...bench({
        runAndWait: async () => void (await (await queue.add("run", {})).waitUntilFinished(events)),
        submit: async (probe) => void (await queue.add("run", { probe })),
        // A queue without a worker: durably accepted (as durable as Redis is configured) but not
        // run during the measurement, like Ingot's ingest bench, whose events trigger no function.
        accept: async (count) =>
          void (await (count === 1
            ? ingestQueue.add("noop", {})
            : ingestQueue.addBulk(
                Array.from({ length: count }, () => ({ name: "noop", data: {} })),
              ))),
        bulk: true,
      }),
      notes: [
        "a queue, not durable steps: one job whose processor does 3 trivial awaits (a floor, not a peer)",
        options.durable
          ? "Redis durable: appendonly yes, appendfsync always (fsync per write)"
          : 'Redis NON-durable: --save "" --appendonly no (acknowledged jobs are lost on a crash)',
        "latency: add → job.waitUntilFinished (QueueEvents); worker concurrency 64; ingest: add/addBulk to a queue without a worker",
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
