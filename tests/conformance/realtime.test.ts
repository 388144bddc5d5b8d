import { openai } from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { channel, getSubscriptionToken, staticSchema, subscribe } from "inngest/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";
import { provideWebSocket, rawSocket, refusal, take } from "./harness/realtime.js";

const COUNT = 200;

/**
 * Inngest Realtime on Ingot with the official v4 client (`inngest/realtime`): functions publish,
 * `subscribe()` in Node reads over the WebSocket. Order, scoping of tokens, streamed publishes
 * and the run channel. (v3 is in `realtime-v3.test.ts`: the two SDKs cannot share a process,
 * their async-context globals clash.)
 */
describe("Realtime with the official clients", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let v4App: RunningApp;
  let inngest: Inngest;
  let sim: LlmSim;

  const chat = channel({
    name: (id: string) => `chat:${id}`,
    topics: {
      tokens: { schema: staticSchema<Record<string, unknown>>() },
      status: { schema: staticSchema<{ phase: string }>() },
    },
  });

  beforeAll(async () => {
    provideWebSocket();
    sim = await startLlmSim({ chunkDelayMs: 40 });
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "rt-v4", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        { id: "publisher", triggers: [{ event: "rt/publish" }] },
        async ({ event, step }) => {
          const id = String(event.data.id);
          await step.realtime.publish("started", chat(id).status, { phase: "started" });
          await step.run("tokens", async () => {
            for (let i = 0; i < COUNT; i++) await inngest.realtime.publish(chat(id).tokens, { i });
          });
          await step.realtime.publish("finished", chat(id).status, { phase: "finished" });
          return "ok";
        },
      ),
      inngest.createFunction(
        { id: "streamer", triggers: [{ event: "rt/stream" }] },
        async ({ event, step }) => {
          const id = String(event.data.id);
          await step.run("stream", async () => {
            const parts = ["Hello", ", ", "streamed ", "world", "!"];
            const body = new ReadableStream<Uint8Array>({
              async pull(controller) {
                const part = parts.shift();
                if (part === undefined) return controller.close();
                await new Promise((resolve) => setTimeout(resolve, 20));
                controller.enqueue(new TextEncoder().encode(part));
              },
            });
            // A ReadableStream is published as `text/stream`; the topic's types do not say so.
            await inngest.realtime.publish(chat(id).tokens, body as unknown as { stream: true });
          });
        },
      ),
      inngest.createFunction(
        { id: "thinker", triggers: [{ event: "rt/think" }] },
        async ({ step }) => {
          const model = openai({
            model: "gpt-4o-mini",
            apiKey: "sk-rt",
            baseUrl: `${sim.url}/v1/`,
          });
          const answer = await step.ai.infer("answer", {
            model,
            body: {
              messages: [{ role: "user", content: "[[sim: text=one two three four five six]]" }],
              stream: true,
            } as never,
          });
          return answer.choices[0]?.message.content ?? null;
        },
      ),
    ];
    v4App = await serveApp({ handler: serveV4({ client: inngest, functions: fns }) });
    await api.syncApp(v4App.url);
  }, 60_000);

  afterAll(async () => {
    await v4App?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it("v4: step.realtime.publish and inngest.realtime.publish reach subscribe() in order", async () => {
    const id = "order";
    const token = await getSubscriptionToken(inngest, {
      channel: chat(id),
      topics: ["tokens", "status"],
    });
    const stream = await subscribe(token);
    await api.send({ name: "rt/publish", data: { id } });
    const messages = await take(stream, COUNT + 2);
    await stream.cancel();
    expect(messages).toHaveLength(COUNT + 2);
    expect(messages[0]).toMatchObject({
      topic: "status",
      data: { phase: "started" },
      kind: "data",
    });
    const tokens = messages.slice(1, -1).map((message) => (message.data as { i: number }).i);
    expect(tokens).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(messages.at(-1)).toMatchObject({ topic: "status", data: { phase: "finished" } });
    // Messages carry the run that published them and its function.
    expect(messages[1]?.runId).toMatch(/^[0-9A-Z]{26}$/);
    expect(messages[1]?.fnId).toBe("rt-v4-publisher");
  });

  // The official clients cannot read datastreams yet: their `datastream-start` handler reads the
  // ReadableStream it is still constructing (a TDZ error in 4.24.0 and @inngest/realtime 0.4.7),
  // so the wire shapes are checked with a raw client.
  it("v4: a streamed publish (text/stream) arrives as datastream-start, chunks, end", async () => {
    const id = "stream";
    const token = await getSubscriptionToken(inngest, { channel: chat(id), topics: ["tokens"] });
    const { ws, messages } = await rawSocket(ingot.url, `token=${token.key}`);
    await api.send({ name: "rt/stream", data: { id } });
    await waitFor(() => messages.some((message) => kindOf(message) === "datastream-end"));
    ws.close();
    const received = messages as { kind: string; data: unknown; stream_id?: string }[];
    expect(received[0]).toMatchObject({ kind: "datastream-start", channel: "chat:stream" });
    const streamId = received[0]?.data;
    expect(received.at(-1)).toMatchObject({ kind: "datastream-end", data: streamId });
    const chunks = received.filter((message) => message.kind === "chunk");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.every((chunk) => chunk.stream_id === streamId)).toBe(true);
    expect(chunks.map((chunk) => chunk.data).join("")).toBe("Hello, streamed world!");
  });

  it("a token for channel A reads nothing of channel B, and cannot ask for it", async () => {
    const token = await getSubscriptionToken(inngest, { channel: chat("a"), topics: ["tokens"] });
    const { ws, messages } = await rawSocket(ingot.url, `token=${token.key}`);
    await inngest.realtime.publish(chat("b").tokens, { secret: true });
    await inngest.realtime.publish(chat("a").status, { phase: "other topic" });
    await inngest.realtime.publish(chat("a").tokens, { mine: true });
    await waitFor(() => messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ws.close();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: "chat:a", topic: "tokens", data: { mine: true } });
    // Naming another channel than the token's is refused before the upgrade.
    const refused = await refusal(ingot.url, `token=${token.key}&channel=chat:b`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("does not grant");
  });

  it("refuses a missing or forged token with 401", async () => {
    expect((await refusal(ingot.url, "")).status).toBe(401);
    const forged = (await refusal(ingot.url, "token=eyJhbGciOiJIUzI1NiJ9.e30.x")).status;
    expect(forged).toBe(401);
  });

  it("the run channel: Ingot's own messages of a run, ending with its lifecycle", async () => {
    const [eventId] = await api.send({ name: "rt/publish", data: { id: "runchan" } });
    const [run] = await api.started(eventId!);
    const token = await getSubscriptionToken(inngest, {
      channel: `run:${run!.run_id}`,
      topics: ["step", "run"],
    });
    const stream = await subscribe(token);
    const messages: { kind: string; topic?: string; data: unknown }[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      messages.push(value);
      if (value.kind === "run") break;
    }
    reader.releaseLock();
    await stream.cancel();
    expect(messages.at(-1)).toMatchObject({
      kind: "run",
      data: { status: "Completed", output: "ok" },
    });
  });

  it("the run channel carries the gateway's token deltas of step.ai.infer before the run ends", async () => {
    const [eventId] = await api.send({ name: "rt/think", data: {} });
    const [run] = await api.started(eventId!);
    const stream = await subscribe(
      await getSubscriptionToken(inngest, {
        channel: `run:${run!.run_id}`,
        topics: ["ai.start", "delta", "ai.end", "run"],
      }),
    );
    const received: { kind: string; topic?: string; data: unknown }[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received.push(value);
      if (value.kind === "run") break;
    }
    reader.releaseLock();
    await stream.cancel();
    const topics = received.map((message) => message.topic);
    expect(topics[0]).toBe("ai.start");
    expect(topics.indexOf("ai.end")).toBeGreaterThan(topics.lastIndexOf("delta"));
    const text = received
      .filter((message) => message.topic === "delta")
      .map((message) => (message.data as { text: string }).text)
      .join("");
    const end = received.at(-1);
    expect(end).toMatchObject({ kind: "run", data: { status: "Completed" } });
    expect(text).toBe((end?.data as { output: string }).output);
    expect(text).toContain("one two three");
  });
});

function kindOf(message: unknown): unknown {
  return typeof message === "object" && message !== null && "kind" in message
    ? message.kind
    : undefined;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
