import type { Hono } from "hono";
import { getSubscriptionToken } from "inngest/realtime";
import { z } from "zod";
import type { ChatDeps } from "../chat/deps.js";
import type { ChatService } from "../chat/service.js";
import { agentChannel } from "../durable/agent-channel.js";
import { ChatError, describeError, ErrorCode } from "../errors.js";
import { parseBody, readJson } from "./schemas.js";

const TokenBody = z.object({
  channel: z.enum(["agent", "run"], { error: 'channel: expected "agent" or "run"' }),
});

/** The run channel's topics the page reads: Ingot's token deltas and the run's end. */
const RUN_TOPICS = ["ai.start", "delta", "ai.end", "run"];

/**
 * `POST /api/v1/chat/:requestId/realtime-token` `{channel: "agent" | "run"}` → a Realtime
 * subscription token (`{channel, topics, key, apiBaseUrl}`, what `useRealtime` takes) for one
 * agent request: its `chat:<id>` channel, or its run's `run:<run id>` channel. The chat holds
 * the signing key; the browser only ever gets a token scoped to its own request, valid for a
 * minute, pointing at Ingot's public URL.
 */
export function realtimeTokenRoute(app: Hono, deps: ChatDeps, service: ChatService): void {
  app.post("/api/v1/chat/:requestId/realtime-token", async (c) => {
    const request = await service.request(c.req.param("requestId"));
    if (request.mode !== "agent") {
      throw new ChatError(
        ErrorCode.invalidRequest,
        `request ${request.id} is not an agent request; its tokens stream at /api/v1/chat/stream/${request.id}`,
      );
    }
    const body = parseBody(TokenBody, await readJson(c.req.raw, 1024));
    if (body.channel === "run" && request.run_id === null)
      throw new ChatError(ErrorCode.notFound, `request ${request.id} has no run yet`);
    try {
      const token =
        body.channel === "agent"
          ? await getSubscriptionToken(deps.inngest, {
              channel: agentChannel(request.id),
              topics: ["agent", "status"],
            })
          : await getSubscriptionToken(deps.inngest, {
              channel: `run:${request.run_id}`,
              topics: RUN_TOPICS,
            });
      const channel = typeof token.channel === "string" ? token.channel : token.channel.name;
      return c.json({
        channel,
        topics: token.topics,
        key: token.key,
        apiBaseUrl: deps.config.ingot.publicUrl,
      });
    } catch (error) {
      throw new ChatError(
        ErrorCode.unavailable,
        `Ingot did not give a subscription token: ${describeError(error)}`,
        { cause: error },
      );
    }
  });
}
