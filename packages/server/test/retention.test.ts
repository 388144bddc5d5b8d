import { AppId, EventId, FunctionId, RunId, RunStatus, StepId } from "@ingot/protocol";
import { SqliteStore } from "@ingot/store-sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { parseDuration, resolveConfig, SettingError } from "../src/index.js";
import { silentLogger } from "../src/logger.js";
import { BATCH, Pruner } from "../src/retention/pruner.js";

const DAY = 86_400_000;

describe("retention setting", () => {
  it("takes durations in the SDK's syntax, or off", () => {
    expect(parseDuration("--retention", "7d")).toBe(7 * DAY);
    expect(parseDuration("--retention", "36h")).toBe(36 * 3_600_000);
    expect(parseDuration("--retention", " 90m ")).toBe(90 * 60_000);
    expect(parseDuration("--retention", "1w2d")).toBe(9 * DAY);
    expect(parseDuration("--retention", "1s")).toBe(1_000);
    expect(parseDuration("--retention", "off")).toBe(0);
    expect(parseDuration("--retention", "OFF")).toBe(0);
  });

  it("refuses a bare number, a unit it does not know, and less than a second", () => {
    for (const text of ["7", "7 days", "1y", "999ms", "0s", "", "-1d"]) {
      expect(() => parseDuration("INGOT_RETENTION", text)).toThrow(SettingError);
    }
    expect(() => parseDuration("INGOT_RETENTION", "7")).toThrow(
      'INGOT_RETENTION: expected a duration of at least 1s such as 7d, 36h or 90m, or "off"; got "7"',
    );
  });

  it("is off by default; the flag wins over the environment", () => {
    expect(resolveConfig("dev", {}, {}).retentionMs).toBe(0);
    expect(resolveConfig("dev", {}, { INGOT_RETENTION: "2h" }).retentionMs).toBe(7_200_000);
    expect(resolveConfig("dev", { retentionMs: 0 }, { INGOT_RETENTION: "2h" }).retentionMs).toBe(0);
    expect(() => resolveConfig("dev", { retentionMs: 500 }, {})).toThrow(
      "--retention / INGOT_RETENTION: expected 0 (off) or at least 1000 ms",
    );
    expect(() => resolveConfig("dev", {}, { INGOT_RETENTION: "2" })).toThrow(/INGOT_RETENTION/);
  });
});

describe("pruner", () => {
  const NOW = 1_800_000_000_000;
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  async function seeded(): Promise<SqliteStore> {
    const store = new SqliteStore({ path: ":memory:", now: () => NOW });
    stores.push(store);
    const run = async (id: string, at: number, status: RunStatus) => {
      const runId = RunId(id);
      const eventId = EventId(`e-${id}`);
      await store.commit({
        events: [{ id: eventId, name: "shop/order", data: {}, ts: at, receivedAt: at }],
        newRuns: [
          {
            id: runId,
            functionId: FunctionId("fn"),
            appId: AppId("app"),
            eventIds: [eventId],
            createdAt: at,
          },
        ],
        steps: [{ runId, stepId: StepId("a"), status: "completed", outputJson: "1" }],
        history: [{ runId, at, type: "function.started" }],
      });
      const ended = status === RunStatus.Running ? {} : { endedAt: at + 1 };
      await store.commit({ run: { id: runId, version: 0, patch: { status, ...ended } } });
    };
    for (let i = 0; i < 450; i++) await run(`old-${i}`, NOW - 2 * DAY + i, RunStatus.Completed);
    await run("recent", NOW - 1_000, RunStatus.Failed);
    await run("running", NOW - 3 * DAY, RunStatus.Running);
    await store.commit({
      flow: Array.from({ length: 600 }, (_, i) => ({
        fnId: "fn",
        kind: "throttle",
        key: `k${i}`,
        at: NOW - DAY,
        expect: null,
        value: 1,
        expiresAt: NOW - 1,
      })),
    });
    await store.sessions.create({ digest: "old", createdAt: NOW - DAY, expiresAt: NOW - 1 });
    return store;
  }

  const pruner = (store: SqliteStore, retentionMs: number) =>
    new Pruner({ store, clock: { now: () => NOW }, logger: silentLogger(), retentionMs });

  it("deletes what is older than the retention, in batches, and sweeps expired rows", async () => {
    const store = await seeded();
    const report = await pruner(store, DAY).pass();
    expect(report).toMatchObject({
      runs: 450,
      steps: 450,
      history: 450,
      events: 450,
      flowState: 600,
      sessions: 1,
    });
    // 3 batches of runs, 1 of events, 2 of flow state, and one each for keys and sessions.
    expect(report.batches).toBeGreaterThanOrEqual(
      Math.ceil(450 / BATCH.runs) + Math.ceil(600 / BATCH.sweep),
    );
    expect((await store.runs.get(RunId("recent")))?.status).toBe(RunStatus.Failed);
    expect((await store.runs.get(RunId("running")))?.status).toBe(RunStatus.Running);
    expect(await store.events.get(EventId("e-running"))).toBeDefined();
    expect(await store.runs.list({ limit: 10 })).toHaveLength(2);
    // Nothing left to do: a second pass deletes nothing.
    expect(await pruner(store, DAY).pass()).toMatchObject({ runs: 0, events: 0, flowState: 0 });
  });

  it("with retention off keeps every run and event, and still sweeps", async () => {
    const store = await seeded();
    const report = await pruner(store, 0).pass();
    expect(report).toMatchObject({ runs: 0, events: 0, flowState: 600, sessions: 1 });
    expect(await store.runs.list({ limit: 1_000 })).toHaveLength(452);
  });

  it("passes come a quarter of the retention apart, between 1 s and 1 min", async () => {
    const store = await seeded();
    expect(pruner(store, 2_000).intervalMs).toBe(1_000);
    expect(pruner(store, 120_000).intervalMs).toBe(30_000);
    expect(pruner(store, 7 * DAY).intervalMs).toBe(60_000);
    expect(pruner(store, 0).intervalMs).toBe(60_000);
  });

  it("a stopped pruner ends its pass after the batch in progress", async () => {
    const store = await seeded();
    const pruning = pruner(store, DAY);
    const pass = pruning.pass();
    await pruning.stop();
    const report = await pass;
    expect(report.batches).toBe(1);
    expect(report.runs).toBe(BATCH.runs);
  });
});
