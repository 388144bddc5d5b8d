/**
 * Event routing outcome (same number and name as SQLite's `005-event-routing`): when an event
 * was routed and how many functions it triggered, so an event that matched none is visible
 * rather than silently gone.
 */
export const sql = `
ALTER TABLE events ADD COLUMN routed_at BIGINT;
ALTER TABLE events ADD COLUMN functions_triggered INTEGER;
`;
