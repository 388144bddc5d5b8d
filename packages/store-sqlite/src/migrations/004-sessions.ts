/** Dashboard sessions: a digest of the cookie value and its expiry; logout deletes the row. */
export const sql = `
CREATE TABLE dashboard_sessions (
  digest TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
`;
