import type { ApiEvent, ApiRun, StoredEvent } from "@ingot/protocol";
import type {
  AiCallRecord,
  AiUsageTotals,
  AppRecord,
  FunctionRecord,
  HistoryRecord,
  RunRecord,
  StepRecord,
} from "@ingot/store";
import type { SyncOutcome } from "../sync/index.js";

/** Store records → REST shapes (ARCHITECTURE.md §3, Inngest v1 field names). */

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function apiRun(run: RunRecord): ApiRun {
  return {
    run_id: run.id,
    function_id: run.functionId,
    app_id: run.appId,
    event_id: run.eventIds[0] ?? null,
    status: run.status,
    output:
      run.status === "Failed" || run.status === "Cancelled"
        ? (run.error ?? run.output)
        : run.output,
    run_started_at: iso(run.startedAt ?? run.createdAt) ?? "",
    ended_at: iso(run.endedAt),
  };
}

export function apiRunDetail(run: RunRecord): ApiRun & Record<string, unknown> {
  return {
    ...apiRun(run),
    event_ids: run.eventIds,
    created_at: iso(run.createdAt),
    error: run.error,
    correlation_id: run.correlationId,
  };
}

export function apiEvent(event: StoredEvent): ApiEvent {
  return {
    id: event.id,
    internal_id: event.id,
    name: event.name,
    data: event.data,
    ts: event.ts,
    user: event.user ?? {},
    v: event.v ?? null,
    received_at: new Date(event.receivedAt).toISOString(),
    routed_at: event.routing ? new Date(event.routing.at).toISOString() : null,
    functions_triggered: event.routing ? event.routing.functions : null,
  };
}

export function apiStep(step: StepRecord): Record<string, unknown> {
  return {
    step_id: step.stepId,
    name: step.displayName ?? step.userlandId ?? step.stepId,
    user_id: step.userlandId,
    op: step.op,
    status: step.status,
    position: step.seq,
    output: step.outputJson === null ? null : (JSON.parse(step.outputJson) as unknown),
    attempts: step.attempts,
    created_at: iso(step.createdAt),
    ended_at: iso(step.endedAt),
    duration_ms: step.durationMs,
  };
}

export function apiHistory(entry: HistoryRecord): Record<string, unknown> {
  return {
    id: entry.id,
    at: iso(entry.at),
    type: entry.type,
    step_id: entry.stepId,
    attempt: entry.attempt,
    data: entry.data,
  };
}

export function apiApp(
  app: AppRecord,
  functions: FunctionRecord[],
  load?: { active: number; queued: number; limit: number },
): Record<string, unknown> {
  return {
    id: app.id,
    url: app.url,
    sdk: app.sdk,
    framework: app.framework,
    app_version: app.appVersion,
    error: app.error,
    synced_at: iso(app.syncedAt),
    created_at: iso(app.createdAt),
    function_count: functions.filter((fn) => fn.appId === app.id && fn.archivedAt === null).length,
    ...(load ? { requests: load } : {}),
  };
}

/** What `POST /v1/apps` and `POST /v1/apps/:appId/sync` answer. */
export function apiSyncOutcome(outcome: SyncOutcome): Record<string, unknown> {
  return {
    app_id: outcome.appId,
    modified: outcome.modified,
    function_count: outcome.functionCount,
  };
}

export function apiFunction(fn: FunctionRecord): Record<string, unknown> {
  return {
    id: fn.id,
    uuid: fn.uuid,
    app_id: fn.appId,
    name: fn.name,
    triggers: fn.config.triggers,
    config: fn.config,
    created_at: iso(fn.createdAt),
    updated_at: iso(fn.updatedAt),
    archived_at: iso(fn.archivedAt),
  };
}

export function apiAiCall(call: AiCallRecord): Record<string, unknown> {
  return {
    id: call.id,
    run_id: call.runId,
    step_id: call.stepId,
    function_id: call.functionId,
    attempt: call.attempt,
    kind: call.kind,
    provider: call.provider,
    model: call.model,
    format: call.format,
    url: call.url,
    outcome: call.outcome,
    http_status: call.httpStatus,
    usage: {
      input_tokens: call.inputTokens,
      output_tokens: call.outputTokens,
      cached_tokens: call.cachedTokens,
      reasoning_tokens: call.reasoningTokens,
      total_tokens: call.totalTokens,
    },
    cost_usd: call.costUsd,
    latency_ms: call.latencyMs,
    first_token_ms: call.firstTokenMs,
    streamed: call.streamed,
    key_source: call.keySource,
    error: call.error,
    request: call.request,
    response_text: call.responseText,
    started_at: iso(call.startedAt),
    ended_at: iso(call.endedAt),
  };
}

export function apiUsage(totals: AiUsageTotals): Record<string, unknown> {
  return {
    key: totals.key,
    calls: totals.calls,
    errors: totals.errors,
    input_tokens: totals.inputTokens,
    output_tokens: totals.outputTokens,
    cached_tokens: totals.cachedTokens,
    cost_usd: Number(totals.costUsd.toFixed(6)),
    latency_ms_avg: Number(totals.latencyMsAvg.toFixed(1)),
  };
}
