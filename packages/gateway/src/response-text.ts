import { wireFamily, WireFamily } from "./formats.js";
import { field, list, rec, records, str, type JsonRecord } from "./json.js";

/** A tool call in any format, with OpenAI's convention of arguments as a JSON string. */
export interface ToolCallSummary {
  id: string | null;
  name: string;
  arguments: string;
}

interface Reader {
  text(json: unknown): string;
  stopReason(json: unknown): string | null;
  toolCalls(json: unknown): ToolCallSummary[];
}

function firstChoice(json: unknown): JsonRecord | undefined {
  return records(list(json, "choices"))[0];
}

function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return records(content)
    .map((part) => str(part, "text") ?? "")
    .join("");
}

const openaiChat: Reader = {
  text(json) {
    const message = rec(firstChoice(json), "message");
    const text = partsText(field(message, "content"));
    return text !== "" ? text : (str(message, "refusal") ?? "");
  },
  stopReason: (json) => str(firstChoice(json), "finish_reason") ?? null,
  toolCalls: (json) =>
    records(list(rec(firstChoice(json), "message"), "tool_calls")).flatMap((call) => {
      const fn = rec(call, "function");
      const name = str(fn, "name");
      if (name === undefined) return [];
      return [{ id: str(call, "id") ?? null, name, arguments: str(fn, "arguments") ?? "" }];
    }),
};

function outputItems(json: unknown, type: string): JsonRecord[] {
  return records(list(json, "output")).filter((item) => item.type === type);
}

const openaiResponses: Reader = {
  text: (json) =>
    outputItems(json, "message")
      .flatMap((item) => records(list(item, "content")))
      .map((part) => str(part, "text") ?? str(part, "refusal") ?? "")
      .join(""),
  // The Responses API has no finish reason: `status`, or why it is incomplete.
  stopReason(json) {
    const status = str(json, "status");
    if (status === "incomplete") return str(rec(json, "incomplete_details"), "reason") ?? status;
    return status ?? null;
  },
  toolCalls: (json) =>
    outputItems(json, "function_call").flatMap((item) => {
      const name = str(item, "name");
      if (name === undefined) return [];
      return [{ id: str(item, "call_id") ?? null, name, arguments: str(item, "arguments") ?? "" }];
    }),
};

function blocks(json: unknown, type: string): JsonRecord[] {
  return records(list(json, "content")).filter((block) => block.type === type);
}

const anthropic: Reader = {
  text: (json) =>
    blocks(json, "text")
      .map((block) => str(block, "text") ?? "")
      .join(""),
  stopReason: (json) => str(json, "stop_reason") ?? null,
  toolCalls: (json) =>
    blocks(json, "tool_use").flatMap((block) => {
      const name = str(block, "name");
      if (name === undefined) return [];
      return [{ id: str(block, "id") ?? null, name, arguments: JSON.stringify(block.input ?? {}) }];
    }),
};

function geminiParts(json: unknown): JsonRecord[] {
  const candidate = records(list(json, "candidates"))[0];
  return records(list(rec(candidate, "content"), "parts"));
}

const gemini: Reader = {
  // Thought summaries (`thought: true`) are not the answer.
  text: (json) =>
    geminiParts(json)
      .filter((part) => part.thought !== true)
      .map((part) => str(part, "text") ?? "")
      .join(""),
  stopReason(json) {
    const candidate = records(list(json, "candidates"))[0];
    // A blocked prompt has no candidates, only `promptFeedback.blockReason`.
    return (
      str(candidate, "finishReason") ?? str(rec(json, "promptFeedback"), "blockReason") ?? null
    );
  },
  toolCalls: (json) =>
    geminiParts(json).flatMap((part) => {
      const call = rec(part, "functionCall");
      const name = str(call, "name");
      if (name === undefined) return [];
      return [
        { id: str(call, "id") ?? null, name, arguments: JSON.stringify(field(call, "args") ?? {}) },
      ];
    }),
};

/** Bedrock Converse (`output.message.content`, `stopReason`), else InvokeModel's Anthropic body. */
const bedrock: Reader = {
  text(json) {
    const message = rec(rec(json, "output"), "message");
    return message ? partsText(field(message, "content")) : anthropic.text(json);
  },
  stopReason: (json) => str(json, "stopReason") ?? anthropic.stopReason(json),
  toolCalls(json) {
    const message = rec(rec(json, "output"), "message");
    if (!message) return anthropic.toolCalls(json);
    return records(list(message, "content")).flatMap((block) => {
      const use = rec(block, "toolUse");
      const name = str(use, "name");
      if (name === undefined) return [];
      return [
        {
          id: str(use, "toolUseId") ?? null,
          name,
          arguments: JSON.stringify(field(use, "input") ?? {}),
        },
      ];
    });
  },
};

const READERS: { [F in WireFamily]: Reader } = {
  [WireFamily.openaiChat]: openaiChat,
  [WireFamily.openaiResponses]: openaiResponses,
  [WireFamily.anthropic]: anthropic,
  [WireFamily.gemini]: gemini,
  [WireFamily.bedrock]: bedrock,
};

/** Default length of a dashboard preview, in UTF-16 units. */
export const TEXT_PREVIEW_CHARS = 1000;

/**
 * The answer's text for a preview: the first choice (OpenAI), the `output_text` parts (Responses),
 * the text blocks (Anthropic), the first candidate's non-thought parts (Gemini). Longer text is
 * cut at `maxChars` and ends with `…`.
 */
export function extractText(
  format: string,
  json: unknown,
  maxChars: number = TEXT_PREVIEW_CHARS,
): string {
  const text = READERS[wireFamily(format)].text(json);
  if (text.length <= maxChars) return text;
  let cut = text.slice(0, maxChars);
  // Do not leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Why generation stopped, in the provider's own words: `finish_reason`, `stop_reason`,
 * `finishReason` (or a blocked prompt's `blockReason`), Responses `status` / incomplete reason.
 */
export function extractStopReason(format: string, json: unknown): string | null {
  return READERS[wireFamily(format)].stopReason(json);
}

export function extractToolCalls(format: string, json: unknown): ToolCallSummary[] {
  return READERS[wireFamily(format)].toolCalls(json);
}
