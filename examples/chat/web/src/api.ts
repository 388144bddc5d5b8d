import { z } from "zod";

/** The chat backend's API as the UI uses it (see examples/chat/README.md), parsed with zod. */
export const Mode = z.enum(["durable", "direct", "agent"]);
export type Mode = z.infer<typeof Mode>;

const Source = z.object({
  n: z.number(),
  document_id: z.string(),
  title: z.string(),
  source: z.string(),
  heading: z.string(),
  snippet: z.string(),
  score: z.number(),
  via: z.array(z.string()),
});
export type Source = z.infer<typeof Source>;

const Info = z.object({
  simulated: z.boolean(),
  notice: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  retrieval: z.enum(["bm25", "hybrid"]),
  embedding_model: z.string().nullable(),
  indexed_chunks: z.number(),
  dashboard_url: z.string(),
  limits: z.object({ max_query_chars: z.number() }),
});
export type Info = z.infer<typeof Info>;

const ConversationSummary = z.object({
  id: z.string(),
  title: z.string(),
  turns: z.number(),
  updated_at: z.string(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

const Latency = z.object({ total: z.number().nullable(), first_token: z.number().nullable() });

const TurnData = z.object({
  request_id: z.string(),
  mode: Mode,
  query: z.string(),
  status: z.enum(["pending", "done", "error"]),
  content: z.string().nullable(),
  error: z.string().nullable(),
  sources: z.array(Source),
  model: z.string().nullable(),
  run_url: z.string().nullable(),
  latency_ms: Latency,
});
export type TurnData = z.infer<typeof TurnData>;

const Conversation = z.object({ id: z.string(), title: z.string(), turns: z.array(TurnData) });

const DocumentSummary = z.object({
  id: z.string(),
  title: z.string(),
  source: z.string(),
  kind: z.enum(["corpus", "upload"]),
  chunks: z.number(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

const ModeStats = z.object({
  mode: Mode,
  total: z.number(),
  done: z.number(),
  errors: z.number(),
  avg_total_ms: z.number().nullable(),
  avg_first_token_ms: z.number().nullable(),
});
export type ModeStats = z.infer<typeof ModeStats>;

export const Result = z.discriminatedUnion("status", [
  z.object({ status: z.literal("pending") }),
  z.object({ status: z.literal("error"), error: z.string() }),
  z.object({
    status: z.literal("done"),
    content: z.string(),
    sources: z.array(Source),
    model: z.string().nullable(),
    run_url: z.string().nullable(),
    latency_ms: Latency,
  }),
]);
export type Result = z.infer<typeof Result>;

const RealtimeToken = z.object({
  channel: z.string(),
  topics: z.array(z.string()),
  key: z.string(),
  apiBaseUrl: z.string(),
});

const Accepted = z.object({ request_id: z.string(), conversation_id: z.string() });
const Meta = z.object({ run_url: z.string().nullable() });
const Delta = z.object({ text: z.string() });
const Reset = z.object({ reason: z.string() });
const ErrorBody = z.object({ error: z.string() });

export class ApiError extends Error {}

async function call<T>(schema: z.ZodType<T>, path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("The chat server is unreachable. Is `npm start` still running?");
  }
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = ErrorBody.safeParse(body);
    throw new ApiError(
      error.success ? error.data.error : `The chat server answered HTTP ${response.status}.`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(`Unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? ""}`);
  return parsed.data;
}

/** Parses an SSE message's JSON data; a malformed one is ignored rather than trusted. */
function data<T>(schema: z.ZodType<T>, event: Event): T | undefined {
  if (!(event instanceof MessageEvent) || typeof event.data !== "string") return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(event.data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const list = <T>(item: z.ZodType<T>) => z.object({ data: z.array(item) }).transform((r) => r.data);
const one = <T>(item: z.ZodType<T>) => z.object({ data: item }).transform((r) => r.data);

export const api = {
  info: () => call(Info, "/api/v1/info"),
  conversations: () => call(list(ConversationSummary), "/api/v1/conversations"),
  conversation: (id: string) =>
    call(Conversation, `/api/v1/conversations/${encodeURIComponent(id)}`),
  deleteConversation: (id: string) =>
    call(z.null(), `/api/v1/conversations/${encodeURIComponent(id)}`, { method: "DELETE" }),
  documents: () => call(list(DocumentSummary), "/api/v1/documents"),
  upload: (file: File) => {
    const form = new FormData();
    form.append("file", file);
    return call(one(DocumentSummary), "/api/v1/documents", { method: "POST", body: form });
  },
  stats: () => call(list(ModeStats), "/api/v1/stats"),
  send: (body: { query: string; mode: Mode; clean: boolean; conversation_id?: string }) =>
    call(Accepted, "/api/v1/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  /** A Realtime subscription token for an agent request's channel, or its run's. */
  realtimeToken: (id: string, channel: "agent" | "run") =>
    call(RealtimeToken, `/api/v1/chat/${encodeURIComponent(id)}/realtime-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel }),
    }),
  result: (id: string, waitSeconds: number) =>
    call(Result, `/api/v1/chat/result/${encodeURIComponent(id)}?wait=${waitSeconds}`),
};

export interface StreamHandlers {
  onMeta(meta: { run_url: string | null }): void;
  onDelta(text: string): void;
  onReset(reason: string): void;
  onDone(result: Result): void;
}

/**
 * Follows `GET /api/v1/chat/stream/:id`. EventSource reconnects by itself (with Last-Event-ID,
 * which the server resumes from); if the stream still breaks, the result endpoint's long poll
 * finishes the job.
 */
export function followStream(requestId: string, handlers: StreamHandlers): () => void {
  const source = new EventSource(`/api/v1/chat/stream/${requestId}`);
  let finished = false;
  let failures = 0;
  const finish = (result: Result) => {
    if (finished) return;
    finished = true;
    source.close();
    handlers.onDone(result);
  };
  source.addEventListener("meta", (e) => {
    const meta = data(Meta, e);
    if (meta) handlers.onMeta(meta);
  });
  source.addEventListener("delta", (e) => {
    failures = 0;
    const delta = data(Delta, e);
    if (delta) handlers.onDelta(delta.text);
  });
  source.addEventListener("reset", (e) => {
    const reset = data(Reset, e);
    if (reset) handlers.onReset(reset.reason);
  });
  source.addEventListener("done", (e) => {
    const result = data(Result, e);
    if (!result || result.status === "pending") void poll();
    else finish(result);
  });
  source.onerror = () => {
    if (finished || ++failures < 3) return;
    void poll();
  };
  async function poll(): Promise<void> {
    source.close();
    while (!finished) {
      try {
        const result = await api.result(requestId, 20);
        if (result.status !== "pending") finish(result);
      } catch (error) {
        finish({ status: "error", error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return () => {
    finished = true;
    source.close();
  };
}
