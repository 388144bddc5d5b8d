import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { IndexedChunk } from "../rag/types.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";
import {
  chunkRow,
  conversationRow,
  conversationSummaryRow,
  documentRow,
  encodeVector,
  requestRow,
  statsRow,
  MigrationRow,
  ToEmbedRow,
  VersionRow,
} from "./rows.js";
import type {
  ChatMode,
  ChatRequest,
  ChatStore,
  Completion,
  NewChunk,
  NewDocument,
  NewRequest,
} from "./types.js";

const DOCUMENT_COLUMNS = `d.id, d.title, d.source, d.kind, d.content_hash, d.chars, d.created_at,
  (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS chunks,
  (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id AND c.embedding IS NOT NULL) AS embedded_chunks`;

/**
 * The default store: one SQLite file (WAL) under the data directory. better-sqlite3 is
 * synchronous; the async interface is for the Postgres twin.
 */
export class SqliteChatStore implements ChatStore {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  static open(dataDir: string): SqliteChatStore {
    mkdirSync(dataDir, { recursive: true });
    // The data directory lives in the working tree by default; keep it out of git.
    const ignore = join(dataDir, ".gitignore");
    if (!existsSync(ignore)) writeFileSync(ignore, "*\n");
    const db = new Database(join(dataDir, "chat.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    migrate(db);
    return new SqliteChatStore(db);
  }

  createRequest(request: NewRequest, conversationTitle: string): Promise<void> {
    return this.sync(() => {
      this.db.transaction(() => {
        this.db
          .prepare(
            `INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at`,
          )
          .run(request.conversation_id, conversationTitle, request.created_at, request.created_at);
        this.db
          .prepare(
            `INSERT INTO requests (id, conversation_id, mode, query, temperature, max_tokens, clean,
               status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
          )
          .run(
            request.id,
            request.conversation_id,
            request.mode,
            request.query,
            request.temperature,
            request.max_tokens,
            request.clean ? 1 : 0,
            request.created_at,
          );
      })();
    });
  }

  getRequest(id: string): Promise<ChatRequest | undefined> {
    return this.sync(() => {
      const row: unknown = this.db.prepare("SELECT * FROM requests WHERE id = ?").get(id);
      return row === undefined ? undefined : requestRow(row);
    });
  }

  setRequestEvent(id: string, eventId: string): Promise<void> {
    return this.sync(() => {
      this.db.prepare("UPDATE requests SET event_id = ? WHERE id = ?").run(eventId, id);
    });
  }

  setRequestRun(id: string, runId: string): Promise<void> {
    return this.sync(() => {
      this.db.prepare("UPDATE requests SET run_id = ? WHERE id = ?").run(runId, id);
    });
  }

  setFirstToken(id: string, ms: number): Promise<void> {
    return this.sync(() => {
      this.db
        .prepare("UPDATE requests SET first_token_ms = ? WHERE id = ? AND first_token_ms IS NULL")
        .run(Math.round(ms), id);
    });
  }

  completeRequest(c: Completion): Promise<boolean> {
    return this.sync(() => {
      const result = this.db
        .prepare(
          `UPDATE requests SET status = 'done', content = ?, sources = ?, usage = ?, model = ?,
             completed_at = ? WHERE id = ? AND status = 'pending'`,
        )
        .run(
          c.content,
          JSON.stringify(c.sources),
          c.usage === null ? null : JSON.stringify(c.usage),
          c.model,
          c.completedAt,
          c.id,
        );
      return result.changes > 0;
    });
  }

  failRequest(input: { id: string; error: string; completedAt: number }): Promise<boolean> {
    return this.sync(() => {
      const result = this.db
        .prepare(
          `UPDATE requests SET status = 'error', error = ?, completed_at = ?
           WHERE id = ? AND status = 'pending'`,
        )
        .run(input.error, input.completedAt, input.id);
      return result.changes > 0;
    });
  }

  failPending(input: { mode: ChatMode; error: string; completedAt: number }): Promise<number> {
    return this.sync(() => {
      return this.db
        .prepare(
          `UPDATE requests SET status = 'error', error = ?, completed_at = ?
           WHERE status = 'pending' AND mode = ?`,
        )
        .run(input.error, input.completedAt, input.mode).changes;
    });
  }

  turns(conversationId: string, limit?: number): Promise<ChatRequest[]> {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT * FROM (SELECT *, rowid AS r FROM requests WHERE conversation_id = ?
             ORDER BY created_at DESC, rowid DESC LIMIT ?) ORDER BY created_at, r`,
        )
        .all(conversationId, limit ?? -1);
      return rows.map(requestRow);
    });
  }

  getConversation(id: string) {
    return this.sync(() => {
      const row: unknown = this.db.prepare("SELECT * FROM conversations WHERE id = ?").get(id);
      return row === undefined ? undefined : conversationRow(row);
    });
  }

  listConversations(limit: number) {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT c.*, (SELECT COUNT(*) FROM requests r WHERE r.conversation_id = c.id) AS turns
           FROM conversations c ORDER BY c.updated_at DESC, c.id LIMIT ?`,
        )
        .all(limit);
      return rows.map(conversationSummaryRow);
    });
  }

  deleteConversation(id: string): Promise<boolean> {
    return this.sync(() => {
      return this.db.prepare("DELETE FROM conversations WHERE id = ?").run(id).changes > 0;
    });
  }

  stats() {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT mode, COUNT(*) AS total,
             SUM(status = 'done') AS done, SUM(status = 'error') AS errors,
             SUM(status = 'pending') AS pending,
             AVG(CASE WHEN status = 'done' THEN completed_at - created_at END) AS avg_total_ms,
             AVG(first_token_ms) AS avg_first_token_ms
           FROM requests GROUP BY mode ORDER BY mode`,
        )
        .all();
      return rows.map(statsRow);
    });
  }

  putDocument(document: NewDocument, chunks: readonly NewChunk[]): Promise<void> {
    return this.sync(() => {
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM documents WHERE source = ?").run(document.source);
        this.db
          .prepare(
            `INSERT INTO documents (id, title, source, kind, content_hash, chars, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            document.id,
            document.title,
            document.source,
            document.kind,
            document.content_hash,
            document.chars,
            document.created_at,
          );
        const insert = this.db.prepare(
          "INSERT INTO chunks (id, document_id, position, heading, text) VALUES (?, ?, ?, ?, ?)",
        );
        for (const chunk of chunks)
          insert.run(chunk.id, document.id, chunk.position, chunk.heading, chunk.text);
        this.bumpVersion();
      })();
    });
  }

  getDocumentBySource(source: string) {
    return this.sync(() => {
      const row: unknown = this.db
        .prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.source = ?`)
        .get(source);
      return row === undefined ? undefined : documentRow(row);
    });
  }

  listDocuments() {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT ${DOCUMENT_COLUMNS} FROM documents d ORDER BY d.kind DESC, d.created_at DESC, d.title`,
        )
        .all();
      return rows.map(documentRow);
    });
  }

  deleteDocument(id: string): Promise<boolean> {
    return this.sync(() => {
      return this.db.transaction(() => {
        const deleted = this.db.prepare("DELETE FROM documents WHERE id = ?").run(id).changes > 0;
        if (deleted) this.bumpVersion();
        return deleted;
      })();
    });
  }

  indexedChunks(embeddingModel: string | undefined): Promise<IndexedChunk[]> {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT c.id, c.document_id, c.position, c.heading, c.text, d.title, d.source,
             CASE WHEN c.embedding_model = ? THEN c.embedding END AS embedding
           FROM chunks c JOIN documents d ON d.id = c.document_id
           ORDER BY d.source, c.position`,
        )
        .all(embeddingModel ?? null);
      return rows.map(chunkRow);
    });
  }

  chunksToEmbed(documentId: string, model: string) {
    return this.sync(() => {
      const rows: unknown[] = this.db
        .prepare(
          `SELECT id, text FROM chunks WHERE document_id = ?
             AND (embedding IS NULL OR embedding_model IS NOT ?) ORDER BY position`,
        )
        .all(documentId, model);
      return rows.map((row) => ToEmbedRow.parse(row));
    });
  }

  setEmbeddings(model: string, vectors: readonly { chunkId: string; vector: number[] }[]) {
    return this.sync(() => {
      this.db.transaction(() => {
        const update = this.db.prepare(
          "UPDATE chunks SET embedding = ?, embedding_model = ? WHERE id = ?",
        );
        for (const { chunkId, vector } of vectors) update.run(encodeVector(vector), model, chunkId);
        this.bumpVersion();
      })();
    });
  }

  indexVersion(): Promise<number> {
    return this.sync(() => {
      const row: unknown = this.db
        .prepare("SELECT value FROM chat_meta WHERE key = 'index_version'")
        .get();
      return VersionRow.parse(row).value;
    });
  }

  close(): Promise<void> {
    return this.sync(() => {
      this.db.close();
    });
  }

  /** better-sqlite3 is synchronous: run the work now, report it as the interface's promise. */
  private sync<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private bumpVersion(): void {
    this.db.prepare("UPDATE chat_meta SET value = value + 1 WHERE key = 'index_version'").run();
  }
}

function migrate(db: Database.Database): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS chat_migrations (
       id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
  );
  const applied = new Set(
    db
      .prepare("SELECT id FROM chat_migrations")
      .all()
      .map((row) => MigrationRow.parse(row).id),
  );
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO chat_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
        migration.id,
        migration.name,
        Date.now(),
      );
    })();
  }
}
