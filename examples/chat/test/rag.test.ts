import { describe, expect, it } from "vitest";
import { cleanText } from "../src/lib/clean.js";
import { simulatedAnswer, withSimulatedReply } from "../src/providers/simulated.js";
import { Bm25Index } from "../src/rag/bm25.js";
import { chunkText } from "../src/rag/chunk.js";
import { seedCorpus } from "../src/rag/corpus.js";
import { Retriever } from "../src/rag/retriever.js";
import { stem, tokenize } from "../src/rag/tokenize.js";
import { SqliteChatStore } from "../src/store/sqlite.js";
import { tempDir } from "./helpers/ingot.js";

describe("tokenize and stem", () => {
  it.each([
    ["streams", "streaming", "streamed", "stream"],
    ["retries", "retried", "retry", "retrying"],
    ["queues", "queued", "queue", "queue"],
    ["embeddings", "embedding", "embedded", "embed"],
  ])("%s, %s, %s and %s share a stem", (...words) => {
    expect(new Set(words.map(stem)).size).toBe(1);
  });

  it("drops stop words and single characters, keeps identifiers and numbers", () => {
    expect(tokenize("How does the AI gateway stream step_ai tokens in 2 s?")).toEqual([
      "ai",
      "gateway",
      "stream",
      "step_ai",
      "token",
    ]);
    expect(tokenize("a kill -9 at port 8288")).toEqual(["kill", "port", "8288"]);
  });
});

describe("BM25", () => {
  it("ranks by term rarity and frequency, normalised by length", () => {
    const index = new Bm25Index();
    index.add("a", "durable execution with steps and retries");
    index.add("b", "the gateway streams tokens; streaming tokens to subscribers");
    index.add(
      "c",
      "tokens tokens tokens and many other unrelated words about cooking pasta recipes dinner",
    );
    index.add("d", "steps steps steps");
    const hits = index.search("streaming tokens", 10);
    expect(hits.map((h) => h.id)).toEqual(["b", "c"]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(index.search("retry", 10).map((h) => h.id)).toEqual(["a"]);
    expect(index.search("nothing matches", 10)).toEqual([]);
  });
});

describe("chunking", () => {
  it("cuts at headings, keeps the heading path, packs paragraphs and keeps code blocks whole", () => {
    const markdown = [
      "# Guide",
      "Intro paragraph.",
      "## Install",
      "Run this:",
      "```sh",
      "# not a heading",
      "npm install",
      "```",
      "### Details",
      "More text.",
      "## Use",
      "Last part.",
    ].join("\n");
    expect(chunkText(markdown)).toEqual([
      { position: 0, heading: "Guide", text: "Intro paragraph." },
      {
        position: 1,
        heading: "Guide › Install",
        text: "Run this:\n```sh\n# not a heading\nnpm install\n```",
      },
      { position: 2, heading: "Guide › Install › Details", text: "More text." },
      { position: 3, heading: "Guide › Use", text: "Last part." },
    ]);
  });

  it("splits a long section into chunks under the limit without losing words", () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i}`);
    const paragraphs = [words.slice(0, 300).join(" "), words.slice(300).join(" ")].join("\n\n");
    const chunks = chunkText(paragraphs, { maxChars: 500 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(500);
    expect(
      chunks
        .map((c) => c.text)
        .join(" ")
        .split(/\s+/),
    ).toEqual(words);
  });
});

describe("clean", () => {
  it("removes markdown and extra whitespace, keeping words, code and paragraph breaks", () => {
    expect(
      cleanText(
        "# Title\n\nSome **bold**, _em_ and `code`   here.\n\n\n\n> quoted\n\n1. first\n2. second\n\n```js\nconst x = 1;\n```\n[link](https://x.y) ![img](a.png)",
      ),
    ).toBe(
      "Title\n\nSome bold, em and code here.\n\nquoted\n\nfirst\nsecond\n\nconst x = 1;\n\nlink img",
    );
    expect(cleanText("| a | b |\n|---|---|\n| 1 | 2 |")).toBe("a b\n\n1 2");
  });
});

describe("retrieval over the project's docs", () => {
  it("finds the docs a question is about, at most two passages per document", async () => {
    const store = SqliteChatStore.open(tempDir("chat-rag-"));
    try {
      const seeded = await seedCorpus({
        store,
        root: new URL("../../..", import.meta.url).pathname,
        now: 1,
      });
      expect(seeded.documents).toBeGreaterThanOrEqual(5);
      expect(
        (await seedCorpus({ store, root: new URL("../../..", import.meta.url).pathname, now: 2 }))
          .changed,
      ).toEqual([]);
      const retriever = new Retriever({ store, embeddingModel: undefined, topK: 4 });
      const hits = await retriever.search(
        "How do I start Ingot in production mode with a signing key?",
        null,
      );
      expect(hits).toHaveLength(4);
      expect(hits.some((h) => h.source === "README.md" || h.source === "docs/api.md")).toBe(true);
      const perDocument = new Map<string, number>();
      for (const hit of hits)
        perDocument.set(hit.documentId, (perDocument.get(hit.documentId) ?? 0) + 1);
      expect(Math.max(...perDocument.values())).toBeLessThanOrEqual(2);
      expect(await retriever.search("zzzz qqqq", null)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("fuses lexical and vector rankings, and reloads when documents change", async () => {
    const store = SqliteChatStore.open(tempDir("chat-rag-"));
    try {
      const doc = (id: string, text: string) =>
        store.putDocument(
          {
            id,
            title: id,
            source: id,
            kind: "upload",
            content_hash: id,
            chars: text.length,
            created_at: 1,
          },
          [{ id: `${id}-0`, position: 0, heading: "", text }],
        );
      await doc("lexical", "the word alpha appears here");
      await doc("semantic", "nothing in common with the query words");
      await store.setEmbeddings("m", [
        { chunkId: "lexical-0", vector: [0, 1] },
        { chunkId: "semantic-0", vector: [1, 0] },
      ]);
      const retriever = new Retriever({ store, embeddingModel: "m", topK: 4 });
      const hits = await retriever.search("alpha", [1, 0]);
      expect(hits.map((h) => [h.documentId, h.via])).toEqual([
        ["lexical", ["bm25"]],
        ["semantic", ["vector"]],
      ]);
      await doc("later", "alpha again, added after the first search");
      expect((await retriever.search("alpha", null)).map((h) => h.documentId)).toContain("later");
    } finally {
      await store.close();
    }
  });
});

describe("simulated answers", () => {
  it("extracts the sentences that match the question and cites them", () => {
    const chunk = (text: string) => ({
      chunkId: "k",
      documentId: "d",
      title: "T",
      source: "s",
      heading: "",
      text,
      score: 1,
      via: ["bm25" as const],
    });
    const answer = simulatedAnswer("What does a kill -9 lose?", [
      chunk(
        "Unrelated sentence about dashboards and colours. A kill -9 loses nothing and re-runs at most one step.",
      ),
    ]);
    expect(answer).toMatch(/^\(Simulated answer/);
    expect(answer).toContain("A kill -9 loses nothing and re-runs at most one step. [1]");
    expect(answer).not.toContain("dashboards");
    expect(simulatedAnswer("hello", [])).toMatch(/found nothing/);
  });

  it("leaves a question that already carries a directive alone", () => {
    expect(withSimulatedReply("q [[sim: status=401]]", "x")).toBe("q [[sim: status=401]]");
    expect(withSimulatedReply("q", 'say "hi" ]]')).toBe('q\n\n[[sim: text="say \\"hi\\" ]]"]]');
  });
});
