import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai";
import { describe, expect, it } from "vitest";
import { cosine } from "../src/index.js";
import { rejection, sim } from "./helpers.js";

function client(
  url: string,
  options: { apiKey?: string; retry?: { attempts: number; initialDelay: number } } = {},
): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey ?? "gemini-test-key",
    httpOptions: {
      baseUrl: url,
      ...(options.retry ? { retryOptions: { ...options.retry, maxDelay: 1 } } : {}),
    },
  });
}

const weatherDecl = {
  name: "get_weather",
  description: "Current weather",
  parameters: {
    type: Type.OBJECT,
    properties: { city: { type: Type.STRING }, metric: { type: Type.BOOLEAN } },
    required: ["city", "metric"],
  },
};

describe("@google/genai: generateContent", () => {
  it("parses an echo reply with usageMetadata; the key travels in x-goog-api-key", async () => {
    const s = await sim();
    const res = await client(s.url).models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hello Gemini",
      config: { systemInstruction: "Be brief." },
    });
    expect(res.text).toBe("echo: Hello Gemini");
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
    expect(res.usageMetadata?.promptTokenCount).toBe(3 + 3);
    expect(res.usageMetadata?.candidatesTokenCount).toBe(5);
    expect(res.usageMetadata?.totalTokenCount).toBe(11);
    expect(res.responseId).toBe("sim-000001");
    const recorded = s.requests[0];
    expect(recorded?.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(recorded?.headers["x-goog-api-key"]).toBe("gemini-test-key");
    expect(recorded?.model).toBe("gemini-2.5-flash");
    expect(recorded?.endpoint).toBe("generateContent");
  });

  it("streams chunks over SSE (alt=sse) that the SDK yields one by one", async () => {
    const s = await sim({ chunkDelayMs: 5 });
    const stream = await client(s.url).models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "sun moon stars",
    });
    const texts: string[] = [];
    let finish: string | undefined;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? "");
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(texts).toEqual(["echo: ", "sun ", "moon ", "stars"]);
    expect(finish).toBe("STOP");
    expect(s.requests[0]?.query["alt"]).toEqual(["sse"]);
    expect(s.requests[0]?.endpoint).toBe("streamGenerateContent");
  });

  it("returns a functionCall when mode is ANY, then answers from functionResponse", async () => {
    const s = await sim();
    const ai = client(s.url);
    const config = {
      tools: [{ functionDeclarations: [weatherDecl] }],
      toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } },
    };
    const first = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Weather?",
      config,
    });
    expect(first.functionCalls).toEqual([
      { name: "get_weather", args: { city: "example", metric: true } },
    ]);
    expect(first.candidates?.[0]?.finishReason).toBe("STOP");
    const second = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      config,
      contents: [
        { role: "user", parts: [{ text: "Weather?" }] },
        {
          role: "model",
          parts: [{ functionCall: { name: "get_weather", args: { city: "example" } } }],
        },
        {
          role: "user",
          parts: [{ functionResponse: { name: "get_weather", response: { content: "foggy" } } }],
        },
      ],
    });
    expect(second.functionCalls).toBeUndefined();
    expect(second.text).toBe("tool result: get_weather: foggy");
  });
});

describe("@google/genai: embeddings", () => {
  it("embeds through batchEmbedContents with outputDimensionality", async () => {
    const s = await sim();
    const res = await client(s.url).models.embedContent({
      model: "text-embedding-004",
      contents: ["red apples and pears", "green apples", "tax law reform"],
      config: { outputDimensionality: 64 },
    });
    expect(s.requests[0]?.path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    const vectors = (res.embeddings ?? []).map((e) => e.values ?? []);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(64);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeGreaterThan(cosine(vectors[0]!, vectors[2]!));
  });
});

describe("@google/genai: errors and retries", () => {
  it("raises ApiError with Gemini's statuses", async () => {
    const s = await sim();
    const ask = (ai: GoogleGenAI) =>
      ai.models.generateContent({ model: "gemini-2.5-flash", contents: "x" });

    const badKey = await rejection(ask(client(s.url, { apiKey: "invalid" })), ApiError);
    expect(badKey.status).toBe(400);
    expect(badKey.message).toContain("API_KEY_INVALID");

    s.enqueue({ respond: { status: 429, retryAfter: 7 } });
    const limited = await rejection(ask(client(s.url)), ApiError);
    expect(limited.status).toBe(429);
    expect(limited.message).toContain("RESOURCE_EXHAUSTED");
    expect(limited.message).toContain('"retryDelay":"7s"');
  });

  it("throws on an error chunk in the middle of a stream", async () => {
    const s = await sim();
    s.enqueue({ respond: { errorInBody: 503 } });
    const stream = await client(s.url).models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "a b c",
    });
    const texts: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) texts.push(chunk.text ?? "");
    };
    const err = await rejection(consume(), ApiError);
    expect(err.status).toBe(503);
    expect(texts).toEqual(["echo: "]);
  });

  it("lets the SDK's retry options retry 503s", async () => {
    const s = await sim();
    s.enqueue({ times: 2, respond: { status: 503 } });
    const res = await client(s.url, {
      retry: { attempts: 3, initialDelay: 0.05 },
    }).models.generateContent({
      model: "gemini-2.5-flash",
      contents: "third time",
    });
    expect(res.text).toBe("echo: third time");
    expect(s.requests).toHaveLength(3);
  });
});
