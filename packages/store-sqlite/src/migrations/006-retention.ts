/**
 * Retention (`--retention`): what pruning looks rows up by. Finished runs by end time (only they
 * have one), a run's event links by run, expired idempotency keys, and the queue items that name
 * events without belonging to a run (routing, debounce and batch windows) by age. Events are
 * paged by `(received_at, id)`, as in Postgres.
 */
export const sql = `
CREATE INDEX runs_ended ON runs (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX run_events_run ON run_events (run_id);
CREATE INDEX event_keys_expiry ON event_keys (expires_at);
CREATE INDEX queue_unbound ON queue (kind, created_at) WHERE run_id IS NULL;
DROP INDEX events_received;
CREATE INDEX events_received ON events (received_at, id);
`;
