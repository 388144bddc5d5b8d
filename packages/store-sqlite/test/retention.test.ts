import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppId, EventId, FunctionId, RunId, RunStatus, StepId } from "@ingot/protocol";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../src/index.js";

/** Space given back after pruning (SQLite only: Postgres leaves it to autovacuum). */

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
const stores: SqliteStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function databasePath(): string {
  const dir = mkdtempSync(join(tmpdir(), "ingot-retention-"));
  dirs.push(dir);
  return join(dir, "ingot.db");
}

function open(path: string): SqliteStore {
  const store = new SqliteStore({ path, synchronous: "normal" });
  stores.push(store);
  return store;
}

/** `count` finished runs, each with 3 steps of ~1 KiB output and an event. */
async function addRuns(store: SqliteStore, from: number, count: number): Promise<void> {
  const output = JSON.stringify("x".repeat(1_000));
  for (let i = from; i < from + count; i++) {
    const id = RunId(`run-${String(i).padStart(6, "0")}`);
    const eventId = EventId(`e-${i}`);
    const result = await store.commit({
      events: [{ id: eventId, name: "shop/order", data: { i }, ts: T0, receivedAt: T0 + i }],
      newRuns: [
        {
          id,
          functionId: FunctionId("shop-a"),
          appId: AppId("shop"),
          eventIds: [eventId],
          createdAt: T0,
        },
      ],
      steps: ["a", "b", "c"].map((step) => ({
        runId: id,
        stepId: StepId(step),
        status: "completed",
        outputJson: output,
      })),
    });
    expect(result.ok).toBe(true);
    await store.commit({
      run: { id, version: 0, patch: { status: RunStatus.Completed, endedAt: T0 + i } },
    });
  }
}

async function pruneAll(store: SqliteStore, before: number): Promise<void> {
  while ((await store.retention.pruneRuns({ before, limit: 200 })).runs > 0);
  while (
    (await store.retention.pruneEvents({ before, limit: 500, readers: [], readerMarginMs: 0 }))
      .scanned > 0
  );
}

const fileSize = (path: string): number => statSync(path).size;

describe("reclaiming pruned space", () => {
  it("a new database shrinks once pruned pages are reclaimed", async () => {
    const path = databasePath();
    const store = open(path);
    expect((await store.retention.usage()).shrinks).toBe(true);
    await addRuns(store, 0, 2_000);
    const full = await store.retention.usage();
    await pruneAll(store, T0 + 1_000_000);
    const pruned = await store.retention.usage();
    expect(pruned.bytes).toBe(full.bytes);
    expect(pruned.freeBytes).toBeGreaterThan(full.bytes * 0.8);
    // Bounded: one call gives back at most what it is asked to.
    expect(await store.retention.reclaim(1024 * 1024)).toBe(1024 * 1024);
    let freed = 0;
    for (let step; (step = await store.retention.reclaim(4 * 1024 * 1024)) > 0;) freed += step;
    const after = await store.retention.usage();
    expect(after.freeBytes).toBe(0);
    expect(after.bytes).toBeLessThan(full.bytes * 0.2);
    expect(freed).toBeGreaterThan(0);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    // The file itself is truncated at the checkpoint (on close at the latest).
    expect(fileSize(path)).toBe(after.bytes);
  });

  it("a database made before incremental auto-vacuum reuses pruned pages instead of growing", async () => {
    const path = databasePath();
    // As an older Ingot left it: tables created with auto_vacuum off.
    const legacy = new Database(path);
    legacy.exec("CREATE TABLE legacy_marker (id INTEGER)");
    legacy.close();
    const store = open(path);
    expect((await store.retention.usage()).shrinks).toBe(false);
    await addRuns(store, 0, 1_000);
    const first = await store.retention.usage();
    await pruneAll(store, T0 + 1_000_000);
    expect(await store.retention.reclaim(64 * 1024 * 1024)).toBe(0);
    await addRuns(store, 1_000, 1_000);
    const second = await store.retention.usage();
    // The second thousand runs fit in the pages the first thousand left (a little slack for
    // index pages that split differently).
    expect(second.bytes).toBeLessThan(first.bytes * 1.1);
  });
});
