import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ChatStore } from "../store/types.js";
import { contentHash, ingestDocument } from "./ingest.js";

/**
 * The demo's built-in corpus: the project's own documentation, so the chat answers questions
 * about Ingot out of the box. Seeding is idempotent (by content hash) and runs at every boot, so
 * edited docs are re-indexed and unchanged ones cost one hash each.
 */
async function corpusFiles(root: string): Promise<string[]> {
  const files = [join(root, "README.md")];
  const listing = async (dir: string, pick: (name: string) => string | undefined) => {
    try {
      for (const name of (await readdir(dir)).sort()) {
        const file = pick(name);
        if (file) files.push(join(dir, file));
      }
    } catch {
      // A missing folder just contributes nothing (e.g. a trimmed checkout).
    }
  };
  await listing(join(root, "docs"), (name) => (name.endsWith(".md") ? name : undefined));
  await listing(join(root, "packages"), (name) => join(name, "README.md"));
  await listing(join(root, "examples"), (name) => join(name, "README.md"));
  return files;
}

function titleOf(path: string, content: string): string {
  const heading = /^#\s+(.+)$/mu.exec(content)?.[1]?.trim();
  return heading ?? basename(path);
}

export interface SeedResult {
  documents: number;
  /** Documents (re)indexed this time; the ids need embeddings when those are on. */
  changed: string[];
}

export async function seedCorpus(input: {
  store: ChatStore;
  root: string;
  now: number;
}): Promise<SeedResult> {
  const changed: string[] = [];
  let documents = 0;
  for (const file of await corpusFiles(input.root)) {
    let content: string;
    try {
      content = await readFile(file, "utf8");
    } catch {
      continue;
    }
    documents++;
    const source = relative(input.root, file);
    const existing = await input.store.getDocumentBySource(source);
    if (existing?.content_hash === contentHash(content)) continue;
    const stored = await ingestDocument({
      store: input.store,
      title: titleOf(file, content),
      source,
      kind: "corpus",
      content,
      now: input.now,
    });
    changed.push(stored.id);
  }
  return { documents, changed };
}
