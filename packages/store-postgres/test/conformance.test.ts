import { afterAll, beforeAll } from "vitest";
import { defineStoreConformance } from "../../store/test/conformance.js";
import { PostgresStore } from "../src/index.js";
import { TestPostgres } from "./postgres.js";

let server: TestPostgres | undefined;
/** A migrated, empty database each test's database is copied from (faster than migrating). */
let template: string | undefined;
/** The next test's database, created while the current test runs (CREATE DATABASE: ~0.35 s). */
let next: Promise<{ name: string; url: string }> | undefined;

beforeAll(async () => {
  server = await TestPostgres.start();
  const migrated = await server.createDatabase();
  await (await PostgresStore.open({ connectionString: migrated.url, max: 1 })).close();
  template = migrated.name;
});

afterAll(async () => {
  await server?.stop();
});

defineStoreConformance("postgres", async () => {
  const pg = server;
  if (!pg || !template) throw new Error("the test Postgres server did not start");
  const database = await (next ?? pg.createDatabase(template));
  next = pg.createDatabase(template);
  // Settled by the next test, or left to the server's removal after the last one.
  next.catch(() => undefined);
  // The real clock (the suite checks backend-stamped times against it); `open` still checks the
  // migrations, which the template already has.
  const store = await PostgresStore.open({ connectionString: database.url, max: 8 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await pg.dropDatabase(database.name);
    },
  };
});
