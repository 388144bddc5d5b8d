import { Inngest } from "inngest";
import { channel, getSubscriptionToken, staticSchema, subscribe } from "inngest/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestPostgres } from "../../packages/store-postgres/test/postgres.js";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";
import { provideWebSocket, take } from "./harness/realtime.js";

const COUNT = 300;

/**
 * Two Ingot nodes on one Postgres: a subscriber on either node receives what was published on
 * either, in order (messages go through `NOTIFY`, so every node sees one order); the run stream
 * (`GET /v1/runs/:id/stream` and `run:<id>`) works from the node that did not run the function.
 */
describe("Realtime across nodes (Postgres)", () => {
  let pg: TestPostgres;
  let nodeA: IngotProcess;
  let nodeB: IngotProcess;
  let app: RunningApp;
  let viaA: Inngest;
  let viaB: Inngest;

  const feed = channel({
    name: (id: string) => `feed:${id}`,
    topics: { items: { schema: staticSchema<{ i: number }>() } },
  });

  beforeAll(async () => {
    provideWebSocket();
    pg = await TestPostgres.start();
    const { url } = await pg.createDatabase();
    const args = ["--postgres-uri", url];
    nodeA = await startIngot({ args, env: { INGOT_LOG_LEVEL: "warn" } });
    nodeB = await startIngot({ args, env: { INGOT_LOG_LEVEL: "warn" } });
    viaA = new Inngest({ id: "nodes-app", isDev: true, baseUrl: nodeA.url });
    viaB = new Inngest({ id: "nodes-app", isDev: true, baseUrl: nodeB.url });
    const slow = viaA.createFunction(
      { id: "slow", triggers: [{ event: "nodes/slow" }] },
      async ({ step }) => {
        await step.sleep("nap", "1s");
        return await step.run("finish", () => "finished");
      },
    );
    app = await serveApp({ handler: serveV4({ client: viaA, functions: [slow] }) });
    await new IngotApi(nodeA.url).syncApp(app.url);
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await nodeA?.stop();
    await nodeB?.stop();
    await pg?.stop();
  });

  it("a subscriber on node B receives every publish made on node A, in order", async () => {
    const stream = await subscribe(
      await getSubscriptionToken(viaB, { channel: feed("a-to-b"), topics: ["items"] }),
    );
    for (let i = 0; i < COUNT; i++) await viaA.realtime.publish(feed("a-to-b").items, { i });
    const messages = await take(stream, COUNT);
    await stream.cancel();
    expect(messages.map((message) => (message.data as { i: number }).i)).toEqual(
      Array.from({ length: COUNT }, (_, i) => i),
    );
  });

  it("publishes alternating between the nodes keep their order for subscribers on both", async () => {
    const tokenOn = (client: Inngest) =>
      getSubscriptionToken(client, { channel: feed("mixed"), topics: ["items"] });
    const onA = await subscribe(await tokenOn(viaA));
    const onB = await subscribe(await tokenOn(viaB));
    for (let i = 0; i < 100; i++) {
      await (i % 2 === 0 ? viaA : viaB).realtime.publish(feed("mixed").items, { i });
    }
    const [fromA, fromB] = await Promise.all([take(onA, 100), take(onB, 100)]);
    await Promise.all([onA.cancel(), onB.cancel()]);
    const expected = Array.from({ length: 100 }, (_, i) => i);
    expect(fromA.map((message) => (message.data as { i: number }).i)).toEqual(expected);
    expect(fromB.map((message) => (message.data as { i: number }).i)).toEqual(expected);
  });

  it("a run's stream and run channel end on both nodes, whichever ran it", async () => {
    const api = new IngotApi(nodeA.url);
    const [eventId] = await api.send({ name: "nodes/slow", data: {} });
    const [run] = await api.started(eventId!);
    const runId = run!.run_id;
    const ends = [nodeA, nodeB].map(async (node) => {
      const response = await fetch(`${node.url}/v1/runs/${runId}/stream`);
      const text = await response.text();
      return /event: run\ndata: (.*)\n/.exec(text)?.[1];
    });
    const client = new Inngest({ id: "nodes-app", isDev: true, baseUrl: nodeB.url });
    const channelStream = await subscribe(
      await getSubscriptionToken(client, { channel: `run:${runId}`, topics: ["run", "step"] }),
    );
    const lifecycle = (async () => {
      const reader = channelStream.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        if (value.kind === "run") {
          reader.releaseLock();
          return value.data;
        }
      }
    })();
    const [endA, endB] = await Promise.all(ends);
    expect(JSON.parse(endA!)).toMatchObject({ status: "Completed", output: "finished" });
    expect(JSON.parse(endB!)).toMatchObject({ status: "Completed", output: "finished" });
    expect(await lifecycle).toMatchObject({ status: "Completed", output: "finished" });
    await channelStream.cancel();
  });
});
