import {
  anthropic,
  createAgent,
  createNetwork,
  createTool,
  gemini,
  openai,
} from "@inngest/agent-kit";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Counter, IngotApi } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/**
 * `@inngest/agent-kit` 0.13 unchanged on Ingot: a network of two agents with a code router; the
 * first agent calls a tool. Every model call is a `step.ai.infer` that Ingot's gateway makes.
 */
describe("agent-kit network on Ingot", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let sim: LlmSim;
  let app: RunningApp;
  const counter = new Counter();

  const models = () => ({
    openai: openai({ model: "gpt-4o-mini", apiKey: "sk-agent", baseUrl: `${sim.url}/v1/` }),
    anthropic: anthropic({
      model: "claude-3-5-haiku-latest",
      apiKey: "sk-ant-agent",
      baseUrl: `${sim.url}/v1/`,
      defaultParameters: { max_tokens: 512 },
    }),
    gemini: gemini({ model: "gemini-2.0-flash", apiKey: "g-agent", baseUrl: `${sim.url}/v1beta/` }),
  });

  beforeAll(async () => {
    sim = await startLlmSim();
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "agents", isDev: true, baseUrl: ingot.url });
    const weather = createTool({
      name: "get_weather",
      description: "Current weather in a city",
      parameters: z.object({ city: z.string() }),
      // agent-kit calls tool handlers on every replay; side effects go in a step, as its docs say.
      handler: async ({ city }, { step }) => {
        const lookup = () => {
          counter.hit(`weather:${city}`);
          return `Sunny and 21C in ${city}`;
        };
        return step ? step.run(`weather-${city}`, lookup) : lookup();
      },
    });
    const fn = inngest.createFunction(
      { id: "network", triggers: [{ event: "agents/run" }] },
      async ({ event }) => {
        const provider = event.data.provider as keyof ReturnType<typeof models>;
        const model = models()[provider];
        const forecaster = createAgent({
          name: "forecaster",
          system: "You answer weather questions using the get_weather tool.",
          model,
          tools: [weather],
        });
        const writer = createAgent({
          name: "writer",
          system: "You write a one-line summary.",
          model,
        });
        const network = createNetwork({
          name: "weather-desk",
          agents: [forecaster, writer],
          defaultModel: model,
          router: ({ callCount }) =>
            callCount === 0 ? forecaster : callCount === 1 ? writer : undefined,
        });
        const result = await network.run(String(event.data.question));
        return result.state.results.map((r) => ({
          agent: r.agentName,
          text: r.output
            .map((m) =>
              m.type === "text"
                ? typeof m.content === "string"
                  ? m.content
                  : JSON.stringify(m.content)
                : "",
            )
            .join(""),
          tools: r.toolCalls.map((t) => t.tool.name),
        }));
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it.each(["openai", "anthropic", "gemini"] as const)(
    "runs a tool-using agent and a second agent through the gateway (%s)",
    async (provider) => {
      const before = sim.requests.length;
      const toolRunsBefore = counter.get("weather:Paris");
      const question = `What is the weather in Paris? [[sim: tool=get_weather {"city":"Paris"}]] (${provider})`;
      const [id] = await api.send({ name: "agents/run", data: { provider, question } });
      const [run] = await api.settled(id!, { timeoutMs: 30_000 });
      expect(run?.status).toBe("Completed");
      const results = run?.output as { agent: string; text: string; tools: string[] }[];
      expect(results.map((r) => r.agent)).toEqual(["forecaster", "writer"]);
      expect(results[0]?.tools).toEqual(["get_weather"]);
      // The tool's result reached the model: the sim answers "tool result: <name>: <content>".
      // The tool's result reached the model: the writer's call carries it, and the sim answers
      // "tool result: <name>: <content>" once it sees a tool result in the conversation.
      expect(results[1]?.text).toContain("tool result: get_weather");
      expect(results[1]?.text).toContain("Sunny and 21C in Paris");

      const calls = sim.requests.slice(before);
      expect(calls).toHaveLength(2);
      expect(JSON.stringify(calls[0]?.json)).toContain('"get_weather"');
      expect(JSON.stringify(calls[1]?.json)).toContain("Sunny and 21C in Paris");
      // The tool's step ran once, despite the replays.
      expect(counter.get("weather:Paris") - toolRunsBefore).toBe(1);

      // Every model call was a step the server executed (op AIGateway), none made by the app.
      const steps = await api.steps(run!.run_id);
      expect(steps.filter((s) => s.op === "AIGateway" && s.status === "completed")).toHaveLength(2);
    },
  );
});
