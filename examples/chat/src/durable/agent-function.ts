import {
  anthropic,
  createAgent,
  createNetwork,
  createState,
  createTool,
  gemini,
  type Message,
  type NetworkRun,
  type StateData,
  openai,
} from "@inngest/agent-kit";
import { NonRetriableError } from "inngest";
import { z } from "zod";
import { type ChatDeps, isSimulated, modelFailure } from "../chat/deps.js";
import { historyTurns } from "../chat/prompt.js";
import { resultView } from "../chat/result.js";
import { describeError } from "../errors.js";
import type { ProviderConfig, WireFormat } from "../config.js";
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from "../providers/bodies.js";
import { simulatedAnswer } from "../providers/simulated.js";
import { type RetrievedChunk, toSources } from "../rag/types.js";
import { agentChannel, AGENT_REQUESTED, type AgentStatus } from "./agent-channel.js";
import { ChatRequested } from "./chat-function.js";
import { retryCount } from "./client.js";
import { embedQuery } from "./embed-query.js";

const SYSTEM = `You are Ingot Chat's agent, the assistant of Ingot's demo: a durable-execution server for AI workloads that runs the official inngest SDK.
Before answering a question about Ingot, call the search_docs tool with a short search query. It returns numbered passages of the project's documentation; answer from them and cite them like [1] or [2]. Search again with other words if the passages do not answer the question. Be concise.`;

/** How a simulated model's reply to a tool result starts (llm-sim's echo of the tool output). */
const SIM_TOOL_ECHO = /^tool result: search_docs: /u;
/** AgentKit hands a tool's return value to the model as `{"data": …}`. */
const ToolEcho = z.object({ data: z.string() });

/**
 * The third path: an `@inngest/agent-kit` agent in a durable function. Retrieval is its
 * `search_docs` tool (each search a memoized step), the conversation its history, every model
 * call a `step.ai.infer` that Ingot's gateway makes, streamed (`stream: true`) so the page reads
 * the tokens on the run's Realtime channel. AgentKit's own events (run, parts, tool calls) are
 * published on `chat:<request id>` one `step.realtime.publish` per chunk, as AgentKit does; the
 * page reads both with `useRealtime`.
 */
export function agentFunction(deps: ChatDeps) {
  const { inngest, store, config } = deps;
  return inngest.createFunction(
    {
      id: "chat-agent",
      name: "Answer a chat message with an agent",
      retries: retryCount(config.retries),
      triggers: [{ event: AGENT_REQUESTED }],
      onFailure: async ({ event, error, step }) => {
        const original = ChatRequested.safeParse(event.data.event.data);
        if (!original.success) return;
        await step.run("record-failure", () =>
          store.failRequest({
            id: original.data.request_id,
            error: `The agent failed: ${error.message}`,
            completedAt: deps.now(),
          }),
        );
      },
    },
    async ({ event, step, runId }) => {
      const parsed = ChatRequested.safeParse(event.data);
      if (!parsed.success)
        throw new NonRetriableError(
          `${AGENT_REQUESTED}: ${parsed.error.issues[0]?.message ?? "invalid data"}`,
        );
      const input = parsed.data;
      const channel = agentChannel(input.request_id);

      const history = await step.run("load-history", async () => {
        await store.setRequestRun(input.request_id, runId);
        const turns = await store.turns(
          (await store.getRequest(input.request_id))?.conversation_id ?? input.request_id,
          Math.ceil(config.historyMessages / 2) + 1,
        );
        return historyTurns(turns, input.request_id);
      });
      // The page learns the run id here, and subscribes to its token stream.
      await step.realtime.publish("announce-run", channel.status, { type: "run", run_id: runId });

      const found: RetrievedChunk[] = [];
      const searchDocs = createTool({
        name: "search_docs",
        description:
          "Searches Ingot's documentation (README, docs/, package READMEs). Returns numbered passages.",
        parameters: z.object({ query: z.string().describe("a few words to search for") }),
        handler: async ({ query }, { step: tools }) => {
          const vector =
            config.embeddings.enabled && tools ? await embedQuery(tools, deps, query) : null;
          const search = () => deps.retriever.search(query, vector);
          const hits = tools ? await tools.run("search-docs", search) : await search();
          const numbered = hits.map((hit) => number(found, hit));
          return isSimulated(deps)
            ? simulatedAnswer(input.query, hits)
            : numbered.map(({ n, hit }) => passage(n, hit)).join("\n\n");
        },
      });
      const agent = createAgent({
        name: "docs-agent",
        system: SYSTEM,
        model: agentModel(deps.provider, input.max_tokens ?? undefined),
        tools: [searchDocs],
      });
      const network = createNetwork({
        name: "ingot-chat-agent",
        agents: [agent],
        maxIter: 4,
        // Once to answer, again after each round of tool calls so the model reads their results.
        router: ({ callCount, network: run }) =>
          callCount === 0 || lastCalledTools(run) ? agent : undefined,
      });
      const state = createState<StateData>(
        {},
        { messages: history.map((turn): Message => ({ type: "text", ...turn })) },
      );

      let text: string;
      try {
        const result = await network.run(agentInput(deps, input.query), {
          state,
          streaming: {
            publish: async (chunk) => {
              await step.realtime.publish(chunk.id, channel.agent, chunk);
            },
          },
        });
        text = answerText(result.state.results, isSimulated(deps));
      } catch (error) {
        const message = modelFailure(describeError(error));
        await step.run("save-error", () =>
          store.failRequest({ id: input.request_id, error: message, completedAt: deps.now() }),
        );
        await step.realtime.publish("announce-result", channel.status, await result(deps, input));
        return { status: "error" as const, error: message };
      }
      const sources = toSources(found);
      await step.run("save-answer", () =>
        store.completeRequest({
          id: input.request_id,
          content: text,
          sources,
          usage: null,
          model: deps.provider.model,
          completedAt: deps.now(),
        }),
      );
      await step.realtime.publish("announce-result", channel.status, await result(deps, input));
      return { status: "done" as const, request_id: input.request_id, sources: sources.length };
    },
  );
}

/** The saved answer as the result endpoint shows it: the end of the page's stream. */
async function result(deps: ChatDeps, input: ChatRequested): Promise<AgentStatus> {
  const request = await deps.store.getRequest(input.request_id);
  if (!request) throw new Error(`request ${input.request_id} is gone`);
  return { type: "result", result: resultView(deps.config, request) };
}

/**
 * What the agent is asked. The offline simulator cannot choose a tool: a directive makes it
 * call `search_docs` with the question (then it replies with the tool's result).
 */
function agentInput(deps: ChatDeps, query: string): string {
  if (!isSimulated(deps)) return query;
  const clean = query.replace(/\[\[|\]\]/gu, " ").slice(0, 500);
  return `${query} [[sim: tool=search_docs ${JSON.stringify({ query: clean })}]]`;
}

/** The last text the agent wrote; the simulator's echo prefix removed. */
function answerText(results: readonly { output: Message[] }[], simulated: boolean): string {
  for (const result of [...results].reverse()) {
    for (const message of [...result.output].reverse()) {
      if (message.type !== "text" || message.role !== "assistant") continue;
      const content =
        typeof message.content === "string"
          ? message.content
          : message.content.map((part) => part.text).join("");
      return simulated ? unwrapSimulated(content) : content;
    }
  }
  return "";
}

/** The simulator replies `tool result: search_docs: {"data": "<what the tool returned>"}`. */
function unwrapSimulated(content: string): string {
  const echoed = content.replace(SIM_TOOL_ECHO, "");
  try {
    const parsed = ToolEcho.safeParse(JSON.parse(echoed));
    return parsed.success ? parsed.data.data : echoed;
  } catch {
    return echoed;
  }
}

function lastCalledTools(run: NetworkRun<StateData>): boolean {
  const last = run.state.results.at(-1);
  return last?.output.some((message) => message.type === "tool_call") ?? false;
}

/** Numbers a passage the way the answer cites it, once per run (the same chunk keeps its n). */
function number(found: RetrievedChunk[], hit: RetrievedChunk): { n: number; hit: RetrievedChunk } {
  const index = found.findIndex((known) => known.chunkId === hit.chunkId);
  if (index >= 0) return { n: index + 1, hit };
  found.push(hit);
  return { n: found.length, hit };
}

function passage(n: number, chunk: RetrievedChunk): string {
  const where = chunk.heading === "" ? chunk.title : `${chunk.title} › ${chunk.heading}`;
  return `[${n}] ${where} (${chunk.source})\n${chunk.text}`;
}

/**
 * AgentKit's model for the configured provider. `stream: true` makes Ingot's gateway stream the
 * call (tokens on `run:<id>`) and hand AgentKit the assembled, non-streamed response.
 */
function agentModel(provider: ProviderConfig, maxTokens: number | undefined) {
  const models: { [F in WireFormat]: () => ReturnType<typeof openai> } = {
    "openai-chat": () =>
      openai({
        model: provider.model,
        apiKey: provider.apiKey,
        baseUrl: provider.baseUrl,
        defaultParameters: { stream: true },
      }),
    anthropic: () =>
      anthropic({
        model: provider.model,
        apiKey: provider.apiKey,
        baseUrl: provider.baseUrl,
        // The adapter types `stream` as false: Ingot streams and still answers with the whole JSON.
        defaultParameters: {
          max_tokens: maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
          stream: true as false,
        },
      }) as unknown as ReturnType<typeof openai>,
    gemini: () =>
      gemini({
        model: provider.model,
        apiKey: provider.apiKey,
        baseUrl: provider.baseUrl,
      }) as unknown as ReturnType<typeof openai>,
  };
  const model = models[provider.format]();
  if (Object.keys(provider.headers).length === 0) return model;
  return { ...model, headers: { ...model.headers, ...provider.headers } };
}
