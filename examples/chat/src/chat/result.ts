import type { ChatConfig } from "../config.js";
import type { ChatRequest } from "../store/types.js";
import { runUrl } from "./deps.js";

/**
 * `GET /api/v1/chat/result/:id` (ARCHITECTURE §3): `{"status":"pending"}`,
 * `{"status":"done","content":…}` (plus sources and metadata) or `{"status":"error","error":…}`.
 */
export type ResultView =
  | { status: "pending" }
  | { status: "error"; error: string }
  | {
      status: "done";
      content: string;
      sources: ChatRequest["sources"];
      request_id: string;
      conversation_id: string;
      mode: ChatRequest["mode"];
      model: string | null;
      usage: ChatRequest["usage"];
      run_id: string | null;
      run_url: string | null;
      latency_ms: { total: number | null; first_token: number | null };
    };

export function resultView(config: ChatConfig, request: ChatRequest): ResultView {
  if (request.status === "pending") return { status: "pending" };
  if (request.status === "error")
    return { status: "error", error: request.error ?? "The request failed for an unknown reason." };
  return {
    status: "done",
    content: request.content ?? "",
    sources: request.sources,
    request_id: request.id,
    conversation_id: request.conversation_id,
    mode: request.mode,
    model: request.model,
    usage: request.usage,
    run_id: request.run_id,
    run_url: runUrl(config, request.run_id),
    latency_ms: {
      total: request.completed_at === null ? null : request.completed_at - request.created_at,
      first_token: request.first_token_ms,
    },
  };
}

/** One turn as `GET /api/v1/conversations/:id` lists it. */
export function turnView(config: ChatConfig, request: ChatRequest) {
  return {
    request_id: request.id,
    mode: request.mode,
    query: request.query,
    status: request.status,
    content: request.content,
    error: request.error,
    sources: request.sources,
    model: request.model,
    usage: request.usage,
    run_id: request.run_id,
    run_url: runUrl(config, request.run_id),
    created_at: new Date(request.created_at).toISOString(),
    completed_at:
      request.completed_at === null ? null : new Date(request.completed_at).toISOString(),
    latency_ms: {
      total: request.completed_at === null ? null : request.completed_at - request.created_at,
      first_token: request.first_token_ms,
    },
  };
}
