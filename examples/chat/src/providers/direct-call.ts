import type { ProviderConfig } from "../config.js";
import { readSse } from "../lib/sse.js";
import { directChatRequest } from "./bodies.js";
import { providerErrorText } from "./error-text.js";
import { streamPiece } from "./stream.js";
import type { ChatPrompt, ModelAnswer, TokenUsage } from "./types.js";

/**
 * The direct path's model call: the chat backend streams from the provider itself, with the
 * usual client-side retries (429, 5xx, network errors) but only before the first token — after
 * that a failure is final, and nothing survives a restart. This is the contrast the durable
 * path exists for.
 */
export class ProviderCallError extends Error {
  override name = "ProviderCallError";
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface StreamHandlers {
  onDelta(text: string): void;
  onRetry(reason: string): void;
}

const MAX_RETRIES = 2;
const TIMEOUT_MS = 120_000;
const RETRIABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

function retryAfter(headers: Headers): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

async function attempt(
  provider: ProviderConfig,
  prompt: ChatPrompt,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<ModelAnswer> {
  const request = directChatRequest(provider, prompt);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: JSON.stringify(request.body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
  } catch (error) {
    throw new ProviderCallError(`${provider.id} is unreachable`, true, undefined, { cause: error });
  }
  if (!response.ok || !response.body) {
    const body = await response.text();
    throw new ProviderCallError(
      `${provider.id} answered ${response.status}: ${providerErrorText(body) ?? body.slice(0, 300)}`,
      RETRIABLE.has(response.status),
      retryAfter(response.headers),
    );
  }
  let text = "";
  let done = false;
  const usage: Partial<TokenUsage> = {};
  for await (const event of readSse(response.body)) {
    const piece = streamPiece(provider.format, event);
    if (piece.error !== undefined) {
      // Mid-stream errors are retriable only while nothing reached the user.
      throw new ProviderCallError(
        `${provider.id} failed mid-stream: ${piece.error}`,
        text === "",
        undefined,
      );
    }
    if (piece.text) {
      text += piece.text;
      handlers.onDelta(piece.text);
    }
    if (piece.usage) Object.assign(usage, piece.usage);
    if (piece.done) done = true;
  }
  // Gemini has no end marker: a stream that closed cleanly after text is complete.
  if (!done && provider.format !== "gemini")
    throw new ProviderCallError(`${provider.id} ended the stream early`, text === "", undefined);
  if (text.trim() === "")
    throw new ProviderCallError("the model returned no text", false, undefined);
  return {
    text,
    usage:
      usage.input_tokens !== undefined || usage.output_tokens !== undefined
        ? { input_tokens: usage.input_tokens ?? 0, output_tokens: usage.output_tokens ?? 0 }
        : null,
    model: provider.model,
  };
}

export async function streamChat(input: {
  provider: ProviderConfig;
  prompt: ChatPrompt;
  handlers: StreamHandlers;
  signal: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}): Promise<ModelAnswer> {
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let n = 0; ; n++) {
    try {
      return await attempt(input.provider, input.prompt, input.handlers, input.signal);
    } catch (error) {
      if (
        !(error instanceof ProviderCallError) ||
        !error.retriable ||
        n >= MAX_RETRIES ||
        input.signal.aborted
      )
        throw error;
      // 0.5 s, 1 s (the official SDKs' backoff), or the provider's wait up to 10 s.
      const wait = Math.min(error.retryAfterMs ?? 500 * 2 ** n, 10_000);
      input.handlers.onRetry(error.message);
      await sleep(wait);
    }
  }
}
