import type { AgentMessageChunk } from "@inngest/agent-kit";
import { channel, staticSchema } from "inngest/realtime";
import type { ResultView } from "../chat/result.js";

/** The event that starts the agent path (`mode: "agent"`). */
export const AGENT_REQUESTED = "app/chat.agent.requested";

/** What the agent function says about itself on its channel, besides AgentKit's events. */
export type AgentStatus = { type: "run"; run_id: string } | { type: "result"; result: ResultView };

/**
 * One Realtime channel per agent request, `chat:<request id>`: `agent` carries AgentKit's
 * streaming events (run, parts, text and tool-call deltas), `status` the run id and the saved
 * result. The page subscribes with a token the chat mints for exactly this channel.
 */
export const agentChannel = channel({
  name: (requestId: string) => `chat:${requestId}`,
  topics: {
    agent: { schema: staticSchema<AgentMessageChunk & Record<string, unknown>>() },
    status: { schema: staticSchema<AgentStatus & Record<string, unknown>>() },
  },
});
