/** A throwaway local Postgres server (Debian's binaries): the store-postgres tests' helper. */
export { TestPostgres } from "../../../../packages/store-postgres/test/postgres.js";
