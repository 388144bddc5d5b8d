import { asArray, field, isRecord, num, parseJson, rec, str, type JsonRecord } from "../json.js";
import type { SseEvent } from "../sse.js";
import { BaseAssembler, failureFromErrorBody, usageDelta } from "./common.js";
import type { AssembledStream, StreamDelta, StreamFailure } from "./types.js";

function malformed(message: string): StreamFailure {
  return { retriable: true, status: null, message };
}

/** Blocks whose `input` streams as `input_json_delta` fragments. */
const JSON_INPUT_BLOCKS = new Set(["tool_use", "server_tool_use", "mcp_tool_use"]);

/**
 * Anthropic Messages events (ai-gateway.md §3.6) → a `message`: `message_start` gives the
 * envelope, `content_block_*` build the blocks (text concatenated, tool `input` parsed from its
 * `partial_json` fragments, thinking and signature deltas kept), `message_delta` sets
 * `stop_reason` and the final usage. Terminal marker: `message_stop`; `event: error` fails.
 */
export class AnthropicAssembler extends BaseAssembler {
  protected readonly marker = "event: message_stop";
  private message: JsonRecord | undefined;
  private readonly blocks = new Map<number, JsonRecord>();
  /** Accumulated `partial_json` of blocks whose input is still streaming. */
  private readonly partialJson = new Map<number, string>();

  constructor(private readonly format: string) {
    super();
  }

  protected handle(event: SseEvent): StreamDelta[] {
    const data = this.parseObject(event);
    if (!data) return [];
    switch (str(data, "type") ?? event.event) {
      case "message_start": {
        const message = rec(data, "message");
        if (!message) return this.malformed("message_start without a message");
        this.message = { ...message, content: [] };
        return [usageDelta(this.format, this.message)];
      }
      case "content_block_start":
        return this.blockStart(data);
      case "content_block_delta":
        return this.blockDelta(data);
      case "content_block_stop": {
        const problem = this.closeBlock(num(data, "index") ?? 0);
        return problem ? this.fail(problem) : [];
      }
      case "message_delta":
        return this.messageDelta(data);
      case "message_stop":
        this.terminate();
        return [];
      case "error":
        return this.fail(failureFromErrorBody(data));
      default:
        // `ping` and event types added after this was written.
        return [];
    }
  }

  private malformed(message: string): StreamDelta[] {
    return this.fail(malformed(message));
  }

  private blockStart(data: JsonRecord): StreamDelta[] {
    const index = num(data, "index") ?? this.blocks.size;
    const block = { ...(rec(data, "content_block") ?? { type: "text", text: "" }) };
    this.blocks.set(index, block);
    const type = str(block, "type") ?? "";
    if (JSON_INPUT_BLOCKS.has(type)) {
      this.partialJson.set(index, "");
      const delta: Extract<StreamDelta, { type: "tool_call" }> = { type: "tool_call", index };
      const id = str(block, "id");
      const name = str(block, "name");
      if (id !== undefined) delta.id = id;
      if (name !== undefined) delta.name = name;
      return [delta];
    }
    const text = str(block, "text");
    return type === "text" && text ? [{ type: "text", text }] : [];
  }

  private blockDelta(data: JsonRecord): StreamDelta[] {
    const index = num(data, "index") ?? 0;
    const block = this.blocks.get(index) ?? { type: "text", text: "" };
    this.blocks.set(index, block);
    const delta = rec(data, "delta");
    const append = (key: string, value: string | undefined): void => {
      if (value !== undefined) block[key] = (str(block, key) ?? "") + value;
    };
    switch (str(delta, "type")) {
      case "text_delta": {
        const text = str(delta, "text") ?? "";
        append("text", text);
        return text === "" ? [] : [{ type: "text", text }];
      }
      case "input_json_delta": {
        const fragment = str(delta, "partial_json") ?? "";
        this.partialJson.set(index, (this.partialJson.get(index) ?? "") + fragment);
        return fragment === "" ? [] : [{ type: "tool_call", index, argumentsDelta: fragment }];
      }
      case "thinking_delta":
        append("thinking", str(delta, "thinking"));
        return [];
      case "signature_delta":
        append("signature", str(delta, "signature"));
        return [];
      case "citations_delta": {
        block.citations = [...(asArray(block.citations) ?? []), field(delta, "citation")];
        return [];
      }
      default:
        return [];
    }
  }

  /** Parses a finished block's streamed input; an empty stream keeps the start's `input`. */
  private closeBlock(index: number): StreamFailure | undefined {
    const partial = this.partialJson.get(index);
    const block = this.blocks.get(index);
    this.partialJson.delete(index);
    if (partial === undefined || block === undefined || partial.trim() === "") return undefined;
    const input = parseJson(partial);
    if (input === undefined) {
      return malformed(`tool input of content block ${index} is not valid JSON: ${partial}`);
    }
    block.input = input;
    return undefined;
  }

  private messageDelta(data: JsonRecord): StreamDelta[] {
    if (!this.message) return this.malformed("message_delta before message_start");
    const message = this.message;
    Object.assign(message, rec(data, "delta") ?? {});
    const usage = rec(data, "usage");
    if (usage) {
      const merged: JsonRecord = { ...(rec(message, "usage") ?? {}) };
      for (const [key, value] of Object.entries(usage)) {
        if (value !== null && value !== undefined) merged[key] = value;
      }
      message.usage = merged;
    }
    return [usageDelta(this.format, message)];
  }

  protected build(): AssembledStream {
    if (!isRecord(this.message)) {
      return { ok: false, error: malformed("stream had no message_start") };
    }
    for (const index of [...this.partialJson.keys()]) {
      const problem = this.closeBlock(index);
      if (problem) return { ok: false, error: problem };
    }
    const content = [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
    return { ok: true, json: { ...this.message, content } };
  }
}
