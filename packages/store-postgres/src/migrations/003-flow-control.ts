/**
 * Flow control (same number and name as SQLite's `003-flow-control`): per-function keyed state
 * (idempotency, rate limit and throttle TATs, debounce and batch windows, singletons, cron
 * ticks), concurrency slots and parked queue items, and run priority.
 */
export const sql = `
CREATE TABLE flow_state (
  fn_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (fn_id, kind, key)
);
CREATE INDEX flow_state_expiry ON flow_state (expires_at);

-- Concurrency: keys an item needs a slot of while it runs, and where it waits when full.
ALTER TABLE queue ADD COLUMN concurrency TEXT;
ALTER TABLE queue ADD COLUMN parked_on TEXT;

CREATE TABLE concurrency_slots (
  ckey TEXT NOT NULL,
  item_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (ckey, item_id)
);
CREATE INDEX concurrency_slots_item ON concurrency_slots (item_id);

-- Claim order: available_at moved by the run's priority (never when the item is due).
ALTER TABLE queue ADD COLUMN priority_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queue ADD COLUMN sort_at BIGINT;
UPDATE queue SET sort_at = available_at;
ALTER TABLE queue ALTER COLUMN sort_at SET NOT NULL;
DROP INDEX queue_due;
CREATE INDEX queue_due ON queue (lane, sort_at, id) WHERE lease_owner IS NULL;
-- Unparking takes the oldest item parked on a key.
CREATE INDEX queue_parked ON queue (parked_on, sort_at, id) WHERE parked_on IS NOT NULL;

ALTER TABLE runs ADD COLUMN priority_ms INTEGER NOT NULL DEFAULT 0;
-- Concurrency keys evaluated from the run's trigger event, attached to each of its requests.
ALTER TABLE runs ADD COLUMN concurrency TEXT;
`;
