import type { CallOutcome, ProviderClient } from "@ingot/gateway";
import { DISCOVERY_STEP_ID, maxAttemptsOf, QueueItemId } from "@ingot/protocol";
import { type QueueItem, QueueLane, type Store } from "@ingot/store";
import { redactUrl } from "./applier.js";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { newId } from "./ids.js";
import type { Logger } from "./logger.js";
import { type GatewayPayload, QueueKind } from "./queue-items.js";
import { type Dispatcher, leaseOf, type Runner } from "./runner.js";
import type { SecretVault } from "./secrets.js";

/** Default per-attempt deadline of a provider call. */
const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `AIGateway` (`step.ai.infer`) and `Gateway` (`step.fetch`) items: the outbound call
 * happens here, in the server, while the function holds no request open.
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
      client: ProviderClient;
    },
  ) {}

  async handle(item: QueueItem, payload: GatewayPayload): Promise<void> {
    const { vault, runner } = this.deps;
    const key = vault.take(item.id);
    if (payload.type === "ai" && payload.hasKey && key === undefined) {
      await this.rediscover(item, payload);
      return;
    }
    const outcome = await this.call(payload, key);
    if (outcome.ok) {
      await runner.resolve(item, payload.stepId, { data: outcome.data });
      return;
    }
    const run = item.runId === null ? undefined : await this.deps.store.runs.get(item.runId);
    const fn = run ? await runner.lookupFunction(run.functionId) : undefined;
    const maxAttempts = fn ? maxAttemptsOf(fn.config) : 1;
    const attempt = payload.attempt + 1;
    if (outcome.retriable && attempt < maxAttempts) {
      const delay = outcome.retryAfterMs ?? this.deps.config.retryBaseMs * 2 ** (attempt - 1);
      await this.retry(item, payload, attempt, this.deps.clock.now() + delay, key, outcome);
      return;
    }
    const name = payload.type === "ai" ? "AIGatewayError" : "GatewayError";
    await runner.resolve(item, payload.stepId, null, {
      failed: { name, message: outcome.message, stack: outcome.rawBody, data: outcome.data },
    });
  }

  private async call(payload: GatewayPayload, key: string | undefined): Promise<CallOutcome> {
    const { client } = this.deps;
    const request = payload.request;
    const url = typeof request.url === "string" ? request.url : "";
    if (payload.type === "ai") {
      const headers = isStringRecord(request.headers) ? request.headers : {};
      const format = typeof request.format === "string" ? request.format : "openai-chat";
      return client.infer(
        { url, format, headers, body: request.body },
        key,
        DEFAULT_CALL_TIMEOUT_MS,
      );
    }
    const method = typeof request.method === "string" ? request.method.toUpperCase() : "GET";
    const started = performance.now();
    const fetched = await client.fetch({
      url,
      method,
      headers: isStringRecord(request.headers) ? request.headers : {},
      body:
        typeof request.body === "string" && method !== "GET" && method !== "HEAD"
          ? request.body
          : undefined,
      timeoutMs: DEFAULT_CALL_TIMEOUT_MS,
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

  /** The key was lost with a restart: forget the pending op and let the SDK report it again. */
  private async rediscover(item: QueueItem, payload: GatewayPayload): Promise<void> {
    const { store, clock, dispatcher } = this.deps;
    if (item.runId === null) return;
    const now = clock.now();
    const result = await store.commit({
      complete: leaseOf(item),
      dropPendingSteps: [{ runId: item.runId, stepId: payload.stepId }],
      enqueue: [
        {
          id: QueueItemId(newId(now)),
          lane: QueueLane.Sdk,
          kind: QueueKind.Execute,
          runId: item.runId,
          payload: { stepId: DISCOVERY_STEP_ID, attempt: 0 },
          availableAt: now,
          dedupeKey: `${item.runId}:discovery`,
        },
      ],
    });
    if (result.ok) dispatcher.accept(result.enqueued);
  }

  private async retry(
    item: QueueItem,
    payload: GatewayPayload,
    attempt: number,
    at: number,
    key: string | undefined,
    outcome: Extract<CallOutcome, { ok: false }>,
  ): Promise<void> {
    const { store, clock, dispatcher, vault } = this.deps;
    const now = clock.now();
    const next = QueueItemId(newId(now));
    if (key !== undefined) vault.put([{ itemId: next, authKey: key }]);
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
      history:
        item.runId === null
          ? []
          : [
              {
                runId: item.runId,
                at: now,
                type: "step.errored",
                stepId: payload.stepId,
                attempt: payload.attempt,
                data: {
                  error: { name: "AIGatewayError", message: outcome.message },
                  status: outcome.status,
                  url: redactUrl(String(payload.request.url)),
                  retryAt: at,
                },
              },
            ],
    });
    if (result.ok) dispatcher.accept(result.enqueued);
    else vault.take(next);
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === "string")
  );
}
