import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { freePort, type IngotProcess, startIngot, tempDir } from "./helpers/ingot.js";

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * "A restart loses nothing": the chat backend and Ingot are stopped — Ingot with kill -9 while a
 * model call is in flight — and started again on the same data directories and ports.
 */
describe("persistence across a restart (SQLite)", () => {
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

  it("keeps conversations and results; finishes an in-flight durable request; marks the direct one interrupted", async () => {
    const dataDir = tempDir("chat-restart-");
    const env = { PORT: String(await freePort()) };
    chat = await startChat({ ingotUrl: ingot.url, dataDir, env, sim });

    const a = await chat.ask({ query: "What is Ingot?" });
    const doneA = await chat.settle(a.request_id);
    const b = await chat.ask({
      query: "Tell me about the AI gateway",
      mode: "direct",
      conversation_id: a.conversation_id,
    });
    const doneB = await chat.settle(b.request_id);
    expect([doneA.status, doneB.status]).toEqual(["done", "done"]);

    // Two slow model calls, one per path, caught in flight by the "crash".
    const c = await chat.ask({
      query: "slow durable [[sim: delay=1500]]",
      conversation_id: a.conversation_id,
    });
    const d = await chat.ask({
      query: "slow direct [[sim: delay=1500]]",
      mode: "direct",
      conversation_id: a.conversation_id,
    });
    await until(
      () => sim.requests.some((r) => r.userText.startsWith("slow durable")),
      "the durable model call",
    );
    await until(
      () => sim.requests.some((r) => r.userText.startsWith("slow direct")),
      "the direct model call",
    );
    await ingot.kill();
    await chat.close();
    chat = undefined;

    [chat] = await Promise.all([
      startChat({ ingotUrl: ingot.url, dataDir, env, sim }),
      ingot.restart(),
    ]);
    expect(await chat.settle(a.request_id)).toEqual(doneA);
    expect(await chat.settle(b.request_id)).toEqual(doneB);
    // Ingot resumed the run: the model was called again and the answer saved.
    const doneC = await chat.settle(c.request_id, 30_000);
    expect(doneC).toMatchObject({ status: "done", content: "echo: slow durable" });
    expect(
      sim.requests.filter((r) => r.userText.startsWith("slow durable")).length,
    ).toBeGreaterThanOrEqual(2);
    // The direct path has no durability: the restart ended it, and it says so.
    expect(await chat.settle(d.request_id)).toEqual({
      status: "error",
      error: expect.stringMatching(/interrupted.*not durable/),
    });

    const { json } = await chat.get(`/api/v1/conversations/${a.conversation_id}`);
    expect(json.turns.map((t: any) => [t.query, t.status])).toEqual([
      ["What is Ingot?", "done"],
      ["Tell me about the AI gateway", "done"],
      ["slow durable [[sim: delay=1500]]", "done"],
      ["slow direct [[sim: delay=1500]]", "error"],
    ]);
    const stream = await fetch(`${chat.url}/api/v1/chat/stream/${a.request_id}`);
    expect(await stream.text()).toContain(JSON.stringify(doneA.content));
  });
});
