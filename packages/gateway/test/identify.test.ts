import { describe, expect, it } from "vitest";
import { identifyCall } from "../src/index.js";

const chat = (model?: string): unknown => ({ model, messages: [{ role: "user", content: "hi" }] });

describe("identifyCall", () => {
  const cases: {
    name: string;
    format: string;
    url: string;
    body: unknown;
    expected: { provider: string; model: string | null };
  }[] = [
    {
      name: "OpenAI chat",
      format: "openai-chat",
      url: "https://api.openai.com/v1/chat/completions",
      body: chat("gpt-4o"),
      expected: { provider: "openai", model: "gpt-4o" },
    },
    {
      name: "OpenAI Responses",
      format: "openai-responses",
      url: "https://api.openai.com/v1/responses",
      body: { model: "gpt-5-mini", input: "hi" },
      expected: { provider: "openai", model: "gpt-5-mini" },
    },
    {
      name: "Azure: model from the deployment when the body has none",
      format: "azure-openai",
      url: "https://acme.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21",
      body: chat(),
      expected: { provider: "azure-openai", model: "prod-gpt4o" },
    },
    {
      name: "Azure: the body's model wins",
      format: "azure-openai",
      url: "https://acme.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21",
      body: chat("gpt-4o"),
      expected: { provider: "azure-openai", model: "gpt-4o" },
    },
    {
      name: "Azure AI Foundry host",
      format: "openai-chat",
      url: "https://acme.cognitiveservices.azure.com/openai/deployments/d%201/chat/completions?api-version=1",
      body: chat(),
      expected: { provider: "azure-openai", model: "d 1" },
    },
    {
      name: "Anthropic",
      format: "anthropic",
      url: "https://api.anthropic.com/v1/messages",
      body: { model: "claude-sonnet-4-5-20250929", max_tokens: 10, messages: [] },
      expected: { provider: "anthropic", model: "claude-sonnet-4-5-20250929" },
    },
    {
      name: "Gemini: model from the URL path",
      format: "gemini",
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=AIza",
      body: { contents: [] },
      expected: { provider: "google", model: "gemini-2.5-flash" },
    },
    {
      name: "Gemini: the path wins over a Python adapter's body model",
      format: "gemini",
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse",
      body: { model: "something-else", contents: [] },
      expected: { provider: "google", model: "gemini-3-pro-preview" },
    },
    {
      name: "xAI",
      format: "grok",
      url: "https://api.x.ai/v1/chat/completions",
      body: chat("grok-4"),
      expected: { provider: "xai", model: "grok-4" },
    },
    {
      name: "DeepSeek (the TS adapter sends openai-chat)",
      format: "openai-chat",
      url: "https://api.deepseek.com/v1/chat/completions",
      body: chat("deepseek-chat"),
      expected: { provider: "deepseek", model: "deepseek-chat" },
    },
    {
      name: "OpenRouter keeps the vendor/model id",
      format: "openai-chat",
      url: "https://openrouter.ai/api/v1/chat/completions",
      body: chat("google/gemini-3-flash-preview"),
      expected: { provider: "openrouter", model: "google/gemini-3-flash-preview" },
    },
    {
      name: "Groq",
      format: "openai-chat",
      url: "https://api.groq.com/openai/v1/chat/completions",
      body: chat("llama-3.3-70b-versatile"),
      expected: { provider: "groq", model: "llama-3.3-70b-versatile" },
    },
    {
      name: "Together",
      format: "openai-chat",
      url: "https://api.together.xyz/v1/chat/completions",
      body: chat("meta-llama/Llama-3-70b"),
      expected: { provider: "together", model: "meta-llama/Llama-3-70b" },
    },
    {
      name: "Mistral",
      format: "openai-chat",
      url: "https://api.mistral.ai/v1/chat/completions",
      body: chat("mistral-large-latest"),
      expected: { provider: "mistral", model: "mistral-large-latest" },
    },
    {
      name: "Ollama on its default port",
      format: "openai-chat",
      url: "http://localhost:11434/v1/chat/completions",
      body: chat("llama3.2"),
      expected: { provider: "ollama", model: "llama3.2" },
    },
    {
      name: "loopback with an OpenAI format → openai-compatible",
      format: "openai-chat",
      url: "http://127.0.0.1:8289/v1/chat/completions",
      body: chat("echo"),
      expected: { provider: "openai-compatible", model: "echo" },
    },
    {
      name: "unknown host with an unknown format → openai-compatible",
      format: "",
      url: "https://llm.internal.example/v1/chat/completions",
      body: chat("house-model"),
      expected: { provider: "openai-compatible", model: "house-model" },
    },
    {
      name: "a provider-specific format on a proxy host names its provider",
      format: "anthropic",
      url: "http://127.0.0.1:9000/v1/messages",
      body: { model: "claude-haiku-4-5" },
      expected: { provider: "anthropic", model: "claude-haiku-4-5" },
    },
    {
      name: "Bedrock: model from the runtime path",
      format: "bedrock",
      url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse",
      body: { messages: [] },
      expected: { provider: "bedrock", model: "anthropic.claude-3-5-sonnet-20241022-v2:0" },
    },
    {
      name: "an unparseable URL and no model",
      format: "openai-chat",
      url: "not a url",
      body: "not an object",
      expected: { provider: "openai-compatible", model: null },
    },
    {
      name: "an empty body model falls back to the path",
      format: "azure-openai",
      url: "https://x.openai.azure.com/openai/deployments/dep/chat/completions?api-version=1",
      body: { model: "" },
      expected: { provider: "azure-openai", model: "dep" },
    },
  ];

  it.each(cases)("$name", ({ format, url, body, expected }) => {
    expect(identifyCall({ format, url, body })).toEqual(expected);
  });
});
