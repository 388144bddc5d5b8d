export * from "./records.js";
export * from "./changeset.js";
export * from "./store.js";
