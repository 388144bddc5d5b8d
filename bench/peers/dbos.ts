import { TestPostgres } from "../../packages/store-postgres/test/postgres.js";
import { requirePeer } from "./load.js";
import { bench, type StartedPeer, stepBody } from "./workload.js";

/** The slice of `@dbos-inc/dbos-sdk` the bench uses. */
interface WorkflowHandle {
  getResult(): Promise<unknown>;
}
type Workflow = (probe?: number) => Promise<number>;
interface DbosSdk {
  DBOS: {
    setConfig(config: {
      name: string;
      systemDatabaseUrl: string;
      logLevel?: string;
      listenQueues?: string[];
    }): void;
    registerQueue(name: string): Promise<unknown>;
    launch(): Promise<void>;
    shutdown(options?: { deregister?: boolean }): Promise<void>;
    registerWorkflow(fn: Workflow, config: { name: string }): Workflow;
    runStep<T>(fn: () => Promise<T>, config: { name: string }): Promise<T>;
    startWorkflow(
      fn: Workflow,
      params?: { queueName?: string },
    ): (probe?: number) => Promise<WorkflowHandle>;
  };
}

const INGEST_QUEUE = "bench-ingest";

/**
 * DBOS Transact: a library, so the workflows run in this process against a fresh Postgres
 * cluster (Debian's binaries, default durability: fsync and synchronous_commit on) started by
 * the store tests' helper on a free port. Workflows are started with `DBOS.startWorkflow`.
 */
export async function startDbos(): Promise<StartedPeer> {
  const { DBOS } = requirePeer<DbosSdk>("@dbos-inc/dbos-sdk");
  const postgres = await TestPostgres.start();
  let launched = false;
  const stop = async (): Promise<void> => {
    // deregister: DBOS is a process-wide singleton; clearing lets a later start() register again.
    if (launched) await DBOS.shutdown({ deregister: true });
    await postgres.stop();
  };
  try {
    // Registration must happen before launch().
    const threeSteps = DBOS.registerWorkflow(
      async (probe?: number) => {
        const a = await DBOS.runStep(async () => stepBody(probe), { name: "a" });
        const b = await DBOS.runStep(async () => stepBody(), { name: "b" });
        const c = await DBOS.runStep(async () => stepBody(), { name: "c" });
        return a + b + c;
      },
      { name: "threeSteps" },
    );
    const noop = DBOS.registerWorkflow(async () => 0, { name: "noop" });
    DBOS.setConfig({
      name: "ingot-bench",
      systemDatabaseUrl: postgres.url("dbos_bench_sys"),
      logLevel: "error",
      // Dequeue only a queue the bench never uses, so ingested items stay ENQUEUED.
      listenQueues: ["ingot-bench-unused"],
    });
    await DBOS.launch();
    launched = true;
    await DBOS.registerQueue(INGEST_QUEUE);
    return {
      ...bench({
        runAndWait: async () => void (await (await DBOS.startWorkflow(threeSteps)()).getResult()),
        // startWorkflow resolves once the workflow's status row is written; the run goes on here.
        submit: async (probe) => void (await DBOS.startWorkflow(threeSteps)(probe)),
        // Enqueued on a queue this process does not dequeue: durably accepted (an ENQUEUED row)
        // but not run during the measurement, like Ingot's ingest bench, whose events trigger
        // no function. (Started directly, each item would also run at once, in this process.)
        accept: async () => void (await DBOS.startWorkflow(noop, { queueName: INGEST_QUEUE })()),
        bulk: false,
      }),
      notes: [
        "library in this process + Postgres on this machine (fsync on, synchronous_commit on; default pool)",
        `ingest: DBOS.startWorkflow on a WorkflowQueue per item (an ENQUEUED row; not dequeued meanwhile; no bulk API)`,
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
