import { z } from "zod";
import type { ChatDeps } from "../chat/deps.js";
import { APP_ID } from "./client.js";
import { ChatRequested } from "./chat-function.js";

/** `inngest/function.cancelled` as Ingot emits it for a run of the chat function. */
const Cancelled = z.object({
  function_id: z.string(),
  event: z.object({ data: z.unknown() }),
  error: z.object({ message: z.string() }).partial().optional(),
});

/**
 * A cancelled chat run (from the dashboard, the REST API or a `cancelOn`) ends its request with a
 * readable error, so the result endpoint never says "pending" for ever and the stream ends.
 * Ingot emits `inngest/function.cancelled` when a run is cancelled; `onFailure` only sees
 * failures.
 */
export function chatCancelledFunction(deps: ChatDeps) {
  const { inngest, store } = deps;
  return inngest.createFunction(
    {
      id: "chat-cancelled",
      name: "Record a cancelled chat request",
      triggers: [
        {
          event: "inngest/function.cancelled",
          if: `event.data.function_id == "${APP_ID}-chat-answer"`,
        },
      ],
    },
    async ({ event, step }) => {
      const parsed = Cancelled.safeParse(event.data);
      const original = parsed.success ? ChatRequested.safeParse(parsed.data.event.data) : undefined;
      if (!original?.success) return { recorded: false };
      const reason = parsed.success ? parsed.data.error?.message : undefined;
      const recorded = await step.run("record-cancellation", () =>
        store.failRequest({
          id: original.data.request_id,
          error: `The request was cancelled${reason ? ` (${reason})` : ""}.`,
          completedAt: deps.now(),
        }),
      );
      return { recorded };
    },
  );
}
