import { wireFamily, WireFamily } from "./formats.js";
import { str } from "./json.js";

/** Who is called and with which model, for metadata, pricing and the dashboard. */
export interface CallIdentity {
  /** `openai`, `azure-openai`, `anthropic`, `google`, `xai`, `deepseek`, `openrouter`, … */
  provider: string;
  model: string | null;
}

/** Known API hosts; a suffix match (`*.openai.azure.com`) starts with a dot. */
const HOSTS: readonly (readonly [string, string])[] = [
  ["api.openai.com", "openai"],
  [".openai.azure.com", "azure-openai"],
  [".cognitiveservices.azure.com", "azure-openai"],
  [".services.ai.azure.com", "azure-openai"],
  ["api.anthropic.com", "anthropic"],
  ["generativelanguage.googleapis.com", "google"],
  ["aiplatform.googleapis.com", "google"],
  ["api.x.ai", "xai"],
  ["api.deepseek.com", "deepseek"],
  ["openrouter.ai", "openrouter"],
  ["api.groq.com", "groq"],
  ["api.together.xyz", "together"],
  ["api.together.ai", "together"],
  ["api.mistral.ai", "mistral"],
];

/** Formats that name their provider whatever the host (a proxy or a simulator in between). */
const FORMAT_PROVIDERS: Partial<Record<string, string>> = {
  anthropic: "anthropic",
  gemini: "google",
  grok: "xai",
  "azure-openai": "azure-openai",
  bedrock: "bedrock",
};

/** Ollama's default port; its OpenAI-compatible API lives under `/v1`. */
const OLLAMA_PORT = "11434";

function hostProvider(url: URL): string | undefined {
  const host = url.hostname.toLowerCase();
  // bedrock-runtime.us-east-1.amazonaws.com, bedrock-runtime-fips.…; not every AWS host.
  if (host.startsWith("bedrock") && host.endsWith(".amazonaws.com")) return "bedrock";
  for (const [pattern, provider] of HOSTS) {
    if (pattern.startsWith(".") ? host.endsWith(pattern) : host === pattern) return provider;
  }
  if (url.port === OLLAMA_PORT) return "ollama";
  return undefined;
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** `…/models/gemini-2.5-flash:generateContent` (also Vertex `publishers/google/models/…`). */
function geminiPathModel(url: URL): string | undefined {
  const match = /\/models\/([^/:]+):[A-Za-z]+$/u.exec(url.pathname);
  return match?.[1] === undefined ? undefined : safeDecode(match[1]);
}

/** `…/openai/deployments/<deployment>/chat/completions`. */
function azureDeployment(url: URL): string | undefined {
  const match = /\/openai\/deployments\/([^/]+)\//u.exec(url.pathname);
  return match?.[1] === undefined ? undefined : safeDecode(match[1]);
}

/** Bedrock runtime `…/model/<model id>/(invoke|converse)…`. */
function bedrockModel(url: URL): string | undefined {
  const match = /\/model\/([^/]+)\/(?:invoke|converse)/u.exec(url.pathname);
  return match?.[1] === undefined ? undefined : safeDecode(match[1]);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Provider from the URL host (then the format), model from the body, the Gemini path, the Azure
 * deployment or the Bedrock model path. A loopback or unknown host speaking an OpenAI format is
 * `openai-compatible` (a local server, a proxy, a simulator).
 */
export function identifyCall(input: { format: string; url: string; body: unknown }): CallIdentity {
  const url = parseUrl(input.url);
  const family = wireFamily(input.format);
  const provider =
    (url && hostProvider(url)) ?? FORMAT_PROVIDERS[input.format] ?? "openai-compatible";
  const bodyModel = nonEmpty(str(input.body, "model"));
  let pathModel: string | undefined;
  if (url) {
    if (family === WireFamily.gemini) pathModel = geminiPathModel(url);
    else if (family === WireFamily.bedrock) pathModel = bedrockModel(url);
    else pathModel = azureDeployment(url);
  }
  // Gemini ignores a body `model` (the Python adapter sends one); the path decides.
  const model = family === WireFamily.gemini ? (pathModel ?? bodyModel) : (bodyModel ?? pathModel);
  return { provider, model: model ?? null };
}
