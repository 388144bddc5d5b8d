/** One row per provider call made by the AI gateway (usage and cost accounting). */
export const sql = `
CREATE TABLE ai_calls (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  function_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT,
  format TEXT NOT NULL,
  url TEXT NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_tokens INTEGER,
  reasoning_tokens INTEGER,
  total_tokens INTEGER,
  cost_usd REAL,
  latency_ms REAL NOT NULL,
  first_token_ms REAL,
  streamed INTEGER NOT NULL DEFAULT 0,
  key_source TEXT NOT NULL,
  error TEXT,
  request TEXT,
  response_text TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL
);
CREATE INDEX ai_calls_run ON ai_calls (run_id, started_at);
CREATE INDEX ai_calls_started ON ai_calls (started_at);
CREATE INDEX ai_calls_function ON ai_calls (function_id, started_at);
`;
