import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { type IngotProcess, startIngot } from "./helpers/ingot.js";

/**
 * The agent path against a real `ingot dev`: an AgentKit agent in a durable function calls its
 * `search_docs` tool, its model calls go through Ingot's gateway, its events reach a Realtime
 * subscriber on `chat:<request id>` and its tokens on `run:<run id>`, with tokens the chat mints.
 */
describe("chat agent mode", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness;

  beforeAll(async () => {
    [ingot, sim] = await Promise.all([startIngot(), startLlmSim({ chunkDelayMs: 30 })]);
    chat = await startChat({ ingotUrl: ingot.url, sim });
  });

  afterAll(async () => {
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  function listen(token: { key: string; apiBaseUrl: string }): unknown[] {
    const messages: unknown[] = [];
    const url = `${token.apiBaseUrl.replace(/^http/, "ws")}/v1/realtime/connect?token=${token.key}`;
    const ws = new WebSocket(url);
    ws.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString())));
    setTimeout(() => ws.close(), 20_000).unref();
    return messages;
  }

  it('answers "What is Ingot?" from the README introduction, after calling search_docs', async () => {
    const accepted = await chat.ask({ query: "What is Ingot?", mode: "agent" });
    const token = await chat.post(`/api/v1/chat/${accepted.request_id}/realtime-token`, {
      channel: "agent",
    });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({
      channel: `chat:${accepted.request_id}`,
      topics: ["agent", "status"],
    });
    const messages = listen(token.json);
    const result = await chat.settle(accepted.request_id);
    expect(result.status).toBe("done");
    expect(result.mode).toBe("agent");
    expect(result.sources.length).toBeGreaterThan(0);
    expect(result.sources[0].source).toBe("README.md");
    // The README's introduction, cited as the first source.
    expect(result.content).toContain("Durable execution for AI workloads. [1]");
    expect(result.content).not.toContain("tool result");
    // Ingot's gateway made the model calls (recorded on the run): one choosing the tool, one
    // answering with its result.
    const calls = (await (await fetch(`${ingot.url}/v1/runs/${result.run_id}/ai`)).json()) as {
      data: { status: number | null }[];
    };
    expect(calls.data.length).toBeGreaterThanOrEqual(2);
    await until(() => messages.some((m) => JSON.stringify(m).includes('"type":"result"')));
    const events = messages
      .map((m) => (m as { data?: { event?: string } }).data?.event)
      .filter(Boolean);
    expect(events).toContain("run.started");
    const toolCall = messages.find((m) => JSON.stringify(m).includes('"toolName":"search_docs"'));
    expect(toolCall).toBeDefined();
  });

  it("streams the answer's tokens on the run channel while the run is going", async () => {
    const accepted = await chat.ask({ query: "How does Ingot stream tokens?", mode: "agent" });
    const agent = await chat.post(`/api/v1/chat/${accepted.request_id}/realtime-token`, {
      channel: "agent",
    });
    const agentMessages = listen(agent.json);
    await until(() => agentMessages.some((m) => JSON.stringify(m).includes('"type":"run"')));
    const run = await chat.post(`/api/v1/chat/${accepted.request_id}/realtime-token`, {
      channel: "run",
    });
    expect(run.status).toBe(200);
    const runMessages = listen(run.json) as { topic?: string; kind: string }[];
    await until(() => runMessages.some((m) => m.kind === "run"));
    const deltas = runMessages.filter((m) => m.topic === "delta");
    expect(deltas.length).toBeGreaterThan(3);
    expect(runMessages.findIndex((m) => m.topic === "delta")).toBeLessThan(
      runMessages.findIndex((m) => m.kind === "run"),
    );
    const result = await chat.settle(accepted.request_id);
    expect(result.status).toBe("done");
  });

  it("refuses tokens for requests of the other paths, and an unknown channel", async () => {
    const durable = await chat.ask({ query: "hello", mode: "durable" });
    const refused = await chat.post(`/api/v1/chat/${durable.request_id}/realtime-token`, {
      channel: "agent",
    });
    expect(refused.status).toBe(400);
    const agent = await chat.ask({ query: "hello", mode: "agent" });
    const bad = await chat.post(`/api/v1/chat/${agent.request_id}/realtime-token`, {
      channel: "other",
    });
    expect(bad.status).toBe(400);
    await chat.settle(agent.request_id);
    await chat.settle(durable.request_id);
  });
});

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
