import { getSubscriptionToken, subscribe } from "@inngest/realtime";
import { type Realtime, realtimeMiddleware } from "@inngest/realtime/middleware";
import { Inngest } from "inngest-v3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV3 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";
import { provideWebSocket, take } from "./harness/realtime.js";

const COUNT = 100;

/**
 * What the middleware adds to the handler's context. Its types come from the copy of `inngest`
 * v3 it depends on, which TypeScript does not match with `inngest-v3`'s, so they are named here.
 */
type PublishFn = Realtime.PublishFn;

/**
 * v3 SDK with `@inngest/realtime` 0.4 (its middleware publishes; its `subscribe()` reads), on
 * Ingot unchanged. Its own process: v3 and v4 keep incompatible async-context globals.
 */
describe("Realtime with the v3 SDK and @inngest/realtime", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  let inngest: Inngest;

  beforeAll(async () => {
    provideWebSocket();
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({
      id: "rt-v3",
      isDev: true,
      baseUrl: ingot.url,
      middleware: [realtimeMiddleware()],
    });
    const fn = inngest.createFunction({ id: "publisher" }, { event: "rt/v3" }, async (ctx) => {
      const { event, step } = ctx;
      const { publish } = ctx as unknown as { publish: PublishFn };
      const channel = `v3:${String(event.data.id)}`;
      // Outside a step, each publish is a step of its own; inside one, a plain request.
      await publish({ channel, topic: "status", data: "started" });
      await step.run("progress", async () => {
        for (let i = 0; i < COUNT; i++) await publish({ channel, topic: "progress", data: { i } });
      });
      await publish({ channel, topic: "status", data: "finished" });
      return "done";
    });
    app = await serveApp({ handler: serveV3({ client: inngest, functions: [fn] }) });
    await api.syncApp(app.url);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("subscribe() receives every message in order", async () => {
    const stream = await subscribe({
      app: inngest,
      channel: "v3:order",
      topics: ["status", "progress"],
    });
    await api.send({ name: "rt/v3", data: { id: "order" } });
    const messages = await take(stream, COUNT + 2);
    await stream.cancel();
    expect(messages.map((message) => message.data)).toEqual([
      "started",
      ...Array.from({ length: COUNT }, (_, i) => ({ i })),
      "finished",
    ]);
    expect(messages[1]).toMatchObject({ topic: "progress", kind: "data", fnId: "rt-v3-publisher" });
  });

  it("a token from getSubscriptionToken reads only its topics", async () => {
    const token = await getSubscriptionToken(inngest, { channel: "v3:scoped", topics: ["status"] });
    // A v3 token carries no server URL: give the client (or set INNGEST_BASE_URL).
    const stream = await subscribe({ ...token, app: inngest });
    await api.send({ name: "rt/v3", data: { id: "scoped" } });
    const messages = await take(stream, 2);
    await stream.cancel();
    expect(messages.map((message) => message.topic)).toEqual(["status", "status"]);
    expect(messages.map((message) => message.data)).toEqual(["started", "finished"]);
  });
});
