import { wireFamily, WireFamily } from "./formats.js";
import { isRecord, type JsonRecord } from "./json.js";

export type StreamMode = "none" | "sse";

export interface StreamRequest {
  format: string;
  url: string;
  body: unknown;
}

const GENERATE = ":generateContent";
const STREAM_GENERATE = ":streamGenerateContent";

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Whether the op asks for a streamed answer. OpenAI-shaped formats, Responses and Anthropic say
 * so with `body.stream === true`. Gemini's real API has no body flag (streaming is a different
 * method), so Ingot's convention is `stream: true` in the op body, or a URL that already names
 * `:streamGenerateContent`. Bedrock streams in AWS's binary event-stream framing, which is not
 * supported: its calls never stream.
 */
export function streamMode(request: StreamRequest): StreamMode {
  if (!isRecord(request.body)) return "none";
  const family = wireFamily(request.format);
  if (family === WireFamily.bedrock) return "none";
  if (request.body.stream === true) return "sse";
  if (family === WireFamily.gemini) {
    const url = parseUrl(request.url);
    if (url?.pathname.endsWith(STREAM_GENERATE)) return "sse";
  }
  return "none";
}

/**
 * The request to send for a streamed call (a copy; the op body is not touched): OpenAI-shaped
 * bodies get `stream_options: {include_usage: true}` unless they set `stream_options`, so the
 * final chunk carries usage; Gemini loses the `stream` flag, and its URL switches to
 * `:streamGenerateContent?alt=sse` with the other query parameters kept. A call that does not
 * stream is returned unchanged.
 */
export function prepareStreamingRequest(request: StreamRequest): { url: string; body: unknown } {
  const body = request.body;
  if (streamMode(request) === "none" || !isRecord(body)) {
    return { url: request.url, body };
  }
  switch (wireFamily(request.format)) {
    case WireFamily.openaiChat:
      return {
        url: request.url,
        body:
          "stream_options" in body ? body : { ...body, stream_options: { include_usage: true } },
      };
    case WireFamily.gemini:
      return geminiStreaming(request.url, body);
    default:
      return { url: request.url, body };
  }
}

function geminiStreaming(rawUrl: string, body: JsonRecord): { url: string; body: unknown } {
  const { stream: _stream, ...rest } = body;
  const url = parseUrl(rawUrl);
  if (!url) return { url: rawUrl, body: rest };
  if (url.pathname.endsWith(GENERATE)) {
    url.pathname = url.pathname.slice(0, -GENERATE.length) + STREAM_GENERATE;
  }
  // Edit the query by hand: URLSearchParams would re-encode the other parameters.
  const params = url.search
    .slice(1)
    .split("&")
    .filter((p) => p !== "" && p !== "alt" && !p.startsWith("alt="));
  url.search = [...params, "alt=sse"].join("&");
  return { url: url.toString(), body: rest };
}
