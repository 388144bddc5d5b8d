import { createHash } from "node:crypto";
import { newId } from "../ids.js";
import type { ChatStore, DocumentSummary } from "../store/types.js";
import { chunkText } from "./chunk.js";

/** Chunks a text or markdown document and stores it, replacing any document of the same source. */
export async function ingestDocument(input: {
  store: ChatStore;
  title: string;
  source: string;
  kind: "corpus" | "upload";
  content: string;
  now: number;
}): Promise<DocumentSummary> {
  const drafts = chunkText(input.content);
  await input.store.putDocument(
    {
      id: newId(),
      title: input.title,
      source: input.source,
      kind: input.kind,
      content_hash: contentHash(input.content),
      chars: input.content.length,
      created_at: input.now,
    },
    drafts.map((draft) => ({ id: newId(), ...draft })),
  );
  const stored = await input.store.getDocumentBySource(input.source);
  if (!stored) throw new Error(`document ${input.source} vanished right after it was stored`);
  return stored;
}

export function contentHash(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}
