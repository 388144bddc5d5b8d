import { NonRetriableError } from "inngest";
import { z } from "zod";
import { DOCUMENT_INDEXED, type ChatDeps } from "../chat/deps.js";
import { EMBEDDING_BATCH } from "../providers/embeddings.js";
import { embedThroughIngot } from "./embed-query.js";
import { retryCount } from "./client.js";

const DocumentIndexed = z.object({ document_id: z.string().min(1) });

/**
 * `app/document.indexed` → embeddings for the document's chunks, a batch per `step.fetch`
 * through Ingot's gateway, then saved. Uploads answer at once with lexical retrieval; vectors
 * join the ranking when this run finishes, and a failed batch is retried without redoing the
 * ones already embedded.
 */
export function embedDocumentFunction(deps: ChatDeps) {
  const { inngest, store, config } = deps;
  return inngest.createFunction(
    {
      id: "embed-document",
      name: "Embed a document for retrieval",
      retries: retryCount(config.retries),
      triggers: [{ event: DOCUMENT_INDEXED }],
    },
    async ({ event, step }) => {
      const parsed = DocumentIndexed.safeParse(event.data);
      if (!parsed.success)
        throw new NonRetriableError(`${DOCUMENT_INDEXED}: expected {"document_id": "..."}`);
      const model = deps.provider.embeddingModel;
      if (!config.embeddings.enabled || model === undefined)
        return { embedded: 0, skipped: "embeddings are off" };
      const chunks = await step.run("load-chunks", () =>
        store.chunksToEmbed(parsed.data.document_id, model),
      );
      for (let from = 0; from < chunks.length; from += EMBEDDING_BATCH) {
        const batch = chunks.slice(from, from + EMBEDDING_BATCH);
        const vectors = await embedThroughIngot(
          step,
          deps,
          batch.map((c) => c.text),
          "document",
        );
        await step.run(`save-vectors-${from / EMBEDDING_BATCH}`, () =>
          store.setEmbeddings(
            model,
            batch.map((chunk, i) => ({ chunkId: chunk.id, vector: vectors[i] ?? [] })),
          ),
        );
      }
      return { embedded: chunks.length, model };
    },
  );
}
