import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

/**
 * The official v4 SDK app of the durable-steps bench, in a process of its own (never the load
 * generator's nor the server's): `tsx bench/lib/sdk-app.ts <server url> <app id> [classic]`.
 * A 3-step function served with `inngest/node`; prints `listening <url>` once it accepts
 * requests. The same process drives Ingot and the floor stub alike (see `startSdkApp`).
 */
const [baseUrl, appId = "bench", mode] = process.argv.slice(2);
if (!baseUrl) throw new Error("usage: sdk-app.ts <server url> [app id] [classic]");

const inngest = new Inngest({
  id: appId,
  isDev: true,
  baseUrl,
  ...(mode === "classic" ? { checkpointing: false } : {}),
});
const fn = inngest.createFunction(
  { id: "three-steps", retries: 0, triggers: [{ event: "bench/three" }] },
  async ({ step }) => {
    const a = await step.run("a", () => 1);
    const b = await step.run("b", () => a + 1);
    return step.run("c", () => b + 1);
  },
);
const server = createServer(serve({ client: inngest, functions: [fn] }));
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening http://127.0.0.1:${port}/api/inngest\n`);
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
