/**
 * Retention (same number and name as SQLite's `006-retention`): what pruning looks rows up by.
 * Finished runs by end time (only they have one), a run's event links by run, expired
 * idempotency keys, and the queue items that name events without belonging to a run (routing,
 * debounce and batch windows) by age. Events already page by `(received_at, id)`.
 */
export const sql = `
CREATE INDEX runs_ended ON runs (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX run_events_run ON run_events (run_id);
CREATE INDEX event_keys_expiry ON event_keys (expires_at);
CREATE INDEX queue_unbound ON queue (kind, created_at) WHERE run_id IS NULL;
`;
