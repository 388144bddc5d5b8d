/**
 * Numbered schema migrations, the same names in both dialects (a test checks the lists match).
 * Each runs once, recorded in `chat_migrations`; none relies on "IF NOT EXISTS".
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "conversations-requests-documents",
    sql: `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  mode TEXT NOT NULL,
  query TEXT NOT NULL,
  temperature REAL,
  max_tokens INTEGER,
  clean INTEGER NOT NULL,
  status TEXT NOT NULL,
  content TEXT,
  error TEXT,
  sources TEXT NOT NULL DEFAULT '[]',
  usage TEXT,
  model TEXT,
  event_id TEXT,
  run_id TEXT,
  created_at INTEGER NOT NULL,
  first_token_ms INTEGER,
  completed_at INTEGER
);
CREATE INDEX requests_conversation ON requests(conversation_id, created_at);
CREATE INDEX requests_status ON requests(status, mode);
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  source TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  chars INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE chunks (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  heading TEXT NOT NULL,
  text TEXT NOT NULL,
  embedding BLOB,
  embedding_model TEXT
);
CREATE INDEX chunks_document ON chunks(document_id, position);
CREATE TABLE chat_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO chat_meta (key, value) VALUES ('index_version', 0);
`,
  },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "conversations-requests-documents",
    sql: `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE requests (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  mode TEXT NOT NULL,
  query TEXT NOT NULL,
  temperature DOUBLE PRECISION,
  max_tokens INTEGER,
  clean BOOLEAN NOT NULL,
  status TEXT NOT NULL,
  content TEXT,
  error TEXT,
  sources TEXT NOT NULL DEFAULT '[]',
  usage TEXT,
  model TEXT,
  event_id TEXT,
  run_id TEXT,
  created_at BIGINT NOT NULL,
  first_token_ms BIGINT,
  completed_at BIGINT
);
CREATE INDEX requests_conversation ON requests(conversation_id, created_at);
CREATE INDEX requests_status ON requests(status, mode);
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  source TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  chars INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE chunks (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  heading TEXT NOT NULL,
  text TEXT NOT NULL,
  embedding BYTEA,
  embedding_model TEXT
);
CREATE INDEX chunks_document ON chunks(document_id, position);
CREATE TABLE chat_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO chat_meta (key, value) VALUES ('index_version', 0);
`,
  },
];
