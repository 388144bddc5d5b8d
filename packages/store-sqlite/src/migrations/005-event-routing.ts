/**
 * Event routing outcome: when an event
 * was routed and how many functions it triggered, so an event that matched none is visible
 * rather than silently gone.
 */
export const sql = `
ALTER TABLE events ADD COLUMN routed_at INTEGER;
ALTER TABLE events ADD COLUMN functions_triggered INTEGER;
`;
