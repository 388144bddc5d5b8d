/**
 * The offload test's app, in a process of its own as a deployed app is: one v4 function that
 * asks a model through `step.ai.infer`. Reports `{ open, finished }` to its parent over IPC
 * every 20 ms, and `{ url }` once it listens.
 */
import type { Server } from "node:http";
import { openai } from "@inngest/ai";
import express from "express";
import { Inngest } from "inngest";
import { serve } from "inngest/express";

const ingotUrl = process.env.OFFLOAD_INGOT_URL!;
const simUrl = process.env.OFFLOAD_SIM_URL!;
const send = (message: unknown): void => {
  process.send?.(message);
};

let open = 0;
let finished = 0;
const inngest = new Inngest({ id: "offload", isDev: true, baseUrl: ingotUrl });
const think = inngest.createFunction(
  { id: "think", triggers: [{ event: "offload/think" }] },
  async ({ event, step }) => {
    const answer = await step.ai.infer("think", {
      model: openai({ model: "gpt-4o-mini", apiKey: "sk-offload", baseUrl: `${simUrl}/v1/` }),
      body: { messages: [{ role: "user", content: `question ${String(event.data.n)}` }] },
    });
    finished++;
    return answer.choices[0]?.message.content;
  },
);

const app = express();
app.use(express.json());
const handler = serve({ client: inngest, functions: [think] });
app.use("/api/inngest", (req, res, next) => {
  open++;
  res.on("close", () => open--);
  handler(req, res, next);
});
const server: Server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  send({ url: `http://127.0.0.1:${port}/api/inngest` });
});
setInterval(() => send({ open, finished }), 20);
process.on("disconnect", () => process.exit(0));
