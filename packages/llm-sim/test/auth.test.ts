import { describe, expect, it } from "vitest";
import { bearer, chatBody, post, sim } from "./helpers.js";

const anthropicBody = {
  model: "claude-test",
  max_tokens: 64,
  messages: [{ role: "user", content: "hi" }],
};
const geminiBody = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

describe("OpenAI-family auth and validation", () => {
  it("rejects a missing Bearer with 401 and code null, a wrong key with invalid_api_key", async () => {
    const s = await sim();
    const missing = await post(`${s.url}/v1/chat/completions`, chatBody("x"), {
      "x-api-key": "sk-1",
    });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({
      error: { type: "invalid_request_error", code: null, param: null },
    });
    expect(missing.headers.get("x-request-id")).toBe("req_sim000001");

    const wrong = await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer("invalid"));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ error: { code: "invalid_api_key" } });
  });

  it("honours an explicit key list", async () => {
    const s = await sim({ keys: ["sk-only"] });
    expect(
      (await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer("sk-other"))).status,
    ).toBe(401);
    expect(
      (await post(`${s.url}/v1/chat/completions`, chatBody("x"), bearer("sk-only"))).status,
    ).toBe(200);
  });

  it("answers invalid JSON and missing fields with OpenAI's 400 shape", async () => {
    const s = await sim();
    const broken = await post(`${s.url}/v1/chat/completions`, "{not json", bearer());
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(JSON.stringify(broken.json)).toContain("We could not parse the JSON body");

    const noMessages = await post(`${s.url}/v1/chat/completions`, { model: "m" }, bearer());
    expect(noMessages.json).toEqual({
      error: {
        message: "Missing required parameter: 'messages'.",
        type: "invalid_request_error",
        param: "messages",
        code: "missing_required_parameter",
      },
    });
    const hot = await post(
      `${s.url}/v1/chat/completions`,
      chatBody("x", { temperature: 3 }),
      bearer(),
    );
    expect(hot.json).toMatchObject({
      error: { param: "temperature", code: "decimal_above_max_value" },
    });
  });

  it("echoes only the text parts of multi-part user content", async () => {
    const s = await sim();
    const content = [
      { type: "text", text: "look at" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      { type: "text", text: "this" },
    ];
    const res = await post(
      `${s.url}/v1/chat/completions`,
      { model: "m", messages: [{ role: "user", content }] },
      bearer(),
    );
    expect(res.json).toMatchObject({ choices: [{ message: { content: "echo: look at this" } }] });
  });

  it("sends rate-limit and request-id headers on success", async () => {
    const s = await sim();
    const res = await post(`${s.url}/openai/v1/chat/completions`, chatBody("x"), bearer());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("10000");
    expect(res.headers.get("x-ratelimit-remaining-tokens")).toBe("29999000");
    expect(res.headers.get("openai-version")).toBe("2020-10-01");
    expect(s.requests[0]?.dialect).toBe("openai");
  });

  it("xAI: missing header is 401, an incorrect key is 400, in xAI's {code, error} shape", async () => {
    const s = await sim();
    const missing = await post(`${s.url}/xai/v1/chat/completions`, chatBody("x"));
    expect(missing.status).toBe(401);
    const wrong = await post(`${s.url}/xai/v1/chat/completions`, chatBody("x"), bearer("bad-key"));
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({
      code: "Client specified an invalid argument",
      error: expect.stringContaining("Incorrect API key provided") as unknown,
    });
    expect(s.requests.map((r) => r.dialect)).toEqual(["xai", "xai"]);
  });

  it("DeepSeek: adds prompt cache hit/miss usage fields", async () => {
    const s = await sim();
    s.enqueue({ respond: { cachedTokens: 1 } });
    const res = await post(
      `${s.url}/deepseek/v1/chat/completions`,
      chatBody("hello there"),
      bearer(),
    );
    expect(res.json).toMatchObject({
      usage: { prompt_tokens: 3, prompt_cache_hit_tokens: 1, prompt_cache_miss_tokens: 2 },
    });
  });

  it("Ollama: no key needed", async () => {
    const s = await sim();
    const res = await post(`${s.url}/ollama/v1/chat/completions`, chatBody("local"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });
});

describe("Azure OpenAI", () => {
  const path = "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21";

  it("accepts the api-key header and takes the model from the deployment", async () => {
    const s = await sim();
    const res = await post(
      `${s.url}${path}`,
      { messages: [{ role: "user", content: "hi" }] },
      { "api-key": "az-key" },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      model: "my-gpt",
      choices: [{ message: { content: "echo: hi" } }],
      prompt_filter_results: [{ prompt_index: 0 }],
    });
    expect(res.headers.get("apim-request-id")).toBe("sim-000001");
    expect(s.requests[0]).toMatchObject({ dialect: "azure", model: "my-gpt" });
    expect(s.requests[0]?.query["api-version"]).toEqual(["2024-10-21"]);
  });

  it("rejects a wrong api-key with Azure's 401 and a missing api-version with 404", async () => {
    const s = await sim();
    const wrong = await post(`${s.url}${path}`, chatBody("x"), { "api-key": "bad-key" });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ error: { code: "401" } });
    const noVersion = await post(`${s.url}/openai/deployments/d/chat/completions`, chatBody("x"), {
      "api-key": "az",
    });
    expect(noVersion.status).toBe(404);
    expect(noVersion.json).toMatchObject({ error: { code: "404", message: "Resource not found" } });
  });

  it("serves embeddings under the deployment", async () => {
    const s = await sim();
    const res = await post(
      `${s.url}/openai/deployments/emb/embeddings?api-version=2024-10-21`,
      { input: "hello" },
      { "api-key": "az" },
    );
    expect(res.json).toMatchObject({ model: "emb", data: [{ index: 0, object: "embedding" }] });
  });
});

describe("Anthropic auth and validation", () => {
  const url = (s: { url: string }) => `${s.url}/v1/messages`;
  const v1 = { "anthropic-version": "2023-06-01" };

  it("requires x-api-key on 2023-06-01; Bearer alone is not enough there", async () => {
    const s = await sim();
    const bearerOnly = await post(url(s), anthropicBody, { ...v1, ...bearer("k") });
    expect(bearerOnly.status).toBe(401);
    expect(bearerOnly.json).toMatchObject({
      type: "error",
      error: { type: "authentication_error", message: "x-api-key header is required" },
      request_id: "req_sim000001",
    });
    const wrong = await post(url(s), anthropicBody, { ...v1, "x-api-key": "bad-key" });
    expect(wrong.json).toMatchObject({
      error: { type: "authentication_error", message: "invalid x-api-key" },
    });
    const ok = await post(url(s), anthropicBody, { ...v1, "x-api-key": "k" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("request-id")).toBe("req_sim000003");
    expect(ok.headers.get("anthropic-ratelimit-requests-limit")).toBe("4000");
  });

  it("x-api-key wins over Bearer on 2026-10-21", async () => {
    const s = await sim();
    const res = await post(url(s), anthropicBody, {
      "anthropic-version": "2026-10-21",
      "x-api-key": "bad-key",
      ...bearer("good"),
    });
    expect(res.status).toBe(401);
  });

  it("requires anthropic-version unless switched off", async () => {
    const strict = await sim();
    const res = await post(url(strict), anthropicBody, { "x-api-key": "k" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { type: "invalid_request_error", message: "anthropic-version: header is required" },
    });
    const lenient = await sim({ requireAnthropicVersion: false });
    expect((await post(url(lenient), anthropicBody, { "x-api-key": "k" })).status).toBe(200);
  });

  it("requires max_tokens and answers invalid JSON in Anthropic's shape", async () => {
    const s = await sim();
    const { max_tokens: _omit, ...noMax } = anthropicBody;
    const res = await post(url(s), noMax, { ...v1, "x-api-key": "k" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { message: "max_tokens: Field required" } });
    const broken = await post(url(s), "{", { ...v1, "x-api-key": "k" });
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("is also mounted under /anthropic", async () => {
    const s = await sim();
    const res = await post(`${s.url}/anthropic/v1/messages`, anthropicBody, {
      ...v1,
      "x-api-key": "k",
    });
    expect(res.json).toMatchObject({
      type: "message",
      content: [{ type: "text", text: "echo: hi" }],
    });
  });
});

describe("Gemini auth", () => {
  const path = "/v1beta/models/gemini-2.5-flash:generateContent";

  it("accepts the key as ?key= (first value wins) or as x-goog-api-key", async () => {
    const s = await sim();
    const query = await post(`${s.url}${path}?key=good&key=bad-key`, geminiBody);
    expect(query.status).toBe(200);
    expect(s.requests[0]?.query["key"]).toEqual(["good", "bad-key"]);
    const header = await post(`${s.url}/gemini${path}`, geminiBody, { "x-goog-api-key": "good" });
    expect(header.status).toBe(200);
    expect(s.requests[1]?.dialect).toBe("gemini");
  });

  it("answers a bad key with 400 API_KEY_INVALID and a missing key with 403", async () => {
    const s = await sim();
    const bad = await post(`${s.url}${path}?key=invalid`, geminiBody);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: {
        code: 400,
        status: "INVALID_ARGUMENT",
        message: "API key not valid. Please pass a valid API key.",
        details: [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" },
        ],
      },
    });
    const missing = await post(`${s.url}${path}`, geminiBody);
    expect(missing.status).toBe(403);
    expect(missing.json).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });
  });

  it("accepts snake_case fields (agent-kit sends tool_config)", async () => {
    const s = await sim();
    const res = await post(`${s.url}${path}?key=k`, {
      contents: [{ role: "user", parts: [{ text: "go" }] }],
      tools: [{ function_declarations: [{ name: "ping", parameters: { type: "OBJECT" } }] }],
      tool_config: { function_calling_config: { mode: "ANY" } },
    });
    expect(res.json).toMatchObject({
      candidates: [{ content: { parts: [{ functionCall: { name: "ping", args: {} } }] } }],
    });
  });

  it("answers invalid JSON with INVALID_ARGUMENT and an unknown model with NOT_FOUND", async () => {
    const s = await sim({ models: ["gemini-2.5-flash"] });
    const broken = await post(`${s.url}${path}?key=k`, "[oops");
    expect(broken.json).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    const unknown = await post(`${s.url}/v1beta/models/gemini-0:generateContent?key=k`, geminiBody);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { status: "NOT_FOUND" } });
  });
});

describe("routing", () => {
  it("answers unknown paths and wrong methods with a 404 in the guessed dialect's shape", async () => {
    const s = await sim();
    const res = await post(`${s.url}/v1/nothing`, {}, bearer());
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { message: "Invalid URL (POST /v1/nothing)" } });
    const get = await fetch(`${s.url}/v1/chat/completions`);
    expect(get.status).toBe(404);
    expect(s.requests.map((r) => r.dialect)).toEqual([undefined, undefined]);
  });

  it("lists models per dialect", async () => {
    const s = await sim({ models: ["m1", "m2"] });
    const openai = await fetch(`${s.url}/v1/models`, { headers: bearer() });
    expect(await openai.json()).toMatchObject({
      object: "list",
      data: [{ id: "m1" }, { id: "m2" }],
    });
    const gemini = await fetch(`${s.url}/v1beta/models?key=k`);
    expect(await gemini.json()).toMatchObject({
      models: [{ name: "models/m1" }, { name: "models/m2" }],
    });
  });
});
