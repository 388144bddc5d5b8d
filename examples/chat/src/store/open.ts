import { PostgresChatStore } from "./postgres.js";
import { SqliteChatStore } from "./sqlite.js";
import type { ChatStore } from "./types.js";

/** SQLite under `dataDir` unless a Postgres URL is given. */
export async function openStore(input: {
  dataDir: string;
  databaseUrl: string | undefined;
}): Promise<ChatStore> {
  if (input.databaseUrl !== undefined) return PostgresChatStore.open(input.databaseUrl);
  return SqliteChatStore.open(input.dataDir);
}
