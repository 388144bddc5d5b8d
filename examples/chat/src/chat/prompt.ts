import type { ChatPrompt, ChatTurn } from "../providers/types.js";
import { simulatedAnswer, withSimulatedReply } from "../providers/simulated.js";
import type { RetrievedChunk } from "../rag/types.js";
import type { ChatRequest } from "../store/types.js";

const INSTRUCTIONS = `You are Ingot Chat, the assistant of Ingot's demo: a durable-execution server for AI workloads that runs the official inngest SDK.
Answer the user's question. When the numbered context passages below are relevant, use them and cite them like [1] or [2]. If they do not contain the answer, say so briefly and answer from general knowledge. Be concise.`;

/** The system message: instructions, then the retrieved passages numbered as they are cited. */
export function systemPrompt(context: readonly RetrievedChunk[]): string {
  if (context.length === 0) return `${INSTRUCTIONS}\n\nNo context passages matched this question.`;
  const passages = context
    .map((chunk, i) => {
      const where = chunk.heading === "" ? chunk.title : `${chunk.title} › ${chunk.heading}`;
      return `[${i + 1}] ${where} (${chunk.source})\n${chunk.text}`;
    })
    .join("\n\n");
  return `${INSTRUCTIONS}\n\nContext:\n\n${passages}`;
}

/** Earlier turns that finished, as alternating user/assistant messages. */
export function historyTurns(turns: readonly ChatRequest[], currentId: string): ChatTurn[] {
  return turns
    .filter((turn) => turn.id !== currentId && turn.status === "done" && turn.content !== null)
    .flatMap((turn): ChatTurn[] => [
      { role: "user", content: turn.query },
      { role: "assistant", content: turn.content ?? "" },
    ]);
}

export function buildPrompt(input: {
  query: string;
  history: readonly ChatTurn[];
  context: readonly RetrievedChunk[];
  temperature: number | null;
  maxTokens: number | null;
  simulated: boolean;
}): ChatPrompt {
  const user = input.simulated
    ? withSimulatedReply(input.query, simulatedAnswer(input.query, input.context))
    : input.query;
  return {
    system: systemPrompt(input.context),
    turns: [...input.history, { role: "user", content: user }],
    temperature: input.temperature ?? undefined,
    maxTokens: input.maxTokens ?? undefined,
  };
}
