import type { Server } from "node:http";
import { openai } from "@inngest/ai";
import express from "express";
import { Inngest } from "inngest";
import { serve } from "inngest/express";

/**
 * A small "shop" app on the official SDK (the shape of `tests/conformance/harness/app.ts`),
 * with one function per thing the dashboard shows: plain steps, a long sleep to cancel, a
 * flaky step that retries, a streamed `step.ai.infer` call, and flow-control configuration.
 */

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

export const SUMMARY =
  "The customer was charged twice for order 1042. Refund the duplicate charge and apologise.";

/** The key the app sends with its AI call; the dashboard must never show it. */
export const AI_KEY = "sk-dashboard-test-SECRET-9f3a";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDemoApp(input: { ingotUrl: string; simUrl: string }): Promise<DemoApp> {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  // The SDK logs every failed attempt; the flaky step fails on purpose, so keep the output clean.
  const inngest = new Inngest({ id: "shop", isDev: true, baseUrl: input.ingotUrl, logger: quiet });
  const attempts = new Map<string, number>();

  const functions = [
    inngest.createFunction(
      { id: "process-order", name: "Process order", triggers: [{ event: "shop/order.created" }] },
      async ({ event, step }) => {
        const order = await step.run("validate-order", async () => {
          await pause(150);
          return { id: String(event.data.orderId ?? "1042"), total: 129.5 };
        });
        await step.sleep("hold-for-fraud-check", "1s");
        const charge = await step.run("charge-card", async () => {
          await pause(250);
          return { chargeId: `ch_${order.id}`, amount: order.total };
        });
        await step.run("send-receipt", async () => {
          await pause(80);
          return { sent: true };
        });
        return { order: order.id, charge: charge.chargeId };
      },
    ),
    inngest.createFunction(
      {
        id: "onboarding-drip",
        name: "Onboarding drip",
        concurrency: { limit: 10, key: "event.data.userId" },
        cancelOn: [{ event: "user/deleted", if: "async.data.userId == event.data.userId" }],
        triggers: [{ event: "user/signed.up" }],
      },
      async ({ step }) => {
        await step.run("send-welcome", () => ({ template: "welcome" }));
        await step.sleep("wait-a-day", "1d");
        await step.run("send-tips", () => ({ template: "tips" }));
        return "done";
      },
    ),
    inngest.createFunction(
      {
        id: "sync-crm",
        name: "Sync CRM",
        retries: 3,
        throttle: { limit: 20, period: "1m" },
        triggers: [{ event: "crm/contact.updated" }],
      },
      async ({ event, step }) => {
        const key = String(event.id);
        await step.run("push-contact", () => {
          const n = (attempts.get(key) ?? 0) + 1;
          attempts.set(key, n);
          if (n < 3) throw new Error(`CRM answered 503 Service Unavailable (attempt ${n})`);
          return { pushed: true, attempts: n };
        });
        return { ok: true };
      },
    ),
    inngest.createFunction(
      {
        id: "summarize-ticket",
        name: "Summarize ticket",
        triggers: [{ event: "support/ticket.created" }],
      },
      async ({ event, step }) => {
        const ticket = await step.run("load-ticket", () => ({
          id: String(event.data.ticketId ?? "T-1"),
          body: "Hi, I was charged twice for order 1042. Can you fix this?",
        }));
        const answer = await step.ai.infer("summarize", {
          model: openai({ model: "gpt-4o-mini", apiKey: AI_KEY, baseUrl: `${input.simUrl}/v1/` }),
          body: {
            messages: [
              { role: "system", content: "Summarize support tickets in one or two sentences." },
              { role: "user", content: ticket.body },
            ],
            stream: true,
          } as never,
        });
        await step.run("save-summary", () => ({ saved: true }));
        return { ticket: ticket.id, summary: answer };
      },
    ),
    inngest.createFunction(
      { id: "nightly-report", name: "Nightly report", triggers: [{ cron: "0 3 * * *" }] },
      async ({ step }) => step.run("build-report", () => ({ rows: 0 })),
    ),
  ];

  const app = express();
  app.use(express.json({ limit: "1mb" }));
  app.use("/api/inngest", serve({ client: inngest, functions }));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
