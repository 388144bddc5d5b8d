import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openIngotServer, resolveConfig } from "../src/index.js";
import { silentLogger } from "../src/logger.js";

/** `pg` (a CommonJS package) shows in the module cache once anything imported it. */
const pgLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    /[\\/]node_modules[\\/]pg[\\/]/.test(path),
  );

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("openIngotServer", () => {
  it("loads pg only when a Postgres URI is configured", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ingot-lazy-pg-"));
    dirs.push(dataDir);
    const sqlite = await openIngotServer(resolveConfig("dev", { dataDir }, {}), {
      logger: silentLogger(),
    });
    expect(sqlite.deps.store.dialect).toBe("sqlite");
    await sqlite.stop();
    expect(pgLoaded()).toBe(false);

    // Nothing connects before start(): the URI need not point at a server.
    const config = resolveConfig("dev", { postgresUri: "postgres://127.0.0.1:1/none" }, {});
    const postgres = await openIngotServer(config, { logger: silentLogger() });
    expect(postgres.deps.store.dialect).toBe("postgres");
    expect(pgLoaded()).toBe(true);
    await postgres.stop();
  });
});
