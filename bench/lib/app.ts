import type { Server } from "node:http";
import express from "express";
import type { Inngest } from "inngest";
import { serve } from "inngest/express";

/** Serves SDK functions like a user's express app. */
export async function serveFunctions(
  client: Inngest,
  functions: Parameters<typeof serve>[0]["functions"],
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json({ limit: "10mb" }));
  app.use("/api/inngest", serve({ client, functions }));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  server.keepAliveTimeout = 65_000;
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

export async function syncApp(ingotUrl: string, appUrl: string): Promise<void> {
  const response = await fetch(`${ingotUrl}/v1/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: appUrl }),
  });
  if (!response.ok) throw new Error(`sync failed: ${response.status} ${await response.text()}`);
}
