import pg from "pg";
import type { IndexedChunk } from "../rag/types.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";
import {
  chunkRow,
  conversationRow,
  conversationSummaryRow,
  documentRow,
  encodeVector,
  MigrationRow,
  requestRow,
  statsRow,
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

/** Serialises migrations of several chat instances starting at once on one database. */
const MIGRATION_LOCK = 0x636861; // "cha"

/** The store for several chat instances: Postgres via `DATABASE_URL`. */
export class PostgresChatStore implements ChatStore {
  readonly dialect = "postgres" as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(connectionString: string): Promise<PostgresChatStore> {
    const pool = new pg.Pool({ connectionString, max: 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end();
      throw new Error(`could not prepare the Postgres database at DATABASE_URL`, { cause: error });
    }
    return new PostgresChatStore(pool);
  }

  private async rows(sql: string, params: unknown[] = []): Promise<unknown[]> {
    const result = await this.pool.query(sql, params);
    const rows: unknown[] = result.rows;
    return rows;
  }

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const out = await work(client);
      await client.query("COMMIT");
      return out;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async createRequest(request: NewRequest, conversationTitle: string): Promise<void> {
    await this.tx(async (client) => {
      await client.query(
        `INSERT INTO conversations (id, title, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
        [request.conversation_id, conversationTitle, request.created_at],
      );
      await client.query(
        `INSERT INTO requests (id, conversation_id, mode, query, temperature, max_tokens, clean,
           status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`,
        [
          request.id,
          request.conversation_id,
          request.mode,
          request.query,
          request.temperature,
          request.max_tokens,
          request.clean,
          request.created_at,
        ],
      );
    });
  }

  async getRequest(id: string): Promise<ChatRequest | undefined> {
    const [row] = await this.rows("SELECT * FROM requests WHERE id = $1", [id]);
    return row === undefined ? undefined : requestRow(row);
  }

  async setRequestEvent(id: string, eventId: string): Promise<void> {
    await this.pool.query("UPDATE requests SET event_id = $1 WHERE id = $2", [eventId, id]);
  }

  async setRequestRun(id: string, runId: string): Promise<void> {
    await this.pool.query("UPDATE requests SET run_id = $1 WHERE id = $2", [runId, id]);
  }

  async setFirstToken(id: string, ms: number): Promise<void> {
    await this.pool.query(
      "UPDATE requests SET first_token_ms = $1 WHERE id = $2 AND first_token_ms IS NULL",
      [Math.round(ms), id],
    );
  }

  async completeRequest(c: Completion): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE requests SET status = 'done', content = $1, sources = $2, usage = $3, model = $4,
         completed_at = $5 WHERE id = $6 AND status = 'pending'`,
      [
        c.content,
        JSON.stringify(c.sources),
        c.usage === null ? null : JSON.stringify(c.usage),
        c.model,
        c.completedAt,
        c.id,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async failRequest(input: { id: string; error: string; completedAt: number }): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE requests SET status = 'error', error = $1, completed_at = $2
       WHERE id = $3 AND status = 'pending'`,
      [input.error, input.completedAt, input.id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async failPending(input: {
    mode: ChatMode;
    error: string;
    completedAt: number;
  }): Promise<number> {
    const result = await this.pool.query(
      `UPDATE requests SET status = 'error', error = $1, completed_at = $2
       WHERE status = 'pending' AND mode = $3`,
      [input.error, input.completedAt, input.mode],
    );
    return result.rowCount ?? 0;
  }

  async turns(conversationId: string, limit?: number): Promise<ChatRequest[]> {
    const rows = await this.rows(
      `SELECT * FROM (SELECT * FROM requests WHERE conversation_id = $1
         ORDER BY created_at DESC, seq DESC LIMIT $2) r ORDER BY created_at, seq`,
      [conversationId, limit ?? null],
    );
    return rows.map(requestRow);
  }

  async getConversation(id: string) {
    const [row] = await this.rows("SELECT * FROM conversations WHERE id = $1", [id]);
    return row === undefined ? undefined : conversationRow(row);
  }

  async listConversations(limit: number) {
    const rows = await this.rows(
      `SELECT c.*, (SELECT COUNT(*) FROM requests r WHERE r.conversation_id = c.id) AS turns
       FROM conversations c ORDER BY c.updated_at DESC, c.id LIMIT $1`,
      [limit],
    );
    return rows.map(conversationSummaryRow);
  }

  async deleteConversation(id: string): Promise<boolean> {
    const result = await this.pool.query("DELETE FROM conversations WHERE id = $1", [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async stats() {
    const rows = await this.rows(
      `SELECT mode, COUNT(*) AS total,
         COUNT(*) FILTER (WHERE status = 'done') AS done,
         COUNT(*) FILTER (WHERE status = 'error') AS errors,
         COUNT(*) FILTER (WHERE status = 'pending') AS pending,
         AVG(completed_at - created_at) FILTER (WHERE status = 'done') AS avg_total_ms,
         AVG(first_token_ms) AS avg_first_token_ms
       FROM requests GROUP BY mode ORDER BY mode`,
    );
    return rows.map(statsRow);
  }

  async putDocument(document: NewDocument, chunks: readonly NewChunk[]): Promise<void> {
    await this.tx(async (client) => {
      await client.query("DELETE FROM documents WHERE source = $1", [document.source]);
      await client.query(
        `INSERT INTO documents (id, title, source, kind, content_hash, chars, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          document.id,
          document.title,
          document.source,
          document.kind,
          document.content_hash,
          document.chars,
          document.created_at,
        ],
      );
      if (chunks.length > 0)
        await client.query(
          `INSERT INTO chunks (id, document_id, position, heading, text)
           SELECT id, $1, position, heading, text
           FROM UNNEST($2::text[], $3::int[], $4::text[], $5::text[]) AS t(id, position, heading, text)`,
          [
            document.id,
            chunks.map((c) => c.id),
            chunks.map((c) => c.position),
            chunks.map((c) => c.heading),
            chunks.map((c) => c.text),
          ],
        );
      await bumpVersion(client);
    });
  }

  async getDocumentBySource(source: string) {
    const [row] = await this.rows(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.source = $1`,
      [source],
    );
    return row === undefined ? undefined : documentRow(row);
  }

  async listDocuments() {
    const rows = await this.rows(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents d ORDER BY d.kind DESC, d.created_at DESC, d.title`,
    );
    return rows.map(documentRow);
  }

  async deleteDocument(id: string): Promise<boolean> {
    return this.tx(async (client) => {
      const result = await client.query("DELETE FROM documents WHERE id = $1", [id]);
      const deleted = (result.rowCount ?? 0) > 0;
      if (deleted) await bumpVersion(client);
      return deleted;
    });
  }

  async indexedChunks(embeddingModel: string | undefined): Promise<IndexedChunk[]> {
    const rows = await this.rows(
      `SELECT c.id, c.document_id, c.position, c.heading, c.text, d.title, d.source,
         CASE WHEN c.embedding_model = $1 THEN c.embedding END AS embedding
       FROM chunks c JOIN documents d ON d.id = c.document_id
       ORDER BY d.source, c.position`,
      [embeddingModel ?? null],
    );
    return rows.map(chunkRow);
  }

  async chunksToEmbed(documentId: string, model: string) {
    const rows = await this.rows(
      `SELECT id, text FROM chunks WHERE document_id = $1
         AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2) ORDER BY position`,
      [documentId, model],
    );
    return rows.map((row) => ToEmbedRow.parse(row));
  }

  async setEmbeddings(model: string, vectors: readonly { chunkId: string; vector: number[] }[]) {
    await this.tx(async (client) => {
      for (const { chunkId, vector } of vectors)
        await client.query("UPDATE chunks SET embedding = $1, embedding_model = $2 WHERE id = $3", [
          encodeVector(vector),
          model,
          chunkId,
        ]);
      await bumpVersion(client);
    });
  }

  async indexVersion(): Promise<number> {
    const [row] = await this.rows("SELECT value FROM chat_meta WHERE key = 'index_version'");
    return VersionRow.parse(row).value;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function bumpVersion(client: pg.PoolClient): Promise<void> {
  await client.query("UPDATE chat_meta SET value = value + 1 WHERE key = 'index_version'");
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS chat_migrations (
         id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const applied = new Set(
      (await client.query("SELECT id FROM chat_migrations")).rows.map(
        (row) => MigrationRow.parse(row).id,
      ),
    );
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          "INSERT INTO chat_migrations (id, name, applied_at) VALUES ($1, $2, $3)",
          [migration.id, migration.name, Date.now()],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
