import { useRealtime } from "inngest/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { z } from "zod";
import { api, Result } from "../api.js";

/** What an agent request's stream tells the page. */
export interface AgentHandlers {
  /** A token of the model's answer (live, from Ingot's gateway). */
  onDelta(text: string): void;
  /** A model call starts over (a new round, or a retry): its text replaces what was shown. */
  onRestart(): void;
  onToolCall(call: { id: string; name: string; args: unknown }): void;
  onRunUrl(runId: string): void;
  onDone(result: Result): void;
}

/** AgentKit's streaming chunk (`AgentMessageChunk`), as far as the page reads it. */
const Chunk = z.object({
  event: z.string(),
  id: z.string(),
  sequenceNumber: z.number(),
  data: z.record(z.string(), z.unknown()),
});
const ToolPart = z.object({
  partId: z.string(),
  type: z.literal("tool-call"),
  metadata: z.object({ toolName: z.string() }),
  finalContent: z.unknown().optional(),
});
const Status = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run"), run_id: z.string() }),
  z.object({ type: z.literal("result"), result: Result }),
]);
const RunData = z.object({ seq: z.number(), text: z.string().optional() });

interface Message {
  topic?: string;
  data: unknown;
}

/**
 * Follows one agent request over Inngest Realtime with the official React hook (`useRealtime`
 * from `inngest/react`), no polling: the request's channel (`chat:<id>`: AgentKit's events and
 * the saved result), and, once the run id is announced there, the run's own channel
 * (`run:<id>`: the tokens Ingot's gateway streams while the model writes). Tokens come from the
 * chat server, scoped to this request; messages seen twice (a reconnect replays) are skipped.
 */
export function AgentStream(props: { requestId: string; handlers: AgentHandlers }) {
  const { requestId, handlers } = props;
  const [runId, setRunId] = useState<string | null>(null);
  const agentToken = useCallback(() => api.realtimeToken(requestId, "agent"), [requestId]);
  const runToken = useCallback(() => api.realtimeToken(requestId, "run"), [requestId]);
  const agent = useRealtime({
    token: agentToken,
    key: `agent:${requestId}`,
    historyLimit: null,
    pauseOnHidden: false,
    autoCloseOnTerminal: false,
  });
  const run = useRealtime({
    token: runToken,
    key: `run:${requestId}`,
    enabled: runId !== null,
    historyLimit: null,
    pauseOnHidden: false,
  });
  const seen = useRef(new Set<string>());
  const agentRead = useRef(0);
  const runRead = useRef(0);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    const all = agent.messages.all as Message[];
    for (const message of all.slice(agentRead.current)) {
      if (message.topic === "status") {
        const status = Status.safeParse(message.data);
        if (!status.success) continue;
        if (status.data.type === "run") {
          setRunId(status.data.run_id);
          handlersRef.current.onRunUrl(status.data.run_id);
        } else handlersRef.current.onDone(status.data.result);
        continue;
      }
      const chunk = Chunk.safeParse(message.data);
      if (!chunk.success || seen.current.has(`a${chunk.data.id}`)) continue;
      seen.current.add(`a${chunk.data.id}`);
      const part = ToolPart.safeParse(chunk.data.data);
      if (chunk.data.event === "part.completed" && part.success) {
        handlersRef.current.onToolCall({
          id: part.data.partId,
          name: part.data.metadata.toolName,
          args: part.data.finalContent ?? null,
        });
      }
    }
    agentRead.current = all.length;
  }, [agent.messages.all]);

  useEffect(() => {
    const all = run.messages.all as Message[];
    for (const message of all.slice(runRead.current)) {
      const data = RunData.safeParse(message.data);
      if (!data.success || seen.current.has(`r${data.data.seq}`)) continue;
      seen.current.add(`r${data.data.seq}`);
      if (message.topic === "ai.start") handlersRef.current.onRestart();
      else if (message.topic === "delta" && data.data.text)
        handlersRef.current.onDelta(data.data.text);
    }
    runRead.current = all.length;
  }, [run.messages.all]);

  return null;
}
