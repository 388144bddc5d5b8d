import type { Hono, MiddlewareHandler } from "hono";
import { turnView } from "../chat/result.js";
import type { ChatDeps } from "../chat/deps.js";
import type { ChatService } from "../chat/service.js";
import { ChatError, ErrorCode } from "../errors.js";
import { toSources } from "../rag/types.js";
import { readDocumentUpload } from "./upload.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** Conversations (history), documents (RAG corpus), retrieval preview and per-path stats. */
export function libraryRoutes(
  app: Hono,
  deps: ChatDeps,
  service: ChatService,
  limit: MiddlewareHandler,
): void {
  const { store, config } = deps;

  app.get("/api/v1/conversations", async (c) => {
    const limitParam = Number(c.req.query("limit") ?? 50);
    const n = Number.isInteger(limitParam) && limitParam > 0 ? Math.min(limitParam, 500) : 50;
    const rows = await store.listConversations(n);
    return c.json({
      data: rows.map((row) => ({
        ...row,
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
      })),
    });
  });

  app.get("/api/v1/conversations/:id", async (c) => {
    const id = c.req.param("id");
    const conversation = await store.getConversation(id);
    if (!conversation) throw new ChatError(ErrorCode.notFound, `no conversation with id "${id}"`);
    const turns = await store.turns(id);
    return c.json({
      id: conversation.id,
      title: conversation.title,
      created_at: iso(conversation.created_at),
      updated_at: iso(conversation.updated_at),
      turns: turns.map((turn) => turnView(config, turn)),
    });
  });

  app.delete("/api/v1/conversations/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await store.deleteConversation(id)))
      throw new ChatError(ErrorCode.notFound, `no conversation with id "${id}"`);
    return c.body(null, 204);
  });

  app.get("/api/v1/documents", async (c) => {
    const rows = await store.listDocuments();
    return c.json({ data: rows.map((row) => ({ ...row, created_at: iso(row.created_at) })) });
  });

  app.post("/api/v1/documents", limit, async (c) => {
    const upload = await readDocumentUpload(c.req.raw, config.limits.maxDocumentBytes);
    const document = await service.addDocument(upload);
    return c.json({ data: { ...document, created_at: iso(document.created_at) } }, 201);
  });

  app.delete("/api/v1/documents/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await store.deleteDocument(id)))
      throw new ChatError(ErrorCode.notFound, `no document with id "${id}"`);
    return c.body(null, 204);
  });

  // Lexical preview of what a question retrieves (no embedding call: free and instant).
  app.get("/api/v1/search", async (c) => {
    const q = c.req.query("q")?.trim() ?? "";
    if (q === "") throw new ChatError(ErrorCode.invalidRequest, "q: expected a non-empty query");
    const k = Math.min(Math.max(Number(c.req.query("k") ?? config.topK) || config.topK, 1), 20);
    return c.json({ data: toSources(await deps.retriever.search(q, null, k)) });
  });

  app.get("/api/v1/stats", async (c) => c.json({ data: await store.stats() }));
}
