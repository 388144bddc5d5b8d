import type { Server } from "node:http";
import express from "express";
import { Inngest } from "inngest";
import { serve } from "inngest/express";
import { Inngest as InngestV3 } from "inngest-v3";
import { serve as serveV3 } from "inngest-v3/express";

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Serves functions of the official SDK over express, like a user's app. */
export async function serveApp(input: {
  handler: express.RequestHandler;
  jsonLimit?: string;
  path?: string;
}): Promise<RunningApp> {
  const app = express();
  app.use(express.json({ limit: input.jsonLimit ?? "100kb" }));
  const path = input.path ?? "/api/inngest";
  app.use(path, input.handler);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function v4Client(
  id: string,
  ingotUrl: string,
  options: { checkpointing?: boolean } = {},
): Inngest {
  return new Inngest({
    id,
    isDev: true,
    baseUrl: ingotUrl,
    ...(options.checkpointing === false ? { checkpointing: false } : {}),
  });
}

export function v3Client(id: string, ingotUrl: string): InngestV3 {
  return new InngestV3({ id, isDev: true, baseUrl: ingotUrl });
}

export { serve as serveV4, serveV3 };
