import { z } from "zod";
import type { TokenUsage } from "../providers/types.js";
import type { Source } from "../rag/types.js";
import type { ChatRequest, DocumentSummary, ModeStats } from "./types.js";

/**
 * Row parsers shared by both dialects. Postgres returns BIGINT and NUMERIC as strings, SQLite
 * booleans as 0/1, and JSON columns are text: everything read back is parsed, never cast.
 */
const num = z.coerce.number();
const numOrNull = z.union([z.null(), z.coerce.number()]);
const bool = z.union([z.boolean(), z.number().transform((n) => n !== 0)]);

const SourceSchema = z.object({
  n: z.number(),
  document_id: z.string(),
  chunk_id: z.string(),
  title: z.string(),
  source: z.string(),
  heading: z.string(),
  snippet: z.string(),
  score: z.number(),
  via: z.array(z.enum(["bm25", "vector"])),
});
const UsageSchema = z.object({ input_tokens: z.number(), output_tokens: z.number() });

const jsonText = <T>(schema: z.ZodType<T>) =>
  z.string().transform((text, ctx): T => {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    ctx.addIssue({
      code: "custom",
      message: `stored JSON does not match: ${parsed.error.message}`,
    });
    return z.NEVER;
  });

const RequestRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  mode: z.enum(["durable", "direct", "agent"]),
  query: z.string(),
  temperature: numOrNull,
  max_tokens: numOrNull,
  clean: bool,
  status: z.enum(["pending", "done", "error"]),
  content: z.string().nullable(),
  error: z.string().nullable(),
  sources: jsonText<Source[]>(z.array(SourceSchema)),
  usage: z.union([z.null(), jsonText<TokenUsage>(UsageSchema)]),
  model: z.string().nullable(),
  event_id: z.string().nullable(),
  run_id: z.string().nullable(),
  created_at: num,
  first_token_ms: numOrNull,
  completed_at: numOrNull,
});

export function requestRow(row: unknown): ChatRequest {
  return RequestRow.parse(row);
}

const ConversationRow = z.object({
  id: z.string(),
  title: z.string(),
  created_at: num,
  updated_at: num,
});
export const conversationRow = (row: unknown) => ConversationRow.parse(row);
export const conversationSummaryRow = (row: unknown) =>
  ConversationRow.extend({ turns: num }).parse(row);

const DocumentRow = z.object({
  id: z.string(),
  title: z.string(),
  source: z.string(),
  kind: z.enum(["corpus", "upload"]),
  content_hash: z.string(),
  chars: num,
  created_at: num,
  chunks: num,
  embedded_chunks: num,
});
export const documentRow = (row: unknown): DocumentSummary => DocumentRow.parse(row);

const StatsRow = z.object({
  mode: z.enum(["durable", "direct", "agent"]),
  total: num,
  done: num,
  errors: num,
  pending: num,
  avg_total_ms: numOrNull.transform((n) => (n === null ? null : Math.round(n))),
  avg_first_token_ms: numOrNull.transform((n) => (n === null ? null : Math.round(n))),
});
export const statsRow = (row: unknown): ModeStats => StatsRow.parse(row);

const ChunkRow = z.object({
  id: z.string(),
  document_id: z.string(),
  position: num,
  heading: z.string(),
  text: z.string(),
  title: z.string(),
  source: z.string(),
  embedding: z.instanceof(Uint8Array).nullable(),
});
export function chunkRow(row: unknown) {
  const r = ChunkRow.parse(row);
  return {
    id: r.id,
    documentId: r.document_id,
    position: r.position,
    heading: r.heading,
    text: r.text,
    title: r.title,
    source: r.source,
    vector: r.embedding ? decodeVector(r.embedding) : null,
  };
}

/** Vectors are stored as little-endian float32 (4 bytes a dimension). */
export function encodeVector(vector: readonly number[]): Buffer {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buffer.writeFloatLE(x, i * 4));
  return buffer;
}

export function decodeVector(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export const ToEmbedRow = z.object({ id: z.string(), text: z.string() });
export const VersionRow = z.object({ value: num });
export const MigrationRow = z.object({ id: num });
