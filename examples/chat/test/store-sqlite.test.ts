import { describe, expect, it } from "vitest";
import { SqliteChatStore } from "../src/store/sqlite.js";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "../src/store/migrations.js";
import { tempDir } from "./helpers/ingot.js";
import { storeCases } from "./helpers/store-cases.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

describe("SQLite chat store", () => {
  storeCases(async () => SqliteChatStore.open(tempDir("chat-store-")));

  it("reopens an existing file without re-running migrations, and keeps the data dir out of git", async () => {
    const dir = tempDir("chat-store-");
    const first = SqliteChatStore.open(dir);
    await first.createRequest(
      {
        id: "r",
        conversation_id: "c",
        mode: "durable",
        query: "q",
        temperature: null,
        max_tokens: null,
        clean: false,
        created_at: 1,
      },
      "t",
    );
    await first.close();
    const second = SqliteChatStore.open(dir);
    expect((await second.getRequest("r"))?.query).toBe("q");
    await second.close();
    expect(existsSync(join(dir, "chat.db"))).toBe(true);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("*\n");
  });

  it("has the same numbered migrations in both dialects", () => {
    expect(SQLITE_MIGRATIONS.map((m) => [m.id, m.name])).toEqual(
      POSTGRES_MIGRATIONS.map((m) => [m.id, m.name]),
    );
  });
});
