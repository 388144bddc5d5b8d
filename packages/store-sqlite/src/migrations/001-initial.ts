/** The initial schema. Times are epoch ms integers; JSON columns hold text. */
export const sql = `
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  sdk TEXT,
  framework TEXT,
  app_version TEXT,
  error TEXT,
  synced_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Removed apps stay as tombstones so other nodes notice the change (lastChangeAt).
  deleted_at INTEGER
);

CREATE TABLE functions (
  id TEXT PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  app_id TEXT NOT NULL,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  archived_at INTEGER
);
CREATE INDEX functions_app ON functions (app_id);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  ts INTEGER NOT NULL,
  user TEXT,
  v TEXT,
  idempotency_key TEXT,
  received_at INTEGER NOT NULL
);
CREATE INDEX events_name_received ON events (name, received_at);
CREATE INDEX events_received ON events (received_at);

CREATE TABLE event_keys (
  key TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  function_id TEXT NOT NULL,
  app_id TEXT NOT NULL,
  status TEXT NOT NULL,
  event_ids TEXT NOT NULL,
  output TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  request_version INTEGER NOT NULL DEFAULT -1,
  force_step_plan INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  correlation_id TEXT
);
CREATE INDEX runs_function ON runs (function_id, id);
CREATE INDEX runs_status ON runs (status, id);

CREATE TABLE run_events (
  event_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  PRIMARY KEY (event_id, run_id)
) WITHOUT ROWID;

CREATE TABLE steps (
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  seq INTEGER,
  status TEXT NOT NULL,
  op TEXT NOT NULL,
  display_name TEXT,
  userland_id TEXT,
  race INTEGER NOT NULL DEFAULT 0,
  output TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  duration_ms REAL,
  PRIMARY KEY (run_id, step_id)
) WITHOUT ROWID;

CREATE TABLE queue (
  id TEXT PRIMARY KEY,
  lane TEXT NOT NULL,
  kind TEXT NOT NULL,
  run_id TEXT,
  payload TEXT NOT NULL,
  available_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_token TEXT,
  dedupe_key TEXT,
  created_at INTEGER NOT NULL
);
-- At most one unleased item per dedupe key; a leased one does not block a new one.
CREATE UNIQUE INDEX queue_dedupe ON queue (dedupe_key) WHERE lease_owner IS NULL;
CREATE INDEX queue_due ON queue (lane, lease_owner, available_at);
CREATE INDEX queue_run ON queue (run_id);

CREATE TABLE waits (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  step_id TEXT,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  condition TEXT,
  match_path TEXT,
  match_value TEXT,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX waits_key ON waits (kind, key, match_path, match_value);
CREATE INDEX waits_run ON waits (run_id);

CREATE TABLE history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  step_id TEXT,
  attempt INTEGER,
  data TEXT
);
CREATE INDEX history_run ON history (run_id, id);
`;
