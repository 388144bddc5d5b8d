import { FunctionId, RunId, StepId } from "@ingot/protocol";
import type { AiCallFilter, AiCallRecord, AiCallStore, AiUsageTotals } from "@ingot/store";
import type { Database, Row, Sql } from "./database.js";
import { json, n, nn, parseJson, s, sn } from "./rows.js";

const GROUP_COLUMN = {
  provider: "provider",
  model: "COALESCE(model, '(unknown)')",
  function: "function_id",
} as const;

/**
 * Column order of `insertAiCalls`; each is bound as one array. Numbers bind as `float8` and the
 * assignment cast rounds them into the integer columns: token counts come from provider JSON,
 * and a fractional one must not fail the commit that carries the step's result.
 */
const COLUMNS: readonly [string, string, (call: AiCallRecord) => unknown][] = [
  ["id", "text", (call) => call.id],
  ["run_id", "text", (call) => call.runId],
  ["step_id", "text", (call) => call.stepId],
  ["function_id", "text", (call) => call.functionId],
  ["attempt", "float8", (call) => call.attempt],
  ["kind", "text", (call) => call.kind],
  ["provider", "text", (call) => call.provider],
  ["model", "text", (call) => call.model],
  ["format", "text", (call) => call.format],
  ["url", "text", (call) => call.url],
  ["outcome", "text", (call) => call.outcome],
  ["http_status", "float8", (call) => call.httpStatus],
  ["input_tokens", "float8", (call) => call.inputTokens],
  ["output_tokens", "float8", (call) => call.outputTokens],
  ["cached_tokens", "float8", (call) => call.cachedTokens],
  ["reasoning_tokens", "float8", (call) => call.reasoningTokens],
  ["total_tokens", "float8", (call) => call.totalTokens],
  ["cost_usd", "float8", (call) => call.costUsd],
  ["latency_ms", "float8", (call) => call.latencyMs],
  ["first_token_ms", "float8", (call) => call.firstTokenMs],
  ["streamed", "bool", (call) => call.streamed],
  ["key_source", "text", (call) => call.keySource],
  ["error", "text", (call) => call.error],
  ["request", "text", (call) => json(call.request)],
  ["response_text", "text", (call) => call.responseText],
  ["started_at", "float8", (call) => call.startedAt],
  ["ended_at", "float8", (call) => call.endedAt],
];

const INSERT = `INSERT INTO ai_calls (${COLUMNS.map(([name]) => name).join(", ")})
  SELECT * FROM unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(", ")})
  ON CONFLICT (id) DO NOTHING`;

/** Runs inside a commit: every call in one statement; an id already stored is kept. */
export async function insertAiCalls(tx: Sql, calls: readonly AiCallRecord[]): Promise<void> {
  if (calls.length === 0) return;
  await tx.query(
    INSERT,
    COLUMNS.map(([, , value]) => calls.map(value)),
  );
}

export class PostgresAiCalls implements AiCallStore {
  constructor(private readonly db: Database) {}

  async list(filter: AiCallFilter): Promise<AiCallRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.runId !== undefined) clauses.push(`run_id = ${param(filter.runId)}`);
    if (filter.functionIds && filter.functionIds.length > 0) {
      clauses.push(`function_id = ANY(${param(filter.functionIds)}::text[])`);
    }
    if (filter.from !== undefined) clauses.push(`started_at >= ${param(filter.from)}`);
    if (filter.until !== undefined) clauses.push(`started_at < ${param(filter.until)}`);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const order = filter.runId !== undefined ? "started_at, id" : "started_at DESC, id DESC";
    const { rows } = await this.db.query(
      `SELECT * FROM ai_calls ${where} ORDER BY ${order} LIMIT ${param(filter.limit)}`,
      params,
    );
    return rows.map(fromRow);
  }

  async totals(input: {
    groupBy: "provider" | "model" | "function";
    from?: number;
    until?: number;
  }): Promise<AiUsageTotals[]> {
    const column = GROUP_COLUMN[input.groupBy];
    const { rows } = await this.db.query(
      `SELECT ${column} AS key, COUNT(*) AS calls, COUNT(*) FILTER (WHERE outcome <> 'ok') AS errors,
              COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,
              COALESCE(SUM(cached_tokens), 0) AS cached_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
              AVG(latency_ms) AS latency_ms
       FROM ai_calls WHERE started_at >= $1 AND started_at < $2
       GROUP BY 1 ORDER BY cost_usd DESC, calls DESC`,
      [input.from ?? 0, input.until ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map((row) => ({
      key: s(row.key),
      calls: n(row.calls),
      errors: n(row.errors),
      inputTokens: n(row.input_tokens),
      outputTokens: n(row.output_tokens),
      cachedTokens: n(row.cached_tokens),
      costUsd: n(row.cost_usd),
      latencyMsAvg: n(row.latency_ms),
    }));
  }
}

function fromRow(row: Row): AiCallRecord {
  return {
    id: s(row.id),
    runId: RunId(s(row.run_id)),
    stepId: StepId(s(row.step_id)),
    functionId: FunctionId(s(row.function_id)),
    attempt: n(row.attempt),
    kind: row.kind === "fetch" ? "fetch" : "infer",
    provider: s(row.provider),
    model: sn(row.model),
    format: s(row.format),
    url: s(row.url),
    outcome: AI_OUTCOMES.find((outcome) => outcome === row.outcome) ?? "error",
    httpStatus: nn(row.http_status),
    inputTokens: nn(row.input_tokens),
    outputTokens: nn(row.output_tokens),
    cachedTokens: nn(row.cached_tokens),
    reasoningTokens: nn(row.reasoning_tokens),
    totalTokens: nn(row.total_tokens),
    costUsd: nn(row.cost_usd),
    latencyMs: n(row.latency_ms),
    firstTokenMs: nn(row.first_token_ms),
    streamed: row.streamed === true,
    keySource: row.key_source === "op" ? "op" : row.key_source === "server" ? "server" : "none",
    error: sn(row.error),
    request: parseJson(row.request),
    responseText: sn(row.response_text),
    startedAt: n(row.started_at),
    endedAt: n(row.ended_at),
  };
}

const AI_OUTCOMES = ["ok", "retry", "error", "cancelled"] as const;
