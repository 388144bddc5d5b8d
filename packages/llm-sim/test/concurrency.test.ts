import { Agent, request } from "node:http";
import { describe, expect, it } from "vitest";
import { chatBody, sim } from "./helpers.js";

/** A lean client: undici's fetch costs the shared event loop more per request than the sim. */
function postChat(
  agent: Agent,
  url: string,
  text: string,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(chatBody(text));
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/chat/completions`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          authorization: "Bearer sk-test",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("concurrency", () => {
  it("holds 2,000 concurrent slow requests and answers them all in well under 5 s", async () => {
    const s = await sim({ latencyMs: 1000 });
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    try {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 2000 }, (_, i) => postChat(agent, s.url, `request ${i}`)),
      );
      const elapsed = Date.now() - started;
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(JSON.parse(results[1999]?.body ?? "{}")).toMatchObject({
        choices: [{ message: { content: "echo: request 1999" } }],
      });
      expect(s.requests).toHaveLength(2000);
      // Sequentially this would take 2,000 s; the floor is the 1 s latency itself.
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      expect(elapsed).toBeLessThan(4000);
    } finally {
      agent.destroy();
    }
  });
});
