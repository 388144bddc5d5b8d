import { randomBytes } from "node:crypto";
import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { type IngotProcess, startIngot } from "./helpers/ingot.js";
import { readEvents } from "./helpers/sse.js";

const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
const eventKey = `evt-${randomBytes(8).toString("hex")}`;

/**
 * `ingot start` (production mode): requests to the app are signed, `/e/` wants the event key and
 * the REST API the signing key. The chat takes both from INGOT_SIGNING_KEY / INGOT_EVENT_KEY.
 */
describe("the chat against `ingot start`", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness;

  beforeAll(async () => {
    [ingot, sim] = await Promise.all([
      startIngot({
        mode: "start",
        // The simulator listens on loopback, which `start` refuses unless allowed.
        args: [
          "--signing-key",
          signingKey,
          "--event-key",
          eventKey,
          "--ai-allow-private",
          "--ai-allow-host",
          "127.0.0.1",
        ],
      }),
      startLlmSim({ chunkDelayMs: 5 }),
    ]);
    chat = await startChat({
      ingotUrl: ingot.url,
      sim,
      env: { INGOT_SIGNING_KEY: signingKey, INGOT_EVENT_KEY: eventKey },
    });
  });

  afterAll(async () => {
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it("syncs, answers and streams with signed requests and bearer-authenticated REST calls", async () => {
    const unauthenticated = await fetch(`${ingot.url}/v1/apps`);
    expect(unauthenticated.status).toBe(401);
    const { request_id } = await chat.ask({ query: "Does signed mode work?" });
    const { events } = await readEvents(`${chat.url}/api/v1/chat/stream/${request_id}`);
    expect(events[0]).toMatchObject({
      event: "meta",
      data: { run_id: expect.stringMatching(/^01/) },
    });
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThan(3);
    expect(events.at(-1)!.data).toMatchObject({ status: "done", mode: "durable" });
  });
});
