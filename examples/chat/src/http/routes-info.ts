import type { Hono } from "hono";
import { type ChatDeps, isSimulated } from "../chat/deps.js";

/** What the UI needs to describe the setup: above all, whether answers are simulated. */
export function infoRoute(app: Hono, deps: ChatDeps): void {
  app.get("/api/v1/info", async (c) => {
    await deps.retriever.refresh();
    const { config, provider } = deps;
    const simulated = isSimulated(deps);
    return c.json({
      simulated,
      notice: simulated
        ? "No model API key is set: answers come from the offline simulator (llm-sim), extracted from the documents. Set OPENROUTER_API_KEY (or another provider key) and restart for real answers."
        : null,
      provider: provider.id,
      model: provider.model,
      retrieval: config.embeddings.enabled ? "hybrid" : "bm25",
      embedding_model: config.embeddings.enabled ? (provider.embeddingModel ?? null) : null,
      indexed_chunks: deps.retriever.size,
      ingot_url: config.ingot.publicUrl,
      dashboard_url: config.ingot.publicUrl,
      modes: ["durable", "direct"],
      limits: {
        max_query_chars: config.limits.maxQueryChars,
        max_tokens: config.limits.maxTokens,
        rate_limit_per_minute: config.rateLimit.perMinute,
      },
    });
  });
}
