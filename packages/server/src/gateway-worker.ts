import {
  type CallOutcome,
  estimateCostUsd,
  extractText,
  extractUsage,
  identifyCall,
  type ProviderClient,
  redactUrl,
  scrubSecrets,
  streamMode,
} from "@ingot/gateway";
import {
  DISCOVERY_STEP_ID,
  isTerminal,
  maxAttemptsOf,
  QueueItemId,
  type SerializedError,
} from "@ingot/protocol";
import {
  type AiCallRecord,
  type QueueItem,
  QueueLane,
  type RunRecord,
  type Store,
} from "@ingot/store";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { newId } from "./ids.js";
import type { Logger } from "./logger.js";
import { hostAllowed, isPrivateAddress, resolveAll } from "./security/net-guard.js";
import { type GatewayPayload, QueueKind } from "./queue-items.js";
import { type Dispatcher, leaseOf, type Runner } from "./runner.js";
import { restoreSecrets, type SecretVault, secretValues } from "./security/secrets.js";
import type { RunStreams } from "./streams.js";

/** Request bodies kept in `ai_calls` for display are cut at this size. */
const MAX_STORED_REQUEST_CHARS = 256 * 1024;
const MAX_STORED_TEXT_CHARS = 64 * 1024;

interface Prepared {
  url: string;
  headers: Record<string, string>;
  key: string | undefined;
  keySource: AiCallRecord["keySource"];
  provider: string;
  model: string | null;
  format: string;
  body: unknown;
}

/**
 * Runs `AIGateway` (`step.ai.infer`) and `Gateway` (`step.fetch`) items: the outbound call is
 * made here, in the server, while the function holds no request open. Streams tokens to run
 * subscribers, records usage and cost per call, retries what is worth retrying.
 */
export class GatewayWorker {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      config: ServerConfig;
      logger: Logger;
      runner: Runner;
      dispatcher: Dispatcher;
      vault: SecretVault;
      /** Client for calls that may reach any address; `guarded` refuses private ones. */
      client: ProviderClient;
      guarded: ProviderClient;
      streams: RunStreams;
    },
  ) {}

  async handle(item: QueueItem, payload: GatewayPayload, signal?: AbortSignal): Promise<void> {
    const { vault, runner, store } = this.deps;
    const secret = vault.take(item.id);
    const run = item.runId === null ? undefined : await store.runs.get(item.runId);
    if (!run || isTerminal(run.status)) return runner.completeOnly(item);
    if (payload.hasKey && secret === undefined) return this.rediscover(item, payload, run);

    const restored = restoreSecrets(payload.request, secret);
    const prepared = this.prepare(payload, restored);
    const refused = await this.refusal(prepared.url, payload.type);
    const startedAt = this.deps.clock.now();
    const made: CallOutcome = refused
      ? {
          ok: false,
          retriable: false,
          status: null,
          message: refused,
          rawBody: "",
          data: null,
          latencyMs: 0,
        }
      : await this.call(run, payload, prepared, signal);
    // Whatever of the call is stored (output, error body, message, request) loses the call's own
    // keys: a provider error may echo the key it was sent.
    const keys = secretValues(secret, prepared.key);
    const outcome = scrubSecrets(made, keys);
    prepared.body = scrubSecrets(prepared.body, keys);
    if (signal?.aborted) {
      await this.cancelled({ run, payload, prepared, outcome, startedAt, signal });
      return;
    }
    const fn = await runner.lookupFunction(run.functionId);
    const maxAttempts = fn ? maxAttemptsOf(fn.config) : 1;
    const attempt = payload.attempt + 1;
    const retry = !outcome.ok && outcome.retriable && attempt < maxAttempts;
    const record = this.record({ run, payload, prepared, outcome, startedAt, retry });

    if (outcome.ok) {
      await runner.resolve(
        item,
        payload.stepId,
        { data: outcome.data },
        { extra: { aiCalls: [record] } },
      );
      return;
    }
    if (retry) {
      const delay = outcome.retryAfterMs ?? this.deps.config.retryBaseMs * 2 ** (attempt - 1);
      await this.retry(
        item,
        payload,
        attempt,
        startedAt + outcome.latencyMs + delay,
        secret,
        record,
      );
      return;
    }
    const failed: SerializedError = {
      name: payload.type === "ai" ? "AIGatewayError" : "GatewayError",
      message: outcome.message,
      stack: outcome.rawBody,
      data: outcome.data,
    };
    await runner.resolve(item, payload.stepId, null, { failed, extra: { aiCalls: [record] } });
  }

  private prepare(payload: GatewayPayload, restored: ReturnType<typeof restoreSecrets>): Prepared {
    const request = payload.request;
    const format =
      typeof request.format === "string"
        ? request.format
        : payload.type === "ai"
          ? "openai-chat"
          : "fetch";
    const body = request.body;
    const identity =
      payload.type === "ai"
        ? identifyCall({ format, url: restored.url, body })
        : { provider: "http", model: null };
    let key = restored.authKey;
    let keySource: AiCallRecord["keySource"] = key === undefined ? "none" : "op";
    if (key === undefined && payload.type === "ai") {
      const held = this.deps.config.providerKeys[identity.provider];
      if (held !== undefined) {
        key = held;
        keySource = "server";
      }
    }
    return {
      url: restored.url,
      headers: restored.headers,
      key,
      keySource,
      provider: identity.provider,
      model: identity.model,
      format,
      body,
    };
  }

  /**
   * Why this call may not be made, or undefined: in start mode, AI calls only go to allow-listed
   * hosts, and no call goes to a private address (checked here for a clear, final error; the
   * guarded client checks again at connect time against DNS rebinding).
   */
  private async refusal(url: string, type: GatewayPayload["type"]): Promise<string | undefined> {
    const { config } = this.deps;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return `the ${type === "ai" ? "model" : "fetch"} URL "${redactUrl(url)}" is not a valid URL`;
    }
    if (config.mode === "start" && type === "ai" && !hostAllowed(host, config.aiAllowHosts)) {
      return `the AI gateway may not call ${host}: allow it with --ai-allow-host (allowed: ${config.aiAllowHosts.join(", ")})`;
    }
    if (config.aiAllowPrivate) return undefined;
    const addresses = await resolveAll(host);
    const blocked = addresses.find((address) => isPrivateAddress(address));
    if (blocked !== undefined) {
      return `the gateway may not call ${host} (${blocked}): private and loopback addresses are refused in start mode; allow them with --ai-allow-private`;
    }
    return undefined;
  }

  private async call(
    run: RunRecord,
    payload: GatewayPayload,
    prepared: Prepared,
    signal: AbortSignal | undefined,
  ): Promise<CallOutcome> {
    const { config, streams } = this.deps;
    const client = config.aiAllowPrivate ? this.deps.client : this.deps.guarded;
    const timeoutMs = config.aiTimeoutMs;
    if (payload.type === "fetch") {
      const method =
        typeof payload.request.method === "string" ? payload.request.method.toUpperCase() : "GET";
      const body = payload.request.body;
      const started = performance.now();
      const fetched = await client.fetch({
        url: prepared.url,
        method,
        headers: prepared.headers,
        body: typeof body === "string" && method !== "GET" && method !== "HEAD" ? body : undefined,
        timeoutMs,
        signal,
      });
      const latencyMs = performance.now() - started;
      if (fetched.ok)
        return { ok: true, status: fetched.data.status_code, data: fetched.data, latencyMs };
      return {
        ok: false,
        retriable: true,
        status: null,
        message: fetched.message,
        rawBody: "",
        data: null,
        latencyMs,
      };
    }
    const request = {
      url: prepared.url,
      format: prepared.format,
      headers: prepared.headers,
      body: prepared.body,
    };
    if (streamMode(request) === "none")
      return client.infer(request, prepared.key, timeoutMs, signal);
    const stepId = payload.stepId;
    streams.publish(run.id, "ai.start", {
      step_id: stepId,
      attempt: payload.attempt,
      provider: prepared.provider,
      model: prepared.model,
    });
    const outcome = await client.inferStream(request, prepared.key, {
      timeoutMs,
      ...(signal ? { signal } : {}),
      onDelta: (delta) => {
        if (delta.type === "text")
          streams.publish(run.id, "delta", {
            step_id: stepId,
            attempt: payload.attempt,
            text: delta.text,
          });
      },
    });
    streams.publish(run.id, "ai.end", {
      step_id: stepId,
      attempt: payload.attempt,
      ok: outcome.ok,
      ...(signal?.aborted
        ? { error: "cancelled", cancelled: true, retrying: false }
        : outcome.ok
          ? {}
          : { error: outcome.message, retrying: outcome.retriable }),
    });
    return outcome;
  }

  private record(input: {
    run: RunRecord;
    payload: GatewayPayload;
    prepared: Prepared;
    outcome: CallOutcome;
    startedAt: number;
    retry: boolean;
  }): AiCallRecord {
    const { run, payload, prepared, outcome } = input;
    const usage =
      outcome.ok && payload.type === "ai" ? extractUsage(prepared.format, outcome.data) : undefined;
    const model = usage?.model ?? prepared.model;
    const cost =
      usage === undefined
        ? { usd: null }
        : estimateCostUsd({ provider: prepared.provider, model, usage });
    const requestJson = JSON.stringify(prepared.body ?? null);
    return {
      id: newId(input.startedAt),
      runId: run.id,
      stepId: payload.stepId,
      functionId: run.functionId,
      attempt: payload.attempt,
      kind: payload.type === "ai" ? "infer" : "fetch",
      provider: prepared.provider,
      model,
      format: prepared.format,
      url: redactUrl(prepared.url),
      outcome: outcome.ok ? "ok" : input.retry ? "retry" : "error",
      httpStatus: outcome.status,
      inputTokens: usage?.inputTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      cachedTokens: usage?.cachedInputTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      totalTokens: usage?.totalTokens ?? null,
      costUsd: cost.usd,
      latencyMs: outcome.latencyMs,
      firstTokenMs: outcome.ok ? (outcome.firstTokenMs ?? null) : null,
      streamed:
        payload.type === "ai" &&
        streamMode({ format: prepared.format, url: prepared.url, body: prepared.body }) !== "none",
      keySource: prepared.keySource,
      error: outcome.ok ? null : outcome.message.slice(0, 2000),
      request:
        requestJson.length <= MAX_STORED_REQUEST_CHARS
          ? prepared.body
          : { truncated: true, bytes: requestJson.length },
      responseText:
        outcome.ok && payload.type === "ai"
          ? extractText(prepared.format, outcome.data).slice(0, MAX_STORED_TEXT_CHARS)
          : null,
      startedAt: input.startedAt,
      endedAt: input.startedAt + outcome.latencyMs,
    };
  }

  /**
   * The call was aborted: its run ended (cancelled, or failed elsewhere) or the item is no longer
   * ours. Nothing is resolved; the attempt is recorded as cancelled, so the dashboard shows it
   * ended and what it had cost until then.
   */
  private async cancelled(input: {
    run: RunRecord;
    payload: GatewayPayload;
    prepared: Prepared;
    outcome: CallOutcome;
    startedAt: number;
    signal: AbortSignal;
  }): Promise<void> {
    const reason = input.signal.reason instanceof Error ? input.signal.reason.message : "aborted";
    const record = this.record({ ...input, retry: false });
    record.outcome = "cancelled";
    record.error = `cancelled: ${reason}`;
    record.endedAt = this.deps.clock.now();
    record.latencyMs = record.endedAt - input.startedAt;
    await this.deps.store.commit({ aiCalls: [record] });
  }

  /** The op's secrets were lost with a restart: forget it and let the SDK report it again. */
  private async rediscover(
    item: QueueItem,
    payload: GatewayPayload,
    run: RunRecord,
  ): Promise<void> {
    const { store, clock, dispatcher } = this.deps;
    const now = clock.now();
    const result = await store.commit({
      complete: leaseOf(item),
      dropPendingSteps: [{ runId: run.id, stepId: payload.stepId }],
      enqueue: [
        {
          id: QueueItemId(newId(now)),
          lane: QueueLane.Sdk,
          kind: QueueKind.Execute,
          runId: run.id,
          payload: { stepId: DISCOVERY_STEP_ID, attempt: 0 },
          availableAt: now,
          dedupeKey: `${run.id}:discovery`,
        },
      ],
    });
    if (result.ok) dispatcher.accept(result.enqueued, result.woken);
  }

  private async retry(
    item: QueueItem,
    payload: GatewayPayload,
    attempt: number,
    at: number,
    secret: ReturnType<SecretVault["take"]>,
    record: AiCallRecord,
  ): Promise<void> {
    const { store, clock, dispatcher, vault } = this.deps;
    const now = clock.now();
    const next = QueueItemId(newId(now));
    if (secret) vault.put([{ itemId: next, secret }]);
    const result = await store.commit({
      complete: leaseOf(item),
      enqueue: [
        {
          id: next,
          lane: QueueLane.Gateway,
          kind: QueueKind.Gateway,
          runId: item.runId,
          payload: { ...payload, attempt },
          availableAt: at,
        },
      ],
      aiCalls: [record],
      history: [
        {
          runId: record.runId,
          at: now,
          type: "step.errored",
          stepId: payload.stepId,
          attempt: payload.attempt,
          data: {
            error: {
              name: payload.type === "ai" ? "AIGatewayError" : "GatewayError",
              message: record.error,
            },
            status: record.httpStatus,
            url: record.url,
            retryAt: at,
          },
        },
      ],
    });
    if (result.ok) dispatcher.accept(result.enqueued, result.woken);
    else vault.take(next);
  }
}
