import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { bearer, chatBody, post, sim } from "./helpers.js";

describe("HTTP control API", () => {
  it("reports health, records requests, enqueues JSON rules and resets", async () => {
    const s = await sim();
    const health = await fetch(`${s.url}/__sim/health`);
    expect(await health.json()).toEqual({ ok: true, requests: 0, pendingRules: 0, inFlight: 1 });

    const queued = await post(`${s.url}/__sim/enqueue`, [
      {
        match: { dialect: "openai", contains: "boom" },
        times: 2,
        respond: { status: 503, retryAfter: 1 },
      },
      { match: { model: "special" }, respond: { text: "special reply" } },
    ]);
    expect(queued.json).toEqual({ ok: true, queued: 2 });

    expect((await post(`${s.url}/v1/chat/completions`, chatBody("boom"), bearer())).status).toBe(
      503,
    );
    const special = await post(
      `${s.url}/v1/chat/completions`,
      chatBody("x", { model: "special" }),
      bearer(),
    );
    expect(special.json).toMatchObject({ choices: [{ message: { content: "special reply" } }] });

    const listed = await fetch(`${s.url}/__sim/requests?dialect=openai`);
    const listing: unknown = await listed.json();
    expect(listing).toMatchObject({
      requests: [
        {
          path: "/v1/chat/completions",
          headers: { authorization: "Bearer sk-test" },
          userText: "boom",
        },
        { json: { model: "special" }, seq: 2, dialect: "openai" },
      ],
    });
    // Control requests themselves are not recorded.
    expect(s.requests).toHaveLength(2);

    expect((await post(`${s.url}/__sim/reset`, {})).json).toEqual({ ok: true });
    expect(s.requests).toHaveLength(0);
    // The second `times` of the boom rule was dropped by the reset.
    expect((await post(`${s.url}/v1/chat/completions`, chatBody("boom"), bearer())).status).toBe(
      200,
    );
  });

  it("sets the default behaviour over HTTP", async () => {
    const s = await sim();
    expect((await post(`${s.url}/__sim/default`, { text: "from control" })).status).toBe(200);
    const res = await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer());
    expect(res.json).toMatchObject({ choices: [{ message: { content: "from control" } }] });
  });

  it("rejects malformed rules with a message that names the problem", async () => {
    const s = await sim();
    const unknownField = await post(`${s.url}/__sim/enqueue`, { respond: { stauts: 500 } });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.json)).toContain("unknown behaviour field(s): stauts");
    const badDialect = await post(`${s.url}/__sim/enqueue`, {
      match: { dialect: "cohere" },
      respond: {},
    });
    expect(JSON.stringify(badDialect.json)).toContain('unknown dialect \\"cohere\\"');
    expect((await fetch(`${s.url}/__sim/nope`)).status).toBe(404);
  });
});

describe("options", () => {
  it("takes created and receivedAt from the injected clock", async () => {
    const s = await sim({ now: () => 1_700_000_000_500 });
    const res = await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer());
    expect(res.json).toMatchObject({ created: 1_700_000_000 });
    expect(s.requests[0]?.receivedAt).toBe(1_700_000_000_500);
  });

  it("accepts a key predicate that sees the dialect", async () => {
    const s = await sim({ keys: (key, dialect) => key === `${dialect}-key` });
    expect(
      (await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer("openai-key"))).status,
    ).toBe(200);
    expect(
      (await post(`${s.url}/xai/v1/chat/completions`, chatBody("x"), bearer("openai-key"))).status,
    ).toBe(400);
    expect(
      (await post(`${s.url}/xai/v1/chat/completions`, chatBody("x"), bearer("xai-key"))).status,
    ).toBe(200);
  });
});

describe("bin (runCli)", () => {
  it("starts on the given port and prints one line", async () => {
    const lines: string[] = [];
    const started = await runCli(["--port", "0", "--latency-ms", "5", "--keys", "k1,k2"], (l) =>
      lines.push(l),
    );
    if (!started) throw new Error("expected a simulator");
    try {
      expect(lines).toEqual([`llm-sim listening on ${started.url}\n`]);
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
      expect(
        (await post(`${started.url}/v1/chat/completions`, chatBody("x"), bearer("k2"))).status,
      ).toBe(200);
      expect(
        (await post(`${started.url}/v1/chat/completions`, chatBody("x"), bearer("k3"))).status,
      ).toBe(401);
    } finally {
      await started.close();
    }
  });

  it("prints usage for --help and rejects bad numbers", async () => {
    const lines: string[] = [];
    expect(await runCli(["--help"], (l) => lines.push(l))).toBeUndefined();
    expect(lines[0]).toContain("Usage: ingot-llm-sim");
    await expect(runCli(["--port", "abc"], () => undefined)).rejects.toThrow(/--port expects/u);
  });
});
