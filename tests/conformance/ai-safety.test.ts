import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openai } from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
const eventKey = "evt-ai-safety-0123456789";
const HELD_KEY = "sk-HELD-BY-INGOT-9999";

/** Which hosts the gateway may reach in start mode, and keys held by the server. */
describe("AI gateway safety and server-held keys", () => {
  let sim: LlmSim;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    sim = await startLlmSim();
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await sim?.close();
  });

  async function setup(options: {
    mode: "dev" | "start";
    args?: string[];
    env?: Record<string, string>;
  }) {
    const start = options.mode === "start";
    const ingot: IngotProcess = await startIngot({
      mode: options.mode,
      args: [
        ...(start ? ["--signing-key", signingKey, "--event-key", eventKey] : []),
        ...(options.args ?? []),
      ],
      env: options.env ?? {},
    });
    const api = new IngotApi(ingot.url, start ? { authorization: `Bearer ${signingKey}` } : {});
    const inngest = new Inngest({
      id: `safety-${options.mode}`,
      isDev: !start,
      baseUrl: ingot.url,
      ...(start ? { signingKey, eventKey } : {}),
    });
    const fn = inngest.createFunction(
      { id: "ask", retries: 2, triggers: [{ event: "safety/ask" }] },
      async ({ event, step }) => {
        try {
          const kind = String(event.data.kind);
          if (kind === "fetch") {
            const response = await step.fetch(`${sim.url}/__sim/health`);
            return { ok: true, status: response.status };
          }
          const result = await step.ai.infer("ask", {
            model: openai({
              model: "gpt-4o-mini",
              apiKey: kind === "no-key" ? "" : "sk-app",
              baseUrl: `${sim.url}/v1/`,
            }),
            body: { messages: [{ role: "user", content: "hi" }] },
          });
          return { ok: true, text: result.choices[0]?.message.content };
        } catch (error) {
          return { ok: false, name: (error as Error).name, message: (error as Error).message };
        }
      },
    );
    const app: RunningApp = await serveApp({
      handler: serveV4({ client: inngest, functions: [fn] }),
    });
    cleanups.push(async () => {
      await app.close();
      await ingot.stop();
    });
    await api.syncApp(app.url);
    const ask = async (kind: string) => {
      const before = sim.requests.length;
      const { ids } = await inngest.send({ name: "safety/ask", data: { kind } });
      const [run] = await api.settled(ids[0]!);
      return {
        output: run!.output as { ok: boolean; message?: string; text?: string },
        calls: sim.requests.slice(before),
        run: run!,
      };
    };
    return { ingot, api, ask };
  }

  it("start mode refuses hosts outside the allow-list, at once and without calling them", async () => {
    const { ask, api } = await setup({ mode: "start" });
    const { output, calls, run } = await ask("key");
    expect(output.ok).toBe(false);
    expect(output.message).toContain("may not call 127.0.0.1");
    expect(calls).toHaveLength(0);
    const ai = (await api.json<{ data: { outcome: string }[] }>(`/v1/runs/${run.run_id}/ai`)).body
      .data;
    expect(ai.map((c) => c.outcome)).toEqual(["error"]);
  });

  it("start mode refuses private and loopback addresses even when the host is allowed", async () => {
    const { ask } = await setup({ mode: "start", args: ["--ai-allow-host", "127.0.0.1"] });
    const { output, calls } = await ask("key");
    expect(output.ok).toBe(false);
    expect(output.message).toContain("private and loopback addresses are refused");
    expect(calls).toHaveLength(0);
    const fetched = await ask("fetch");
    expect(fetched.output.ok).toBe(false);
    expect(fetched.calls).toHaveLength(0);
  });

  it("start mode calls an allowed private host when told to", async () => {
    const { ask } = await setup({
      mode: "start",
      args: ["--ai-allow-host", "127.0.0.1", "--ai-allow-private"],
    });
    const { output, calls } = await ask("key");
    expect(output).toMatchObject({ ok: true, text: "echo: hi" });
    expect(calls[0]?.headers.authorization).toBe("Bearer sk-app");
  });

  it("uses a server-held key when the op carries none, and never stores it", async () => {
    // Keys are held per provider as identified from the URL; a loopback OpenAI-style endpoint is
    // "openai-compatible" (an api.openai.com URL would use the "openai" key).
    const { ask, api, ingot } = await setup({
      mode: "dev",
      env: { INGOT_AI_KEYS: `openai=sk-not-for-local,openai-compatible=${HELD_KEY}` },
    });
    const { output, calls, run } = await ask("no-key");
    expect(output).toMatchObject({ ok: true, text: "echo: hi" });
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${HELD_KEY}`);
    const ai = (await api.json<{ data: { key_source: string }[] }>(`/v1/runs/${run.run_id}/ai`))
      .body.data;
    expect(ai[0]?.key_source).toBe("server");
    const withKey = await ask("key");
    expect(withKey.calls[0]?.headers.authorization).toBe("Bearer sk-app");
    const stored = readdirSync(ingot.dataDir)
      .filter((name) => name.startsWith("ingot.db"))
      .map((name) => readFileSync(join(ingot.dataDir, name)).toString("latin1"))
      .join("");
    expect(stored.includes(HELD_KEY)).toBe(false);
    expect(stored.includes("sk-app")).toBe(false);
    expect(ingot.logs().includes(HELD_KEY)).toBe(false);
  });
});
