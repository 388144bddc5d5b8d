import { describe, expect, it } from "vitest";
import { bearer, chatBody, firstMessage, parseSse, post, rejection, sim } from "./helpers.js";

const chatUrl = (s: { url: string }) => `${s.url}/v1/chat/completions`;

describe("scripted rules", () => {
  it("consumes `times`, first match wins, then falls back to the echo", async () => {
    const s = await sim();
    s.enqueue({ match: { model: "other" }, respond: { text: "never" } });
    s.enqueue({ times: 2, respond: { status: 500 } });
    s.enqueue({ respond: { text: "third" } });
    const statuses: number[] = [];
    const texts: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(chatUrl(s), chatBody(`try ${i}`), bearer());
      statuses.push(res.status);
      texts.push(firstMessage(res.json)?.["content"]);
    }
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(texts).toEqual([undefined, undefined, "third", "echo: try 3"]);
    expect(
      (await post(chatUrl(s), chatBody("x", { model: "other" }), bearer())).json,
    ).toMatchObject({
      choices: [{ message: { content: "never" } }],
    });
  });

  it("matches by dialect, path, contains and predicate", async () => {
    const s = await sim();
    s.enqueue({ match: { dialect: "anthropic" }, respond: { status: 529 } });
    s.enqueue({ match: { path: "/xai/v1/chat/completions" }, respond: { status: 503 } });
    s.enqueue({ match: { contains: "needle" }, respond: { status: 502 } });
    s.enqueue({ match: (r) => r.headers["x-test"] === "yes", respond: { status: 418 } });
    expect((await post(chatUrl(s), chatBody("hay needle hay"), bearer())).status).toBe(502);
    expect((await post(chatUrl(s), chatBody("x"), { ...bearer(), "x-test": "yes" })).status).toBe(
      418,
    );
    expect((await post(`${s.url}/xai/v1/chat/completions`, chatBody("x"), bearer())).status).toBe(
      503,
    );
    expect((await post(chatUrl(s), chatBody("x"), bearer())).status).toBe(200);
  });

  it("does not consume a rule on a request that fails validation", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 500 } });
    expect((await post(chatUrl(s), chatBody("x"), bearer("bad-key"))).status).toBe(401);
    expect((await post(chatUrl(s), chatBody("x"), bearer())).status).toBe(500);
  });

  it("setDefault applies until reset()", async () => {
    const s = await sim();
    s.setDefault({ text: "fixed" });
    const res = await post(chatUrl(s), chatBody("x"), bearer());
    expect(res.json).toMatchObject({ choices: [{ message: { content: "fixed" } }] });
    s.reset();
    expect(s.requests).toHaveLength(0);
    const after = await post(chatUrl(s), chatBody("x"), bearer());
    expect(after.json).toMatchObject({ choices: [{ message: { content: "echo: x" } }] });
  });

  it("sends 429 with retry-after headers and provider-shaped bodies", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 429, retryAfter: 2, retryAfterMs: 2000 } });
    const res = await post(chatUrl(s), chatBody("x"), bearer());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.headers.get("retry-after-ms")).toBe("2000");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(res.json).toMatchObject({ error: { type: "requests", code: "rate_limit_exceeded" } });
    s.enqueue({
      respond: { status: 429, error: { code: "insufficient_quota", type: "insufficient_quota" } },
    });
    expect((await post(chatUrl(s), chatBody("x"), bearer())).json).toMatchObject({
      error: { type: "insufficient_quota", code: "insufficient_quota" },
    });
  });
});

describe("connection and body faults", () => {
  it("resets the connection before headers", async () => {
    const s = await sim();
    s.enqueue({ respond: { reset: true } });
    const err = await rejection(post(chatUrl(s), chatBody("x"), bearer()), TypeError);
    expect(String(err.cause)).toMatch(/socket|closed|ECONNRESET/iu);
  });

  it("hangs until the client gives up, and close() ends hung requests", async () => {
    const s = await sim();
    s.enqueue({ times: 2, respond: { hang: true } });
    const request = fetch(chatUrl(s), {
      method: "POST",
      headers: bearer(),
      body: JSON.stringify(chatBody("x")),
      signal: AbortSignal.timeout(200),
    });
    expect((await rejection(request, DOMException)).name).toBe("TimeoutError");
    const pending = post(chatUrl(s), chatBody("x"), bearer()).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    expect(await pending).toBeInstanceOf(TypeError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("truncates a stream after N events without [DONE]", async () => {
    const s = await sim();
    s.enqueue({ respond: { truncate: 3 } });
    const res = await post(chatUrl(s), chatBody("one two three four", { stream: true }), bearer());
    const events = parseSse(res.text);
    expect(res.status).toBe(200);
    expect(events).toHaveLength(3);
    expect(res.text).not.toContain("[DONE]");
    expect(res.text).not.toContain('"finish_reason":"stop"');
  });

  it("truncates Anthropic streams before message_stop via a directive", async () => {
    const s = await sim({ requireAnthropicVersion: false });
    const res = await post(
      `${s.url}/v1/messages`,
      {
        model: "c",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi [[sim: truncate=4]]" }],
      },
      { "x-api-key": "k" },
    );
    const names = parseSse(res.text).map((e) => e.event);
    expect(names).toEqual(["message_start", "content_block_start", "ping", "content_block_delta"]);
  });

  it("cuts a non-streamed body and kills the socket", async () => {
    const s = await sim();
    s.enqueue({ respond: { truncate: 10 } });
    const err = await rejection(post(chatUrl(s), chatBody("x"), bearer()), TypeError);
    expect(String(err.cause)).toMatch(/terminated|closed|socket/iu);
  });

  it("sends malformed JSON with a JSON content type", async () => {
    const s = await sim();
    s.enqueue({ respond: { malformed: true } });
    const res = await post(chatUrl(s), chatBody("x"), bearer());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json).toBeUndefined();
    expect(res.text.startsWith("{")).toBe(true);
  });

  it("gzips JSON bodies on request (fetch decodes them)", async () => {
    const s = await sim();
    s.enqueue({ respond: { gzip: true } });
    const res = await post(chatUrl(s), chatBody("zip"), bearer());
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(firstMessage(res.json)?.["content"]).toBe("echo: zip");
  });

  it("sends an HTML 502 page like a CDN", async () => {
    const s = await sim();
    s.enqueue({ respond: { html: true } });
    const res = await post(chatUrl(s), chatBody("x"), bearer());
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("<title>502 Bad Gateway</title>");
  });

  it("delays headers by latencyMs plus the behaviour's delayMs", async () => {
    const s = await sim({ latencyMs: 100 });
    s.enqueue({ respond: { delayMs: 150 } });
    const started = Date.now();
    await post(chatUrl(s), chatBody("x"), bearer());
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });
});

describe("200 with an error body", () => {
  it("OpenRouter: error inside a 200 body, with the numeric code", async () => {
    const s = await sim();
    s.enqueue({ respond: { errorInBody: 502 } });
    const res = await post(`${s.url}/api/v1/chat/completions`, chatBody("x"), bearer());
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ error: { code: 502, message: "Provider returned error" } });
    expect(s.requests[0]?.dialect).toBe("openrouter");
  });

  it("OpenRouter: stream starts with a comment and fails with an error chunk", async () => {
    const s = await sim();
    const res = await post(
      `${s.url}/api/v1/chat/completions`,
      chatBody("a b c [[sim: error-in-body=503]]", { stream: true }),
      bearer(),
    );
    expect(res.text.startsWith(": OPENROUTER PROCESSING\n\n")).toBe(true);
    const events = parseSse(res.text);
    const last: unknown = JSON.parse(events.at(-1)?.data ?? "{}");
    expect(last).toMatchObject({
      error: { code: 503 },
      choices: [{ finish_reason: "error" }],
      id: "gen-sim-000001",
    });
    expect(events).toHaveLength(3);
  });

  it("Anthropic: type error inside a 200 body", async () => {
    const s = await sim({ requireAnthropicVersion: false });
    s.enqueue({ respond: { errorInBody: 529 } });
    const res = await post(
      `${s.url}/v1/messages`,
      { model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] },
      { "x-api-key": "k" },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  });
});

describe("prompt directives", () => {
  it("fail twice, then succeed, counted per key across requests", async () => {
    const s = await sim();
    const body = chatBody("hello [[sim: status=500 times=2 key=abc]]");
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(chatUrl(s), body, bearer())).status);
    expect(statuses).toEqual([500, 500, 200]);
    const last = await post(chatUrl(s), body, bearer());
    expect(last.json).toMatchObject({ choices: [{ message: { content: "echo: hello" } }] });
    // A new key starts its own count; reset() clears the counters.
    const other = chatBody("hello [[sim: status=500 times=1 key=def]]");
    expect((await post(chatUrl(s), other, bearer())).status).toBe(500);
    s.reset();
    expect((await post(chatUrl(s), body, bearer())).status).toBe(500);
  });

  it("status with retry-after, fixed text and delay", async () => {
    const s = await sim();
    const limited = await post(chatUrl(s), chatBody("[[sim: status=429 retry-after=2]]"), bearer());
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    const started = Date.now();
    const text = await post(
      chatUrl(s),
      chatBody("[[sim: text=hello world]] [[sim: delay=120]]"),
      bearer(),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(text.json).toMatchObject({ choices: [{ message: { content: "hello world" } }] });
  });

  it("reset directive destroys the connection", async () => {
    const s = await sim();
    await rejection(post(chatUrl(s), chatBody("[[sim: reset]]"), bearer()), TypeError);
  });

  it("tool directive calls the tool once, then answers with the tool's result", async () => {
    const s = await sim();
    const user = { role: "user", content: 'Paris? [[sim: tool=get_weather {"city":"Paris"}]]' };
    const first = await post(chatUrl(s), { model: "m", messages: [user] }, bearer());
    const message = firstMessage(first.json);
    expect(message).toMatchObject({
      content: null,
      tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
    });
    const second = await post(
      chatUrl(s),
      {
        model: "m",
        messages: [
          user,
          message,
          { role: "tool", tool_call_id: "call_sim_000001_0", content: "14C, cloudy" },
        ],
      },
      bearer(),
    );
    expect(second.json).toMatchObject({
      choices: [
        { finish_reason: "stop", message: { content: "tool result: get_weather: 14C, cloudy" } },
      ],
    });
  });
});
