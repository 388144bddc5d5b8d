/** One row per provider call made by the AI gateway (usage and cost accounting). */
export const sql = `
CREATE TABLE ai_calls (
  id TEXT COLLATE "C" PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL,
  step_id TEXT NOT NULL,
  function_id TEXT COLLATE "C" NOT NULL,
  attempt INTEGER NOT NULL,
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT,
  format TEXT NOT NULL,
  url TEXT NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  input_tokens BIGINT,
  output_tokens BIGINT,
  cached_tokens BIGINT,
  reasoning_tokens BIGINT,
  total_tokens BIGINT,
  cost_usd DOUBLE PRECISION,
  latency_ms DOUBLE PRECISION NOT NULL,
  first_token_ms DOUBLE PRECISION,
  streamed BOOLEAN NOT NULL DEFAULT FALSE,
  key_source TEXT NOT NULL,
  error TEXT,
  request TEXT,
  response_text TEXT,
  started_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL
);
CREATE INDEX ai_calls_run ON ai_calls (run_id, started_at);
CREATE INDEX ai_calls_started ON ai_calls (started_at);
CREATE INDEX ai_calls_function ON ai_calls (function_id, started_at);
`;
