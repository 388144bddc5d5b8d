export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { MIGRATIONS } from "./migrations/index.js";
export { SqliteStoreError, type SqliteStoreErrorCode } from "./database.js";
