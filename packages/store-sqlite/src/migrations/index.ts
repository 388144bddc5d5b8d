import { sql as initial } from "./001-initial.js";

/** Numbered migrations; the Postgres backend keeps the same numbers and names. */
export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  { id: 1, name: "initial", sql: initial },
];
