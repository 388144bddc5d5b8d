/**
 * The initial schema (same number and name as SQLite's `001-initial`). Times are epoch ms
 * `BIGINT`s. JSON columns are `TEXT` holding `JSON.stringify` output, as in SQLite: step outputs
 * must round-trip byte for byte (invariant 1), `jsonb` would reject `\u0000` in event data and
 * reorder keys, and nothing queries inside JSON in SQL. Ids compare and sort as bytes
 * (`COLLATE "C"`), like SQLite's BINARY collation, whatever the database's default collation:
 * runs page by `id < $cursor`, events by `(received_at, id)`.
 */
export const sql = `
CREATE TABLE apps (
  id TEXT COLLATE "C" PRIMARY KEY,
  url TEXT NOT NULL,
  sdk TEXT,
  framework TEXT,
  app_version TEXT,
  error TEXT,
  synced_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- Removed apps stay as tombstones so other nodes notice the change (lastChangeAt).
  deleted_at BIGINT
);

CREATE TABLE functions (
  id TEXT COLLATE "C" PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  app_id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  archived_at BIGINT
);
CREATE INDEX functions_app ON functions (app_id);

CREATE TABLE events (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  ts BIGINT NOT NULL,
  -- "user" is a reserved word in Postgres.
  user_data TEXT,
  v TEXT,
  idempotency_key TEXT,
  received_at BIGINT NOT NULL
);
-- The wait look-back reads (name, received_at, id) in order; list pages by (received_at, id).
CREATE INDEX events_name_received ON events (name, received_at, id);
CREATE INDEX events_received ON events (received_at, id);

CREATE TABLE event_keys (
  key TEXT PRIMARY KEY,
  event_id TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE runs (
  id TEXT COLLATE "C" PRIMARY KEY,
  function_id TEXT COLLATE "C" NOT NULL,
  app_id TEXT COLLATE "C" NOT NULL,
  status TEXT NOT NULL,
  event_ids TEXT NOT NULL,
  output TEXT,
  error TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  ended_at BIGINT,
  request_version INTEGER NOT NULL DEFAULT -1,
  force_step_plan BOOLEAN NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 0,
  correlation_id TEXT
);
CREATE INDEX runs_function ON runs (function_id, id);
CREATE INDEX runs_status ON runs (status, id);

CREATE TABLE run_events (
  event_id TEXT COLLATE "C" NOT NULL,
  run_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (event_id, run_id)
);

CREATE TABLE steps (
  run_id TEXT COLLATE "C" NOT NULL,
  step_id TEXT COLLATE "C" NOT NULL,
  seq INTEGER,
  status TEXT NOT NULL,
  op TEXT NOT NULL,
  display_name TEXT,
  userland_id TEXT,
  race BOOLEAN NOT NULL DEFAULT FALSE,
  -- The memoized JSON text exactly as the SDK sent it (TEXT, never jsonb: invariant 1).
  output TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  ended_at BIGINT,
  duration_ms DOUBLE PRECISION,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE queue (
  id TEXT COLLATE "C" PRIMARY KEY,
  lane TEXT NOT NULL,
  kind TEXT NOT NULL,
  run_id TEXT COLLATE "C",
  payload TEXT NOT NULL,
  available_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_token TEXT,
  dedupe_key TEXT,
  created_at BIGINT NOT NULL
);
-- At most one unleased item per dedupe key; a leased one does not block a new one.
CREATE UNIQUE INDEX queue_dedupe ON queue (dedupe_key) WHERE lease_owner IS NULL;
-- Claims scan the due, unleased items of a lane; reaping scans the leased ones by expiry.
CREATE INDEX queue_due ON queue (lane, available_at) WHERE lease_owner IS NULL;
CREATE INDEX queue_leased ON queue (available_at) WHERE lease_owner IS NOT NULL;
CREATE INDEX queue_run ON queue (run_id);

CREATE TABLE waits (
  id TEXT COLLATE "C" PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL,
  step_id TEXT,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  condition TEXT,
  match_path TEXT,
  match_value TEXT,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX waits_key ON waits (kind, key, match_path, match_value);
CREATE INDEX waits_run ON waits (run_id);

CREATE TABLE history (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  step_id TEXT,
  attempt INTEGER,
  data TEXT
);
CREATE INDEX history_run ON history (run_id, id);
`;
