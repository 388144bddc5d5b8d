import { anthropic, gemini, openai } from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
  at: number;
}

/** Reads `GET /v1/runs/:id/stream` until the run's final event. */
async function readStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseMessage[]> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const messages: SseMessage[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: "message", data: null, at: Date.now() };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) message.id = line.slice(4);
        else if (line.startsWith("event: ")) message.event = line.slice(7);
        else if (line.startsWith("data: ")) message.data = JSON.parse(line.slice(6));
      }
      if (block.startsWith(":")) continue;
      messages.push(message);
    }
  }
  return messages;
}

const WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa";

/**
 * Token streaming for `step.ai.infer` while the function is suspended: subscribers get deltas
 * before the provider finishes, and the function receives ordinary JSON.
 */
describe("AI token streaming", () => {
  let sim: LlmSim;
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;

  beforeAll(async () => {
    sim = await startLlmSim({ chunkDelayMs: 80 });
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "stream-app", isDev: true, baseUrl: ingot.url });
    const models = {
      openai: () =>
        openai({ model: "gpt-4o-mini", apiKey: "sk-stream", baseUrl: `${sim.url}/v1/` }),
      anthropic: () =>
        anthropic({
          model: "claude-3-5-haiku-latest",
          apiKey: "sk-ant",
          baseUrl: `${sim.url}/v1/`,
          defaultParameters: { max_tokens: 512 },
        }),
      gemini: () =>
        gemini({ model: "gemini-2.0-flash", apiKey: "g", baseUrl: `${sim.url}/v1beta/` }),
    };
    const fn = inngest.createFunction(
      { id: "chat", triggers: [{ event: "stream/chat" }] },
      async ({ event, step }) => {
        const provider = event.data.provider as keyof typeof models;
        const prompt = `[[sim: text=${WORDS}]]`;
        const stream = Boolean(event.data.stream);
        const body =
          provider === "gemini"
            ? {
                contents: [{ role: "user", parts: [{ text: prompt }] }],
                ...(stream ? { stream: true } : {}),
              }
            : {
                messages: [{ role: "user", content: prompt }],
                ...(stream ? { stream: true } : {}),
              };
        return step.ai.infer("answer", { model: models[provider](), body: body as never });
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  /** Drops ids and timestamps, which differ between two calls. */
  const stable = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v: unknown) =>
      ["id", "created", "created_at", "responseId", "system_fingerprint"].includes(key)
        ? "<varies>"
        : v,
    );

  it.each(["openai", "anthropic", "gemini"] as const)(
    "%s: deltas reach a subscriber before the provider finishes; the step output is the non-streamed shape",
    async (provider) => {
      const [plainId] = await api.send({ name: "stream/chat", data: { provider, stream: false } });
      const [plain] = await api.settled(plainId!);

      const [id] = await api.send({ name: "stream/chat", data: { provider, stream: true } });
      const [run] = await api.started(id!);
      const messages = await readStream(`${ingot.url}/v1/runs/${run!.run_id}/stream`);
      const deltas = messages.filter((m) => m.event === "delta");
      const end = messages.find((m) => m.event === "ai.end");
      const final = messages.at(-1);
      expect(final?.event).toBe("run");
      expect(final?.data).toMatchObject({ status: "Completed" });
      expect(deltas.length).toBeGreaterThanOrEqual(5);
      expect(deltas.map((d) => (d.data as { text: string }).text).join("")).toContain(
        "alpha beta gamma",
      );
      // The first tokens arrived well before the provider finished (10 words, 80 ms apart).
      expect(end!.at - deltas[0]!.at).toBeGreaterThanOrEqual(400);
      // Ids are a gap-free sequence, so a client can resume with Last-Event-ID.
      const ids = messages.filter((m) => m.id !== undefined).map((m) => Number(m.id));
      expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));

      const [streamed] = await api.settled(id!);
      expect(stable(streamed?.output)).toEqual(stable(plain?.output));
    },
  );

  it("replays what a late subscriber missed, and resumes after Last-Event-ID", async () => {
    const [id] = await api.send({
      name: "stream/chat",
      data: { provider: "openai", stream: true },
    });
    const [run] = await api.settled(id!);
    const all = await readStream(`${ingot.url}/v1/runs/${run!.run_id}/stream`);
    expect(all.filter((m) => m.event === "delta").length).toBeGreaterThanOrEqual(5);
    const resumeAfter = all[3]!.id!;
    const rest = await readStream(`${ingot.url}/v1/runs/${run!.run_id}/stream`, {
      "last-event-id": resumeAfter,
    });
    expect(rest.map((m) => m.id)).toEqual(all.slice(4).map((m) => m.id));
  });

  it("answers a stream request for an unknown run with 404", async () => {
    expect((await fetch(`${ingot.url}/v1/runs/01NOPE/stream`)).status).toBe(404);
  });
});
