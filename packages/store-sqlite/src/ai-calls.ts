import { FunctionId, RunId, StepId } from "@ingot/protocol";
import type { AiCallFilter, AiCallRecord, AiCallStore, AiUsageTotals } from "@ingot/store";
import { json, parseJson, type Row, type Statements } from "./rows.js";

const GROUP_COLUMN = {
  provider: "provider",
  model: "COALESCE(model, '(unknown)')",
  function: "function_id",
} as const;

export class SqliteAiCalls implements AiCallStore {
  constructor(private readonly sql: Statements) {}

  /** Runs inside a commit. */
  insert(call: AiCallRecord): void {
    this.sql
      .get(
        `INSERT OR IGNORE INTO ai_calls (id, run_id, step_id, function_id, attempt, kind, provider, model, format, url,
           outcome, http_status, input_tokens, output_tokens, cached_tokens, reasoning_tokens, total_tokens, cost_usd,
           latency_ms, first_token_ms, streamed, key_source, error, request, response_text, started_at, ended_at)
         VALUES (@id, @runId, @stepId, @functionId, @attempt, @kind, @provider, @model, @format, @url,
           @outcome, @httpStatus, @inputTokens, @outputTokens, @cachedTokens, @reasoningTokens, @totalTokens, @costUsd,
           @latencyMs, @firstTokenMs, @streamed, @keySource, @error, @request, @responseText, @startedAt, @endedAt)`,
      )
      .run({ ...call, streamed: call.streamed ? 1 : 0, request: json(call.request) });
  }

  list(filter: AiCallFilter): Promise<AiCallRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.runId !== undefined) {
      clauses.push("run_id = ?");
      params.push(filter.runId);
    }
    if (filter.functionIds && filter.functionIds.length > 0) {
      clauses.push(`function_id IN (${filter.functionIds.map(() => "?").join(", ")})`);
      params.push(...filter.functionIds);
    }
    if (filter.from !== undefined) {
      clauses.push("started_at >= ?");
      params.push(filter.from);
    }
    if (filter.until !== undefined) {
      clauses.push("started_at < ?");
      params.push(filter.until);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const order = filter.runId !== undefined ? "started_at, id" : "started_at DESC, id DESC";
    const rows = this.sql
      .get(`SELECT * FROM ai_calls ${where} ORDER BY ${order} LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    return Promise.resolve(rows.map(fromRow));
  }

  totals(input: {
    groupBy: "provider" | "model" | "function";
    from?: number;
    until?: number;
  }): Promise<AiUsageTotals[]> {
    const column = GROUP_COLUMN[input.groupBy];
    const rows = this.sql
      .get(
        `SELECT ${column} AS key, COUNT(*) AS calls, SUM(outcome != 'ok') AS errors,
                COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,
                COALESCE(SUM(cached_tokens), 0) AS cached_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
                AVG(latency_ms) AS latency_ms
         FROM ai_calls WHERE started_at >= ? AND started_at < ? GROUP BY key ORDER BY cost_usd DESC, calls DESC`,
      )
      .all(input.from ?? 0, input.until ?? Number.MAX_SAFE_INTEGER) as Row[];
    return Promise.resolve(
      rows.map((row) => ({
        key: String(row.key),
        calls: Number(row.calls),
        errors: Number(row.errors),
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        cachedTokens: Number(row.cached_tokens),
        costUsd: Number(row.cost_usd),
        latencyMsAvg: Number(row.latency_ms),
      })),
    );
  }
}

const num = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

function fromRow(row: Row): AiCallRecord {
  return {
    id: String(row.id),
    runId: RunId(String(row.run_id)),
    stepId: StepId(String(row.step_id)),
    functionId: FunctionId(String(row.function_id)),
    attempt: Number(row.attempt),
    kind: row.kind === "fetch" ? "fetch" : "infer",
    provider: String(row.provider),
    model: text(row.model),
    format: String(row.format),
    url: String(row.url),
    outcome: AI_OUTCOMES.find((outcome) => outcome === row.outcome) ?? "error",
    httpStatus: num(row.http_status),
    inputTokens: num(row.input_tokens),
    outputTokens: num(row.output_tokens),
    cachedTokens: num(row.cached_tokens),
    reasoningTokens: num(row.reasoning_tokens),
    totalTokens: num(row.total_tokens),
    costUsd: num(row.cost_usd),
    latencyMs: Number(row.latency_ms),
    firstTokenMs: num(row.first_token_ms),
    streamed: Number(row.streamed) === 1,
    keySource: row.key_source === "op" ? "op" : row.key_source === "server" ? "server" : "none",
    error: text(row.error),
    request: parseJson(row.request),
    responseText: text(row.response_text),
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
  };
}

const AI_OUTCOMES = ["ok", "retry", "error", "cancelled"] as const;
