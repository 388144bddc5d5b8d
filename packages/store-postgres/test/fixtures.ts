import { EventId, QueueItemId, type StoredEvent } from "@ingot/protocol";
import type { NewQueueItem, QueueItem } from "@ingot/store";
import pg from "pg";
import { afterAll, afterEach, beforeAll } from "vitest";
import { PostgresStore, type PostgresStoreOptions } from "../src/index.js";
import { TestPostgres } from "./postgres.js";

export const T0 = 1_700_000_000_000;

/**
 * Starts a test server for the file (hooks registered at the call) and returns helpers: `node`
 * opens a store (its own pool: one "node") closed after the test; `freshDatabase` makes an
 * empty database.
 */
export function useTestServer() {
  let server: TestPostgres | undefined;
  const opened: PostgresStore[] = [];
  beforeAll(async () => {
    server = await TestPostgres.start();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    node: async (
      url: string,
      options: Partial<PostgresStoreOptions> = {},
    ): Promise<PostgresStore> => {
      const store = await PostgresStore.open({ connectionString: url, max: 4, ...options });
      opened.push(store);
      return store;
    },
    freshDatabase: async (): Promise<string> => {
      if (!server) throw new Error("the test Postgres server did not start");
      return (await server.createDatabase()).url;
    },
  };
}

/** Runs one statement on its own connection (outside any store). */
export async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

export const item = (id: string, patch: Partial<NewQueueItem> = {}): NewQueueItem => ({
  id: QueueItemId(id),
  lane: "sdk",
  kind: "execute",
  runId: null,
  payload: { id },
  availableAt: T0,
  ...patch,
});

export const event = (id: string, patch: Partial<StoredEvent> = {}): StoredEvent => ({
  id: EventId(id),
  name: "shop/approval",
  data: { id },
  ts: T0,
  receivedAt: T0,
  ...patch,
});

export async function enqueue(store: PostgresStore, items: NewQueueItem[]): Promise<QueueItem[]> {
  const result = await store.commit({ enqueue: items });
  if (!result.ok) throw new Error(`enqueue failed: ${result.reason}`);
  return result.enqueued;
}

/** Sessions of the database waiting for a lock. */
export async function lockWaiters(url: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  const found = await rows(
    url,
    `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = '${database}' AND wait_event_type = 'Lock'`,
  );
  return Number(found[0]?.n);
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
