import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { freePort, type IngotProcess, startIngot } from "./helpers/ingot.js";
import { readEvents } from "./helpers/sse.js";

/**
 * The chat API end to end: a real `ingot dev` process, the chat backend with the official SDK,
 * and the offline simulator (15 ms between streamed words, so streaming is observable).
 */
describe("chat API against a running Ingot (simulated model)", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness;

  beforeAll(async () => {
    [ingot, sim] = await Promise.all([startIngot(), startLlmSim({ chunkDelayMs: 15 })]);
    chat = await startChat({ ingotUrl: ingot.url, sim });
  });

  afterAll(async () => {
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it("answers a durable request: 202 with a request id, pending, then done with content and sources", async () => {
    const { status, json } = await chat.post("/api/v1/chat", {
      query: "How does Ingot stream tokens from step.ai.infer?",
    });
    expect(status).toBe(202);
    expect(json.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const first = await chat.get(`/api/v1/chat/result/${json.request_id}`);
    expect([first.status, first.json]).toEqual([200, { status: "pending" }]);
    const done = await chat.settle(json.request_id);
    expect(done.status).toBe("done");
    expect(done.content).toContain("Simulated answer");
    expect(done.mode).toBe("durable");
    expect(done.run_id).toMatch(/^01/);
    expect(done.run_url).toBe(`${ingot.url}/runs/${done.run_id}`);
    // Ingot ran it: the run completed and its output names the request.
    const run = await (await fetch(`${ingot.url}/v1/runs/${done.run_id}`)).json();
    expect(run.data).toMatchObject({
      status: "Completed",
      output: { status: "done", request_id: json.request_id },
    });
  });

  it("retrieves the project's docs for a question about Ingot and returns them as sources", async () => {
    const { request_id } = await chat.ask({
      query: "What does the AI gateway do with a 429 and its Retry-After?",
    });
    const done = await chat.settle(request_id);
    expect(done.sources.length).toBeGreaterThanOrEqual(2);
    expect(done.sources.map((s: any) => s.n)).toEqual(
      done.sources.map((_: unknown, i: number) => i + 1),
    );
    const files = done.sources.map((s: any) => s.source);
    expect(
      files.some(
        (f: string) => f === "docs/api.md" || f === "README.md" || f.startsWith("packages/gateway"),
      ),
    ).toBe(true);
    expect(done.sources[0]).toMatchObject({
      via: ["bm25"],
      title: expect.any(String),
      snippet: expect.any(String),
    });
    // The passages reached the model in the system prompt, numbered as cited.
    const call = sim.requests.findLast((r) => r.userText.includes("Retry-After"));
    const system = (call?.json as any).messages[0];
    expect(system.role).toBe("system");
    expect(system.content).toContain(`[1] ${done.sources[0].title}`);
    expect(system.content).toContain("Retry-After");
  });

  it("streams token deltas while the request is still pending, then a final done event", async () => {
    const { request_id } = await chat.ask({
      query: "Explain durable steps and memoized results in Ingot",
    });
    let pendingDuringStream: string | undefined;
    const { status, contentType, events } = await readEvents(
      `${chat.url}/api/v1/chat/stream/${request_id}`,
      {
        onEvent: async (event) => {
          if (event.event === "delta" && pendingDuringStream === undefined)
            pendingDuringStream = (await chat.get(`/api/v1/chat/result/${request_id}`)).json.status;
        },
      },
    );
    expect(status).toBe(200);
    expect(contentType).toContain("text/event-stream");
    expect(events[0]).toMatchObject({
      event: "meta",
      data: { request_id, mode: "durable", run_id: expect.stringMatching(/^01/) },
    });
    const deltas = events.filter((e) => e.event === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(10);
    expect(pendingDuringStream).toBe("pending");
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.status).toBe("done");
    expect(deltas.map((d) => d.data.text).join("")).toBe(done.data.content);
    // Words are 15 ms apart: the first arrived well before the last.
    expect(deltas.at(-1)!.at - deltas[0]!.at).toBeGreaterThanOrEqual(200);
    expect(done.data.latency_ms.first_token).toBeGreaterThan(0);
  });

  it("resumes a stream after Last-Event-ID without repeating deltas", async () => {
    const { request_id } = await chat.ask({ query: "How are runs retried by Ingot?" });
    const head = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`, {
      until: (e) => e.event === "delta" && Number(e.id) >= 5,
    });
    const lastId = head.events.at(-1)!.id!;
    const rest = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`, {
      headers: { "last-event-id": lastId },
    });
    const restDeltas = rest.events.filter((e) => e.event === "delta");
    expect(Number(restDeltas[0]!.id)).toBeGreaterThan(Number(lastId));
    const text = [...head.events, ...restDeltas]
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(text).toBe(rest.events.at(-1)!.data.content);
  });

  it("fails for good with a clear error when the model call is rejected (401), without retrying", async () => {
    const before = sim.requests.length;
    const { request_id } = await chat.ask({ query: "Will this work? [[sim: status=401]]" });
    const result = await chat.settle(request_id);
    expect(Object.keys(result).sort()).toEqual(["error", "status"]);
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/^The model call failed: /);
    expect(result.error).toMatch(/401|api key|unauthori[sz]ed/i);
    const calls = sim.requests.slice(before).filter((r) => r.userText.includes("Will this work?"));
    expect(calls).toHaveLength(1);
    const stream = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`);
    expect(stream.events.at(-1)).toMatchObject({
      event: "done",
      data: { status: "error", error: result.error },
    });
  });

  it("retries a transient provider failure and tells streamers to discard the failed attempt", async () => {
    const { request_id } = await chat.ask({
      query: "Flaky question [[sim: status=503 times=1 key=flaky-1]]",
    });
    const { events } = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`);
    const done = events.at(-1)!;
    expect(done.data).toMatchObject({ status: "done", content: "echo: Flaky question" });
    expect(events.some((e) => e.event === "reset")).toBe(true);
    const calls = sim.requests.filter((r) => r.userText.includes("Flaky question"));
    expect(calls.length).toBe(2);
  });

  it("rejects invalid bodies with 400 and a message", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /query/],
      [{ query: "" }, /query: must not be empty/],
      [{ query: "   " }, /query: must not be empty/],
      [{ query: 42 }, /query: expected a string/],
      [{ query: "x".repeat(4001) }, /query: at most 4000 characters/],
      [{ query: "hi", temperature: "hot" }, /temperature: expected a number/],
      [{ query: "hi", temperature: 3 }, /temperature: at most 2/],
      [{ query: "hi", max_tokens: 1.5 }, /max_tokens: expected a whole number/],
      [{ query: "hi", clean: "yes" }, /clean: expected true or false/],
      [{ query: "hi", conversation_id: "no spaces allowed" }, /conversation_id/],
      [{ query: "hi", mode: "fast" }, /mode: expected "durable", "direct" or "agent"/],
      [[1, 2], /expected a JSON object/],
      ["{not json", /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await chat.post("/api/v1/chat", body);
      expect({ body, status }).toEqual({ body, status: 400 });
      expect(json.error).toMatch(message);
    }
  });

  it("answers 404 for unknown request ids, conversations and routes", async () => {
    for (const path of [
      "/api/v1/chat/result/no-such-request",
      "/api/v1/chat/stream/no-such-request",
      "/api/v1/conversations/nope",
      "/api/v1/nothing-here",
    ]) {
      const { status, json } = await chat.get(path);
      expect({ path, status }).toEqual({ path, status: 404 });
      expect(json.error).toEqual(expect.any(String));
    }
  });

  it("keeps conversation history and sends earlier turns to the model", async () => {
    const first = await chat.ask({ query: "What is Ingot?", conversation_id: "history-test" });
    expect(first.conversation_id).toBe("history-test");
    const one = await chat.settle(first.request_id);
    const second = await chat.ask({
      query: "And how do I start it?",
      conversation_id: "history-test",
    });
    await chat.settle(second.request_id);
    const call = sim.requests.findLast((r) => r.userText.includes("And how do I start it?"));
    const messages = (call?.json as any).messages.map((m: any) => m.role);
    expect(messages).toEqual(["system", "user", "assistant", "user"]);
    expect((call?.json as any).messages[2].content).toBe(one.content);
    const { json } = await chat.get("/api/v1/conversations/history-test");
    expect(json.title).toBe("What is Ingot?");
    expect(json.turns.map((t: any) => [t.query, t.status])).toEqual([
      ["What is Ingot?", "done"],
      ["And how do I start it?", "done"],
    ]);
    const list = await chat.get("/api/v1/conversations");
    expect(list.json.data.find((c: any) => c.id === "history-test")).toMatchObject({ turns: 2 });
  });

  it("strips markdown and extra whitespace with clean: true", async () => {
    const { request_id } = await chat.ask({
      query:
        'Format this [[sim: text="## Title\\n\\nSome **bold**   and `code`,  a [link](http://x.y).\\n\\n\\n- item one\\n- item two"]]',
      clean: true,
    });
    const done = await chat.settle(request_id);
    expect(done.content).toBe("Title\n\nSome bold and code, a link.\n\nitem one\nitem two");
  });

  it("answers on the direct path too, streaming from this process, with the same sources", async () => {
    const { request_id } = await chat.ask({
      query: "How does Ingot stream tokens from step.ai.infer?",
      mode: "direct",
    });
    const { events } = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`);
    expect(events[0]).toMatchObject({ event: "meta", data: { mode: "direct", run_id: null } });
    const deltas = events.filter((e) => e.event === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(10);
    const done = events.at(-1)!;
    expect(done.data).toMatchObject({ status: "done", mode: "direct", run_id: null });
    expect(deltas.map((d) => d.data.text).join("")).toBe(done.data.content);
    expect(done.data.sources.length).toBeGreaterThan(0);
    expect(done.data.latency_ms.first_token).toBeLessThan(done.data.latency_ms.total);
    const failed = await chat.ask({ query: "direct failure [[sim: status=401]]", mode: "direct" });
    expect(await chat.settle(failed.request_id)).toEqual({
      status: "error",
      error: expect.stringMatching(/^The model call failed: .*401/),
    });
    const stats = await chat.get("/api/v1/stats");
    const direct = stats.json.data.find((s: any) => s.mode === "direct");
    expect(direct).toMatchObject({ errors: 1 });
    expect(direct.done).toBeGreaterThanOrEqual(1);
  });

  it("indexes an uploaded markdown document and cites it", async () => {
    const markdown =
      "# Zorblax guide\n\nThe zorblax flux capacitor needs exactly 42 quibbles to stabilise.\n";
    const form = new FormData();
    form.append("file", new File([markdown], "zorblax.md", { type: "text/markdown" }));
    const upload = await fetch(`${chat.url}/api/v1/documents`, { method: "POST", body: form });
    expect(upload.status).toBe(201);
    const doc = (await upload.json()).data;
    expect(doc).toMatchObject({
      title: "zorblax.md",
      kind: "upload",
      chunks: 1,
      source: "upload:zorblax.md",
    });
    const { request_id } = await chat.ask({
      query: "How many quibbles does the zorblax flux capacitor need?",
    });
    const done = await chat.settle(request_id);
    expect(done.sources[0]).toMatchObject({ document_id: doc.id, source: "upload:zorblax.md" });
    expect(done.content).toContain("42 quibbles");
    const bad = await chat.post("/api/v1/documents", { content: "" });
    expect(bad.status).toBe(400);
    const binary = new FormData();
    binary.append(
      "file",
      new File([new Uint8Array([0, 1, 2])], "image.png", { type: "image/png" }),
    );
    const refused = await fetch(`${chat.url}/api/v1/documents`, { method: "POST", body: binary });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatch(/text or markdown/);
  });

  it("a cancelled run ends its request with a readable error, and its stream ends", async () => {
    const { request_id } = await chat.ask({ query: "Wait for me [[sim: hang]]" });
    const runId = await waitForRun(request_id);
    const stream = readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`, {
      until: (event) => event.event === "done",
    });
    const cancelled = await fetch(`${ingot.url}/v1/runs/${runId}`, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    const done = await chat.settle(request_id);
    expect(done).toEqual({
      status: "error",
      error: expect.stringContaining("The request was cancelled") as string,
    });
    const { events } = await stream;
    expect(events.at(-1)).toMatchObject({ event: "done" });
    expect(events.at(-1)!.data).toMatchObject({ status: "error" });
  });

  /** The run the durable request's event started, once it has one. */
  async function waitForRun(requestId: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const runs = await (
        await fetch(`${ingot.url}/v1/runs?function_id=ingot-chat-chat-answer&status=Running`)
      ).json();
      const match = (runs.data as { run_id: string; event_id: string }[])[0];
      if (match) return match.run_id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`request ${requestId} started no run`);
  }

  it("limits each client's request rate with 429 and Retry-After", async () => {
    const { deps, service } = chat.server;
    const { createHttpApp } = await import("../src/http/app.js");
    const app = createHttpApp(
      { ...deps, config: { ...deps.config, rateLimit: { perMinute: 2, trustProxy: true } } },
      service,
    );
    const send = (client: string) =>
      app.request("/api/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": client },
        body: JSON.stringify({ query: "rate limited?" }),
      });
    expect((await send("10.0.0.1")).status).toBe(202);
    expect((await send("10.0.0.1")).status).toBe(202);
    const limited = await send("10.0.0.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      code: "rate_limited",
      error: expect.stringMatching(/at most 2 a minute/),
    });
    expect((await send("10.0.0.2")).status).toBe(202);
  });

  it("describes the setup, saying that answers are simulated", async () => {
    const { json } = await chat.get("/api/v1/info");
    expect(json).toMatchObject({
      simulated: true,
      provider: "sim",
      retrieval: "bm25",
      dashboard_url: ingot.url,
      notice: expect.stringMatching(/simulat/i),
    });
    expect(json.indexed_chunks).toBeGreaterThan(20);
  });
});

describe("chat API when Ingot is unreachable", () => {
  it("answers 503 with a clear message and records the request as failed", async () => {
    const chat = await startChat({
      ingotUrl: `http://127.0.0.1:${await freePort()}`,
      env: { CHAT_SYNC: "false" },
    });
    try {
      const { status, json } = await chat.post("/api/v1/chat", { query: "Is anyone there?" });
      expect(status).toBe(503);
      expect(json.error).toMatch(
        /^Could not hand the request to Ingot at http:\/\/127\.0\.0\.1:\d+/,
      );
      const { json: list } = await chat.get("/api/v1/conversations");
      const { json: conversation } = await chat.get(`/api/v1/conversations/${list.data[0].id}`);
      expect(conversation.turns[0]).toMatchObject({ status: "error", error: json.error });
    } finally {
      await chat.close();
    }
  });
});
