/** Provider dialects the simulator speaks. `xai`, `deepseek` and `ollama` are OpenAI-compatible. */
export const Dialect = {
  openai: "openai",
  xai: "xai",
  deepseek: "deepseek",
  ollama: "ollama",
  azure: "azure",
  openrouter: "openrouter",
  anthropic: "anthropic",
  gemini: "gemini",
} as const;
export type Dialect = (typeof Dialect)[keyof typeof Dialect];

/** The API operation a route maps to. */
export const Endpoint = {
  chat: "chat",
  responses: "responses",
  embeddings: "embeddings",
  models: "models",
  messages: "messages",
  generateContent: "generateContent",
  streamGenerateContent: "streamGenerateContent",
  embedContent: "embedContent",
  batchEmbedContents: "batchEmbedContents",
} as const;
export type Endpoint = (typeof Endpoint)[keyof typeof Endpoint];

/** One request as the simulator received it; kept in `LlmSim.requests`. */
export interface RecordedRequest {
  /** 1-based arrival order; also the number inside the ids of the reply. */
  seq: number;
  /** `undefined` when no route matched. */
  dialect: Dialect | undefined;
  endpoint: Endpoint | undefined;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Every query parameter with all its values, in order (Gemini adapters send `key` twice). */
  query: Record<string, string[]>;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed body, or `undefined` when the body is empty or not JSON. */
  json: unknown;
  /** Model from the body, the Gemini path or the Azure deployment. */
  model: string | undefined;
  /** Text of the last user message (directives included); empty for non-chat requests. */
  userText: string;
  /** Epoch milliseconds from the simulator's clock. */
  receivedAt: number;
}

/** Overrides for the provider-shaped error body. */
export interface ErrorOverride {
  message?: string;
  /** OpenAI `error.type`, Anthropic `error.type`, Gemini `error.status`. */
  type?: string;
  /** OpenAI `error.code`; Anthropic `error.details.error_code`; OpenRouter numeric code. */
  code?: string | number;
}

export interface ToolCallSpec {
  name: string;
  /** Arguments; built from the tool's JSON schema when omitted. */
  args?: Record<string, unknown>;
}

/**
 * What the simulator does with a request. Fields combine: `delayMs` applies to every outcome,
 * and at most one terminal fault applies, in this order: `reset`, `hang`, `html`,
 * `malformed`, `status` (>= 400), `errorInBody`; otherwise the model replies (`text`, `tool`
 * or the echo default), optionally cut short by `truncate`.
 */
export interface Behaviour {
  /** Extra delay before the status line, on top of `latencyMs`. */
  delayMs?: number;
  /** Delay between stream events, overriding the `chunkDelayMs` option. */
  chunkDelayMs?: number;
  /** HTTP status >= 400: reply with this provider's error body for the status. */
  status?: number;
  error?: ErrorOverride;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms`. */
  retryAfterMs?: number;
  /** Sent as `x-should-retry`, which the OpenAI and Anthropic SDKs obey. */
  shouldRetry?: boolean;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /**
   * HTTP 200 carrying an error body (a stream sends one delta, then the error event). A
   * number is the status the body describes (OpenRouter's `error.code`); `true` means 500.
   */
  errorInBody?: boolean | number;
  /** Never send anything; the request stays open until the client gives up or `close()`. */
  hang?: boolean;
  /** Destroy the socket before any byte of the response. */
  reset?: boolean;
  /** Streams: end after N events, without the terminal marker. Non-streams: cut the body. */
  truncate?: number;
  /** 200 with `content-type: application/json` and an unparseable body (or SSE data). */
  malformed?: boolean;
  /** An HTML error page (as a CDN or proxy sends) with this status; `true` means 502. */
  html?: number | boolean;
  /** Send JSON bodies with `content-encoding: gzip` (clients must decode them). */
  gzip?: boolean;
  /** Reply with this text instead of the echo. */
  text?: string;
  /** Reply with this tool call. */
  tool?: ToolCallSpec;
  /** Prompt tokens to report as served from cache. */
  cachedTokens?: number;
}

/** Declarative match; every given field must hold. */
export interface MatchSpec {
  dialect?: Dialect;
  endpoint?: Endpoint;
  /** Exact path, or a RegExp tested against it. */
  path?: string | RegExp;
  model?: string;
  /** Substring of the last user message or of the raw body. */
  contains?: string;
}

export type MatchFn = (req: RecordedRequest) => boolean;

export interface Rule {
  /** Which requests the rule applies to; omitted = every model request. */
  match?: MatchFn | MatchSpec;
  /** How many matching requests it answers before it is dropped; default 1. */
  times?: number;
  respond: Behaviour;
}

/** Which API keys are accepted. */
export type KeyPolicy = readonly string[] | ((key: string, dialect: Dialect) => boolean);

export interface LlmSimOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Delay before the status line of every model response. Default 0. */
  latencyMs?: number;
  /** Delay between stream events. Default 0. */
  chunkDelayMs?: number;
  /**
   * Accepted keys: a list, or a predicate. Default: any non-empty key except `bad-key` and
   * `invalid`, so a test can provoke an auth error without configuration.
   */
  keys?: KeyPolicy;
  /** When set, other model names get each provider's 404. Default: every model exists. */
  models?: readonly string[];
  /** Reject Anthropic requests without `anthropic-version`. Default true. */
  requireAnthropicVersion?: boolean;
  /** Keep requests in `requests`. Default true; turn off for long benchmarks. */
  record?: boolean;
  /** Clock for `created`, `receivedAt` and reset times. Default `Date.now`. */
  now?: () => number;
}

export interface LlmSim {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. `reset()` empties this same array. */
  readonly requests: RecordedRequest[];
  /** Queue a scripted rule; rules are tried in order, first match wins. */
  enqueue(rule: Rule): void;
  /** Behaviour when no rule and no prompt directive applies. Default `{}` (echo). */
  setDefault(behaviour: Behaviour): void;
  /** Clear requests, rules, directive counters and the default behaviour. */
  reset(): void;
  /** Stop listening and destroy every open connection, including hung requests. */
  close(): Promise<void>;
}
