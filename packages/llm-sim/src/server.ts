import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { CallContext } from "./context.js";
import { serveControl, type ControlState } from "./control.js";
import { defaultKeyCheck } from "./dialects/auth.js";
import { handlerFor, profileFor } from "./dialects/index.js";
import { headerRecord, queryRecord, readBody, sendJson } from "./http.js";
import { isObject, parseJson, str } from "./json.js";
import { serveModel } from "./pipeline.js";
import { guessDialect, matchRoute, refineRoute } from "./routes.js";
import { Script } from "./script.js";
import { Timers } from "./timers.js";
import type { Dialect, LlmSim, LlmSimOptions, RecordedRequest } from "./types.js";

// Benchmarks hold 10,000 requests open at once; the default backlog (511) would drop SYNs.
const LISTEN_BACKLOG = 16_384;
// Longer than the idle timeouts of common clients (undici 4 s, Go 90 s is client-side only),
// so the client, not the server, closes idle keep-alive sockets and no request races a close.
const KEEP_ALIVE_MS = 65_000;

class Simulator {
  readonly requests: RecordedRequest[] = [];
  readonly script = new Script();
  readonly timers = new Timers();
  private seq = 0;
  private active = 0;

  constructor(private readonly options: LlmSimOptions) {}

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  isValidKey(key: string, dialect: Dialect): boolean {
    const { keys } = this.options;
    if (typeof keys === "function") return keys(key, dialect);
    if (keys !== undefined) return keys.includes(key);
    return defaultKeyCheck(key);
  }

  reset(): void {
    this.requests.length = 0;
    this.script.reset();
  }

  control(): ControlState {
    return {
      requests: this.requests,
      script: this.script,
      inFlight: () => this.active,
      reset: () => this.reset(),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.active++;
    res.once("close", () => this.active--);
    const url = new URL(req.url ?? "/", "http://llm-sim.invalid");
    const method = req.method ?? "GET";
    const body = await readBody(req);
    if (!body.ok) {
      if (body.reason === "too-large")
        sendJson(res, 413, { error: { message: "request too large" } });
      else res.destroy();
      return;
    }
    if (url.pathname.startsWith("/__sim/")) {
      serveControl(this.control(), res, { method, url, body: body.text });
      return;
    }
    await this.serve(req, res, { method, url, rawBody: body.text });
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    request: { method: string; url: URL; rawBody: string },
  ): Promise<void> {
    const { method, url, rawBody } = request;
    const match = matchRoute(method, url.pathname);
    const headers = headerRecord(req.headers);
    const route = match.kind === "found" ? refineRoute(match.route, headers) : undefined;
    const parsed = rawBody.trim() === "" ? undefined : parseJson(rawBody);
    const json = parsed?.ok ? parsed.value : undefined;
    const record: RecordedRequest = {
      seq: ++this.seq,
      dialect: route?.dialect,
      endpoint: route?.endpoint,
      method,
      path: url.pathname,
      query: queryRecord(url),
      headers,
      rawBody,
      json,
      model: route?.pathModel ?? (isObject(json) ? str(json, "model") : undefined),
      userText: "",
      receivedAt: this.now(),
    };
    if (this.options.record !== false) this.requests.push(record);
    await this.timers.sleep(this.options.latencyMs ?? 0);
    const dialect =
      route?.dialect ??
      (match.kind === "wrong-method" ? match.dialect : guessDialect(url.pathname));
    const ctx: CallContext = {
      seq: record.seq,
      dialect,
      endpoint: route?.endpoint ?? "chat",
      pathModel: route?.pathModel,
      url,
      headers: record.headers,
      json,
      jsonError: parsed && !parsed.ok ? parsed.message : undefined,
      now: record.receivedAt,
      record,
      isValidKey: (key) => this.isValidKey(key, dialect),
      requireAnthropicVersion: this.options.requireAnthropicVersion ?? true,
      models: this.options.models,
    };
    const handler = route && handlerFor(route.dialect, route.endpoint);
    if (!handler) {
      const spec = { status: 404, message: `Invalid URL (${method} ${url.pathname})` };
      sendJson(
        res,
        404,
        profileFor(dialect).errorBody(spec, ctx),
        profileFor(dialect).headers(ctx, 404),
      );
      return;
    }
    const io = {
      req,
      res,
      sleep: (ms: number) => this.timers.sleep(ms),
      chunkDelayMs: this.options.chunkDelayMs ?? 0,
      script: this.script,
    };
    await serveModel(io, ctx, handler);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function shutdown(server: Server, timers: Timers): Promise<void> {
  return new Promise((resolve) => {
    timers.cancelAll();
    server.close(() => resolve());
    // Hung and slow requests would otherwise keep close() waiting forever.
    server.closeAllConnections();
  });
}

/**
 * Starts a simulator of the OpenAI, Azure OpenAI, OpenRouter, xAI, DeepSeek, Ollama,
 * Anthropic and Gemini HTTP APIs on `host:port` (default `127.0.0.1:0`).
 */
export async function startLlmSim(options: LlmSimOptions = {}): Promise<LlmSim> {
  const sim = new Simulator(options);
  const server = createServer({ noDelay: true, keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    sim.handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      sendJson(res, 500, { error: { message: `llm-sim internal error: ${message}` } });
    });
  });
  server.maxHeadersCount = 200;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  // Hung requests are a feature; never let Node's 5-minute request timeout cut them.
  server.requestTimeout = 0;
  let closing: Promise<void> | undefined;
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: sim.requests,
    enqueue: (rule) => sim.script.enqueue(rule),
    setDefault: (behaviour) => sim.script.setDefault(behaviour),
    reset: () => sim.reset(),
    close: () => (closing ??= shutdown(server, sim.timers)),
  };
}
