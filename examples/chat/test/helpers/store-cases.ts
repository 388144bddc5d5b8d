import { describe, expect, it } from "vitest";
import type { ChatStore, NewRequest } from "../../src/store/types.js";

/**
 * One behaviour suite for every store implementation (STYLE.md §5): SQLite and Postgres must
 * answer the same way.
 */
export function storeCases(open: () => Promise<ChatStore>): void {
  const request = (id: string, over: Partial<NewRequest> = {}): NewRequest => ({
    id,
    conversation_id: "c1",
    mode: "durable",
    query: `question ${id}`,
    temperature: null,
    max_tokens: null,
    clean: false,
    created_at: 1_000,
    ...over,
  });
  const source = {
    n: 1,
    document_id: "d",
    chunk_id: "k",
    title: "T",
    source: "README.md",
    heading: "T › H",
    snippet: "s",
    score: 1.5,
    via: ["bm25" as const],
  };

  describe("requests and conversations", () => {
    it("creates the conversation on first use, keeps turns in order and settles each request once", async () => {
      const store = await open();
      try {
        await store.createRequest(
          request("r1", { temperature: 0.5, max_tokens: 100, clean: true }),
          "First",
        );
        await store.createRequest(
          request("r2", { created_at: 2_000, mode: "direct" }),
          "ignored: exists",
        );
        expect(await store.getConversation("c1")).toEqual({
          id: "c1",
          title: "First",
          created_at: 1_000,
          updated_at: 2_000,
        });
        expect(await store.getRequest("r1")).toMatchObject({
          status: "pending",
          temperature: 0.5,
          max_tokens: 100,
          clean: true,
          sources: [],
          usage: null,
          content: null,
        });
        await store.setRequestEvent("r1", "ev1");
        await store.setRequestRun("r1", "run1");
        await store.setFirstToken("r1", 120.4);
        await store.setFirstToken("r1", 999);
        const completion = {
          id: "r1",
          content: "answer",
          sources: [source],
          usage: { input_tokens: 10, output_tokens: 5 },
          model: "m",
          completedAt: 1_500,
        };
        expect(await store.completeRequest(completion)).toBe(true);
        expect(await store.completeRequest({ ...completion, content: "again" })).toBe(false);
        expect(await store.failRequest({ id: "r1", error: "late", completedAt: 1_600 })).toBe(
          false,
        );
        expect(await store.getRequest("r1")).toMatchObject({
          status: "done",
          content: "answer",
          sources: [source],
          usage: { input_tokens: 10, output_tokens: 5 },
          event_id: "ev1",
          run_id: "run1",
          first_token_ms: 120,
          completed_at: 1_500,
        });
        expect(await store.failRequest({ id: "r2", error: "boom", completedAt: 2_500 })).toBe(true);
        expect((await store.turns("c1")).map((t) => [t.id, t.status])).toEqual([
          ["r1", "done"],
          ["r2", "error"],
        ]);
        expect((await store.turns("c1", 1)).map((t) => t.id)).toEqual(["r2"]);
        expect(await store.listConversations(10)).toEqual([
          { id: "c1", title: "First", created_at: 1_000, updated_at: 2_000, turns: 2 },
        ]);
        const stats = await store.stats();
        expect(stats).toEqual([
          {
            mode: "direct",
            total: 1,
            done: 0,
            errors: 1,
            pending: 0,
            avg_total_ms: null,
            avg_first_token_ms: null,
          },
          {
            mode: "durable",
            total: 1,
            done: 1,
            errors: 0,
            pending: 0,
            avg_total_ms: 500,
            avg_first_token_ms: 120,
          },
        ]);
        expect(await store.deleteConversation("c1")).toBe(true);
        expect(await store.getRequest("r1")).toBeUndefined();
        expect(await store.deleteConversation("c1")).toBe(false);
      } finally {
        await store.close();
      }
    });

    it("fails every pending request of one mode (direct requests after a restart)", async () => {
      const store = await open();
      try {
        await store.createRequest(request("p1", { mode: "direct" }), "x");
        await store.createRequest(request("p2", { mode: "durable" }), "x");
        expect(
          await store.failPending({ mode: "direct", error: "interrupted", completedAt: 5 }),
        ).toBe(1);
        expect((await store.getRequest("p1"))?.status).toBe("error");
        expect((await store.getRequest("p2"))?.status).toBe("pending");
      } finally {
        await store.close();
      }
    });
  });

  describe("documents and chunks", () => {
    it("replaces a document by source, tracks embeddings per model and bumps the index version", async () => {
      const store = await open();
      try {
        const v0 = await store.indexVersion();
        const doc = {
          id: "d1",
          title: "Doc",
          source: "docs/a.md",
          kind: "corpus" as const,
          content_hash: "h1",
          chars: 10,
          created_at: 1,
        };
        await store.putDocument(doc, [
          { id: "k1", position: 0, heading: "A", text: "alpha" },
          { id: "k2", position: 1, heading: "A › B", text: "beta" },
        ]);
        expect(await store.indexVersion()).toBeGreaterThan(v0);
        expect(await store.getDocumentBySource("docs/a.md")).toMatchObject({
          id: "d1",
          chunks: 2,
          embedded_chunks: 0,
        });
        expect((await store.chunksToEmbed("d1", "m1")).map((c) => c.id)).toEqual(["k1", "k2"]);
        await store.setEmbeddings("m1", [{ chunkId: "k1", vector: [0.6, 0.8] }]);
        const chunks = await store.indexedChunks("m1");
        expect(chunks.map((c) => [c.id, c.title, c.source, c.heading])).toEqual([
          ["k1", "Doc", "docs/a.md", "A"],
          ["k2", "Doc", "docs/a.md", "A › B"],
        ]);
        expect(Array.from(chunks[0]!.vector!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
        expect(chunks[1]!.vector).toBeNull();
        // Vectors of another model are not used, and count as missing for it.
        expect((await store.indexedChunks("m2"))[0]!.vector).toBeNull();
        expect((await store.chunksToEmbed("d1", "m2")).map((c) => c.id)).toEqual(["k1", "k2"]);
        expect((await store.chunksToEmbed("d1", "m1")).map((c) => c.id)).toEqual(["k2"]);

        await store.putDocument({ ...doc, id: "d2", content_hash: "h2" }, [
          { id: "k3", position: 0, heading: "", text: "gamma" },
        ]);
        expect((await store.listDocuments()).map((d) => [d.id, d.chunks])).toEqual([["d2", 1]]);
        expect((await store.indexedChunks(undefined)).map((c) => c.id)).toEqual(["k3"]);
        const before = await store.indexVersion();
        expect(await store.deleteDocument("d2")).toBe(true);
        expect(await store.deleteDocument("d2")).toBe(false);
        expect(await store.indexVersion()).toBeGreaterThan(before);
        expect(await store.indexedChunks(undefined)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
