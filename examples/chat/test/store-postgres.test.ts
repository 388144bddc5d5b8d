import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresChatStore } from "../src/store/postgres.js";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { freePort, type IngotProcess, startIngot } from "./helpers/ingot.js";
import { TestPostgres } from "./helpers/postgres.js";
import { storeCases } from "./helpers/store-cases.js";

/** A real PostgreSQL 15 server for this file; a fresh database per test. */
let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await TestPostgres.start();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
});

describe("Postgres chat store", () => {
  storeCases(async () => PostgresChatStore.open((await postgres.createDatabase()).url));

  it("migrates once even when two instances start together", async () => {
    const { url } = await postgres.createDatabase();
    const [a, b] = await Promise.all([PostgresChatStore.open(url), PostgresChatStore.open(url)]);
    await Promise.all([a.close(), b.close()]);
    const client = await postgres.connect(url);
    const { rows } = await client.query("SELECT id FROM chat_migrations");
    await client.end();
    expect(rows).toEqual([{ id: 1 }]);
  });

  it("fails with a clear message when the database is unreachable", async () => {
    const port = await freePort();
    await expect(
      PostgresChatStore.open(`postgres://postgres@127.0.0.1:${port}/none`),
    ).rejects.toThrow(/could not prepare the Postgres database at DATABASE_URL/);
  });
});

describe("the chat on Postgres (DATABASE_URL), across a restart", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness | undefined;

  beforeAll(async () => {
    [ingot, sim] = await Promise.all([startIngot(), startLlmSim({ chunkDelayMs: 5 })]);
  });

  afterAll(async () => {
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it("answers durable and direct requests and keeps them when chat and Ingot restart", async () => {
    const { url } = await postgres.createDatabase();
    const env = { DATABASE_URL: url, PORT: String(await freePort()) };
    chat = await startChat({ ingotUrl: ingot.url, env, sim });
    const a = await chat.ask({ query: "How does Ingot stream tokens?" });
    const doneA = await chat.settle(a.request_id);
    expect(doneA).toMatchObject({ status: "done", mode: "durable" });
    expect(doneA.sources.length).toBeGreaterThan(0);
    const b = await chat.ask({
      query: "And with Postgres?",
      mode: "direct",
      conversation_id: a.conversation_id,
    });
    const doneB = await chat.settle(b.request_id);
    expect(doneB).toMatchObject({ status: "done", mode: "direct" });

    await chat.close();
    chat = undefined;
    await ingot.stop();
    [chat] = await Promise.all([startChat({ ingotUrl: ingot.url, env, sim }), ingot.restart()]);
    expect(await chat.settle(a.request_id)).toEqual(doneA);
    expect(await chat.settle(b.request_id)).toEqual(doneB);
    const { json } = await chat.get(`/api/v1/conversations/${a.conversation_id}`);
    expect(json.turns).toHaveLength(2);
    const c = await chat.ask({ query: "Still there?", conversation_id: a.conversation_id });
    expect(await chat.settle(c.request_id)).toMatchObject({ status: "done" });
  });
});
