import { statusOfType } from "../classify.js";
import { num, rec, str, type JsonRecord } from "../json.js";
import type { SseEvent } from "../sse.js";
import { BaseAssembler, usageDelta } from "./common.js";
import type { AssembledStream, StreamDelta, StreamFailure } from "./types.js";

/** Responses error codes that describe the request (bad input, bad image), not a transient fault. */
function responsesErrorStatus(code: string | undefined): number {
  if (code === undefined) return 500;
  if (/^(?:invalid_|unsupported_|empty_|failed_to_download)|image/u.test(code)) return 400;
  if (code === "vector_store_timeout") return 504;
  return statusOfType(code);
}

function responsesFailure(error: JsonRecord | undefined, data: unknown): StreamFailure {
  const code = str(error, "code");
  const status = responsesErrorStatus(code);
  const message = str(error, "message") ?? "the response failed";
  return {
    retriable: status >= 500 || status === 429,
    status,
    message: `provider reported an error mid-stream (${code ?? status}): ${message}`,
    data,
  };
}

/**
 * OpenAI Responses events (ai-gateway.md §3.2): the answer is the `response` carried by
 * `response.completed` (or `response.incomplete`, e.g. `max_output_tokens`), which is exactly
 * the non-streamed body. `response.failed` and `error` events fail the stream; there is no
 * `[DONE]`.
 */
export class OpenAiResponsesAssembler extends BaseAssembler {
  protected readonly marker = "response.completed";
  private final: JsonRecord | undefined;

  constructor(private readonly format: string) {
    super();
  }

  protected handle(event: SseEvent): StreamDelta[] {
    const data = this.parseObject(event);
    if (!data) return [];
    const index = num(data, "output_index") ?? 0;
    switch (str(data, "type") ?? event.event) {
      case "response.output_text.delta": {
        const text = str(data, "delta");
        return text ? [{ type: "text", text }] : [];
      }
      case "response.output_item.added": {
        const item = rec(data, "item");
        if (str(item, "type") !== "function_call") return [];
        const delta: Extract<StreamDelta, { type: "tool_call" }> = { type: "tool_call", index };
        const id = str(item, "call_id");
        const name = str(item, "name");
        if (id !== undefined) delta.id = id;
        if (name !== undefined) delta.name = name;
        return [delta];
      }
      case "response.function_call_arguments.delta": {
        const args = str(data, "delta");
        return args ? [{ type: "tool_call", index, argumentsDelta: args }] : [];
      }
      case "response.completed":
      case "response.incomplete":
        return this.complete(data);
      case "response.failed":
        return this.fail(responsesFailure(rec(rec(data, "response"), "error"), data));
      case "error":
        return this.fail(responsesFailure(rec(data, "error") ?? data, data));
      default:
        return [];
    }
  }

  private complete(data: JsonRecord): StreamDelta[] {
    const response = rec(data, "response");
    if (!response) {
      return this.fail({
        retriable: true,
        status: null,
        message: `${str(data, "type")} event without a response object`,
      });
    }
    this.final = response;
    this.terminate();
    return [usageDelta(this.format, response)];
  }

  protected build(): AssembledStream {
    return { ok: true, json: this.final };
  }
}
