import { isRecord } from "../api/decode";

/** A chat message of a model request, as plain text for display. */
export interface PromptMessage {
  role: string;
  text: string;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map(textOf).filter(Boolean).join("\n");
  if (!isRecord(content)) return content === undefined || content === null ? "" : String(content);
  if (typeof content.text === "string") return content.text;
  if (content.content !== undefined) return textOf(content.content);
  if (Array.isArray(content.parts)) return textOf(content.parts);
  return JSON.stringify(content);
}

function messagesOf(list: unknown, roleKey = "role"): PromptMessage[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((message) => ({
    role: typeof message[roleKey] === "string" ? message[roleKey] : "user",
    text: textOf(message.content ?? message.parts ?? message),
  }));
}

/**
 * The prompt of a request body in any provider format the gateway speaks: OpenAI chat and
 * Anthropic `messages` (with `system`), OpenAI Responses `input`/`instructions`, Gemini
 * `contents`/`systemInstruction`. `undefined` when the body is none of these (shown as JSON).
 */
export function promptMessages(request: unknown): PromptMessage[] | undefined {
  if (!isRecord(request)) return undefined;
  const system: PromptMessage[] = [];
  const instructions = request.system ?? request.instructions ?? request.systemInstruction;
  if (instructions !== undefined) system.push({ role: "system", text: textOf(instructions) });
  if (Array.isArray(request.messages)) return [...system, ...messagesOf(request.messages)];
  if (Array.isArray(request.contents)) return [...system, ...messagesOf(request.contents)];
  if (typeof request.input === "string") return [...system, { role: "user", text: request.input }];
  if (Array.isArray(request.input)) return [...system, ...messagesOf(request.input)];
  if (typeof request.prompt === "string")
    return [...system, { role: "user", text: request.prompt }];
  return undefined;
}
