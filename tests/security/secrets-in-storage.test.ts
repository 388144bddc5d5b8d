import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openai } from "@inngest/ai";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";
import { recordSecret } from "../conformance/harness/secret-ledger.js";

/**
 * Finding 5: keys that a call carries never come back in what Ingot stores or shows — the step's
 * output, the run's output, its history, the AI-call records, the database files and the log.
 */

const FETCH_KEY = `fk-${randomBytes(12).toString("hex")}`;
const SIGNATURE = `sig${randomBytes(12).toString("hex")}`;
const CLIENT_SECRET = `cs-${randomBytes(12).toString("hex")}`;
const PROVIDER_KEY = `sk-proj-${randomBytes(16).toString("hex")}`;
const GEMINI_KEY = `AIza${randomBytes(16).toString("hex")}`;
const ALL_KEYS = [FETCH_KEY, SIGNATURE, CLIENT_SECRET, PROVIDER_KEY, GEMINI_KEY];

describe("secrets in storage", () => {
  let provider: Server;
  let providerUrl = "";
  let ingot: IngotProcess;
  let app: RunningApp;
  let api: IngotApi;
  let inngest: Inngest;

  beforeAll(async () => {
    recordSecret(...ALL_KEYS);
    // A provider that echoes the key it was sent in its error bodies, as some do.
    provider = createServer((req, res) => {
      const auth = req.headers.authorization ?? "";
      const key = new URL(req.url ?? "/", "http://x").searchParams.get("key") ?? "";
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/echo")) {
        res.end(JSON.stringify({ seen: "ok" }));
        return;
      }
      res.statusCode = 401;
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${auth.replace(/^Bearer /, "")}${key}`,
            type: "invalid_request_error",
            code: "invalid_api_key",
            received: { authorization: auth, url: req.url },
          },
        }),
      );
    });
    await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
    providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;

    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "secrets-app", isDev: true, baseUrl: ingot.url });
    const fetchKeyed = inngest.createFunction(
      { id: "fetch-keyed", retries: 0, triggers: [{ event: "sec/fetch" }] },
      async ({ step }) => {
        const response = await step.fetch(
          `${providerUrl}/echo?q=1&api_key=${FETCH_KEY}&X-Amz-Signature=${SIGNATURE}&client_secret=${CLIENT_SECRET}`,
        );
        return { status: response.status, body: await response.text() };
      },
    );
    const inferEcho = inngest.createFunction(
      { id: "infer-echo", retries: 0, triggers: [{ event: "sec/infer" }] },
      async ({ event, step }) => {
        try {
          const gemini = event.data.gemini === true;
          return await step.ai.infer("ask", {
            model: openai({
              model: "gpt-4o-mini",
              apiKey: PROVIDER_KEY,
              baseUrl: gemini ? `${providerUrl}/g/?key=${GEMINI_KEY}&x=` : `${providerUrl}/v1/`,
            }),
            body: { messages: [{ role: "user", content: "hi" }] },
          });
        } catch (error) {
          return { failed: (error as Error).message };
        }
      },
    );
    app = await serveApp({
      handler: serveV4({ client: inngest, functions: [fetchKeyed, inferEcho] }),
    });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await new Promise((resolve) => provider?.close(resolve));
  });

  /** Everything the API shows of a run. */
  async function shown(runId: string): Promise<string> {
    const parts = await Promise.all(
      ["", "/steps", "/history", "/ai"].map(async (suffix) =>
        JSON.stringify((await api.json(`/v1/runs/${runId}${suffix}`)).body),
      ),
    );
    return parts.join("\n");
  }

  const expectNoKey = (text: string) => {
    for (const key of ALL_KEYS) expect(text).not.toContain(key);
  };

  it("a step.fetch URL keeps no credential in the step output, the run output or the history", async () => {
    const { ids } = await inngest.send({ name: "sec/fetch" });
    const [run] = await api.settled(ids[0]!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ status: 200, body: '{"seen":"ok"}' });
    // The step's memoized output is `{url, headers, body, status_code}`: its URL is redacted.
    const steps = await api.steps(run!.run_id);
    const fetched = JSON.stringify(steps.map((step) => step.output));
    expect(fetched).toContain("q=1");
    expect(fetched).toContain("api_key=[redacted]");
    expect(fetched).toContain("X-Amz-Signature=[redacted]");
    expect(fetched).toContain("client_secret=[redacted]");
    const text = await shown(run!.run_id);
    expect(text).toContain("step.gateway");
    expectNoKey(text);
  });

  it("a provider error that echoes the key is stored without it", async () => {
    for (const gemini of [false, true]) {
      const { ids } = await inngest.send({ name: "sec/infer", data: { gemini } });
      const [run] = await api.settled(ids[0]!);
      expect(run!.output).toMatchObject({ failed: expect.stringContaining("401") as string });
      const text = await shown(run!.run_id);
      expect(text).toContain("Incorrect API key provided: [redacted]");
      expectNoKey(text);
    }
  });

  it("no key is in the database files or the log", async () => {
    const files = readdirSync(ingot.dataDir).filter((name) => name.startsWith("ingot."));
    expect(files).toEqual(expect.arrayContaining(["ingot.db", "ingot.log"]));
    const stored = files.map((name) => readFileSync(join(ingot.dataDir, name), "latin1")).join("");
    // The calls happened and were recorded: the files hold the redacted forms.
    expect(stored).toContain("[redacted]");
    expectNoKey(stored);
    expectNoKey(ingot.logs());
  });
});
