/** Dashboard sessions (same number and name as SQLite's `004-sessions`). */
export const sql = `
CREATE TABLE dashboard_sessions (
  digest TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
`;
