import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionId, QueueItemId, RunId, StepId } from "@ingot/protocol";
import type { AiCallRecord, Store } from "@ingot/store";
import { MIGRATIONS as SQLITE_MIGRATIONS, SqliteStore } from "@ingot/store-sqlite";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, PostgresStore, PostgresStoreError } from "../src/index.js";
import { enqueue, item, rows, T0, useTestServer } from "./fixtures.js";

/** What must match the SQLite backend beyond the conformance suite: migrations, AI calls. */

const { node, freshDatabase } = useTestServer();

describe("migrations", () => {
  it("have the same ids and names as SQLite's", () => {
    const list = (migrations: readonly { id: number; name: string }[]) =>
      migrations.map(({ id, name }) => ({ id, name }));
    expect(list(MIGRATIONS)).toEqual(list(SQLITE_MIGRATIONS));
    expect(MIGRATIONS.map((migration) => migration.id)).toEqual(
      MIGRATIONS.map((_, index) => index + 1),
    );
  });

  it("are recorded once, and opening again applies nothing", async () => {
    const url = await freshDatabase();
    const now = () => T0;
    await (await node(url, { now })).close();
    await (await node(url, { now: () => T0 + 1 })).close();
    const applied = await rows(
      url,
      "SELECT id, name, applied_at FROM schema_migrations ORDER BY id",
    );
    expect(applied).toEqual(
      MIGRATIONS.map(({ id, name }) => ({ id, name, applied_at: String(T0) })),
    );
  });

  it("are safe when several nodes open the same empty database at once", async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => node(url, { max: 2 })));
    const applied = await rows(url, "SELECT id FROM schema_migrations ORDER BY id");
    expect(applied.map((row) => row.id)).toEqual(MIGRATIONS.map((migration) => migration.id));
    // Every node works on the schema.
    await enqueue(stores[0]!, [item("q1")]);
    for (const store of stores) expect((await store.queue.get(QueueItemId("q1")))?.id).toBe("q1");
  });

  it("refuse a database migrated by a newer version", async () => {
    const url = await freshDatabase();
    await (await node(url)).close();
    await rows(
      url,
      "INSERT INTO schema_migrations (id, name, applied_at) VALUES (99, 'future', 0)",
    );
    const failure = await PostgresStore.open({ connectionString: url }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PostgresStoreError);
    expect(failure).toMatchObject({ code: "schema_too_new" });
  });
});

describe("AI calls", () => {
  const call = (n: number, patch: Partial<AiCallRecord> = {}): AiCallRecord => ({
    id: `call-${n}`,
    runId: RunId(n % 2 === 0 ? "run-1" : "run-2"),
    stepId: StepId("infer"),
    functionId: FunctionId(n % 3 === 0 ? "shop-a" : "shop-b"),
    attempt: n % 2,
    kind: n % 4 === 0 ? "fetch" : "infer",
    provider: n % 2 === 0 ? "openai" : "anthropic",
    model: n % 5 === 0 ? null : `model-${n % 3}`,
    format: "openai-chat",
    url: "https://api.example.com/v1/chat/completions",
    outcome: n % 7 === 0 ? "error" : n % 5 === 0 ? "retry" : "ok",
    httpStatus: n % 7 === 0 ? 500 : 200,
    inputTokens: 100 + n,
    outputTokens: n % 5 === 0 ? null : 10 * n,
    cachedTokens: n % 3 === 0 ? 7 : null,
    reasoningTokens: null,
    totalTokens: 100 + 11 * n,
    costUsd: n % 5 === 0 ? null : n / 1_000,
    latencyMs: 12.5 * n,
    firstTokenMs: n % 2 === 0 ? 3.25 : null,
    streamed: n % 2 === 0,
    keySource: n % 3 === 0 ? "server" : "op",
    error: n % 7 === 0 ? "HTTP 500" : null,
    request: { model: `model-${n % 3}`, messages: [{ role: "user", content: `q${n}` }] },
    responseText: n % 7 === 0 ? null : `answer ${n}`,
    startedAt: T0 + n * 10,
    endedAt: T0 + n * 10 + 5,
    ...patch,
  });

  async function everything(store: Store) {
    return {
      byRun: await store.aiCalls.list({ runId: RunId("run-1"), limit: 100 }),
      recent: await store.aiCalls.list({ limit: 5 }),
      filtered: await store.aiCalls.list({
        functionIds: [FunctionId("shop-a")],
        from: T0 + 30,
        until: T0 + 150,
        limit: 100,
      }),
      providers: await store.aiCalls.totals({ groupBy: "provider" }),
      models: await store.aiCalls.totals({ groupBy: "model", from: T0 + 20 }),
      functions: await store.aiCalls.totals({ groupBy: "function", until: T0 + 100 }),
    };
  }

  it("are stored in the commit, and list and totals answer as SQLite's", async () => {
    const calls = Array.from({ length: 21 }, (_, n) => call(n + 1));
    const postgres = await node(await freshDatabase());
    const dir = mkdtempSync(join(tmpdir(), "ingot-ai-calls-"));
    const sqlite = new SqliteStore({ path: join(dir, "ingot.db") });
    try {
      for (const store of [postgres, sqlite]) {
        expect(await store.commit({ aiCalls: calls.slice(0, 10) })).toMatchObject({ ok: true });
        // Written again (a retried commit): kept once.
        expect(await store.commit({ aiCalls: calls })).toMatchObject({ ok: true });
      }
      // Sums of doubles depend on the order they are added in: compared to 1e-9.
      const rounded = async (store: Store) =>
        JSON.parse(
          JSON.stringify(await everything(store), (_key, value: unknown) =>
            typeof value === "number" && !Number.isInteger(value)
              ? Number(value.toFixed(9))
              : value,
          ),
        ) as unknown;
      const expected = await everything(sqlite);
      expect(expected.byRun.length).toBeGreaterThan(5);
      expect(await rounded(postgres)).toEqual(await rounded(sqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a fractional token count from a provider does not fail the commit", async () => {
    const store = await node(await freshDatabase());
    const result = await store.commit({
      aiCalls: [call(1, { inputTokens: 12.4, outputTokens: 3.6 })],
    });
    expect(result).toMatchObject({ ok: true });
    const [stored] = await store.aiCalls.list({ limit: 1 });
    expect(stored).toMatchObject({ inputTokens: 12, outputTokens: 4 });
  });
});
