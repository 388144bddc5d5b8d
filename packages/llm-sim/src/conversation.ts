import { stripDirectives } from "./directives.js";
import { argsFromSchema } from "./schema-args.js";
import type { ResolvedBehaviour } from "./script.js";
import { clipToTokens, countTokens } from "./tokens.js";

/**
 * The dialect-neutral view of a chat request: each dialect parses its body into this, the
 * planner decides the reply from it, and the dialect renders the reply in its own shape.
 */
export interface ToolSpec {
  name: string;
  parameters: unknown;
}

export interface ToolResult {
  name: string | undefined;
  content: string;
}

export type ToolChoice =
  { kind: "auto" } | { kind: "none" } | { kind: "any" } | { kind: "named"; name: string };

export interface ChatRequest {
  model: string;
  stream: boolean;
  /** Text of the last user message. */
  userText: string;
  /** Tool results that arrived after the last user message. */
  toolResults: ToolResult[];
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  promptTokens: number;
  maxTokens: number | undefined;
}

export type Reply =
  | { kind: "text"; text: string; truncated: boolean; outputTokens: number }
  | { kind: "tool"; name: string; args: Record<string, unknown>; outputTokens: number };

/**
 * Decides what the model "says". A scripted rule's tool call always fires; a directive's or
 * the default's fires only while no tool result has arrived for the current user turn, and a
 * forced `tool_choice` likewise, so an agent loop ends after one tool round instead of
 * calling the tool forever.
 */
export function planReply(req: ChatRequest, resolved: ResolvedBehaviour): Reply {
  const { behaviour, source } = resolved;
  const pending = req.toolResults.length > 0;
  if (behaviour.tool && (source === "rule" || !pending)) {
    const { name, args } = behaviour.tool;
    return toolReply(name, args ?? schemaArgs(req, name));
  }
  if (behaviour.text !== undefined) return textReply(behaviour.text, req.maxTokens);
  if (pending) return textReply(toolResultText(req.toolResults), req.maxTokens);
  const forced = forcedTool(req);
  if (forced) return toolReply(forced, schemaArgs(req, forced));
  return textReply(`echo: ${stripDirectives(req.userText)}`, req.maxTokens);
}

function forcedTool(req: ChatRequest): string | undefined {
  const choice = req.toolChoice;
  if (choice.kind === "named") return choice.name;
  if (choice.kind === "any") return req.tools[0]?.name;
  return undefined;
}

function schemaArgs(req: ChatRequest, name: string): Record<string, unknown> {
  const tool = req.tools.find((t) => t.name === name);
  return tool ? argsFromSchema(tool.parameters) : {};
}

function toolReply(name: string, args: Record<string, unknown>): Reply {
  return { kind: "tool", name, args, outputTokens: Math.max(1, countTokens(JSON.stringify(args))) };
}

function textReply(text: string, maxTokens: number | undefined): Reply {
  const tokens = countTokens(text);
  if (maxTokens !== undefined && tokens > maxTokens) {
    return {
      kind: "text",
      text: clipToTokens(text, maxTokens),
      truncated: true,
      outputTokens: maxTokens,
    };
  }
  return { kind: "text", text, truncated: false, outputTokens: Math.max(1, tokens) };
}

function toolResultText(results: readonly ToolResult[]): string {
  const parts = results.map((r) => (r.name ? `${r.name}: ${r.content}` : r.content));
  return `tool result: ${parts.join("\n")}`;
}
