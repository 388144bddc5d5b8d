import { Inngest } from "inngest";
import { serveFunctions } from "../lib/app.js";

/**
 * The soak's app, in a process of its own as a user's would be: the official v4 SDK serving a
 * 3-step function. `tsx bench/soak/app.ts <ingot url>`; prints `app ready at <serve url>`.
 */
const ingotUrl = process.argv[2];
if (!ingotUrl) throw new Error("usage: app.ts <ingot url>");
const inngest = new Inngest({ id: "soak", isDev: true, baseUrl: ingotUrl });
const fn = inngest.createFunction(
  { id: "three-steps", retries: 0, triggers: [{ event: "soak/three" }] },
  async ({ event, step }) => {
    const a = await step.run("a", () => ({ n: Number(event.data.n), at: Date.now() }));
    const b = await step.run("b", () => a.n * 2);
    return await step.run("c", () => b + 1);
  },
);
const app = await serveFunctions(inngest, [fn]);
process.stdout.write(`app ready at ${app.url}\n`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
