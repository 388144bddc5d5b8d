import { sql as initial } from "./001-initial.js";
import { sql as aiCalls } from "./002-ai-calls.js";
import { sql as flowControl } from "./003-flow-control.js";
import { sql as sessions } from "./004-sessions.js";
import { sql as eventRouting } from "./005-event-routing.js";
import { sql as retention } from "./006-retention.js";

/**
 * Numbered migrations, the same numbers and names as `@ingot/store-sqlite`'s (STYLE.md rule 5;
 * `test/parity.test.ts` checks it). Each runs in its own transaction, under an advisory lock.
 */
export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  { id: 1, name: "initial", sql: initial },
  { id: 2, name: "ai-calls", sql: aiCalls },
  { id: 3, name: "flow-control", sql: flowControl },
  { id: 4, name: "sessions", sql: sessions },
  { id: 5, name: "event-routing", sql: eventRouting },
  { id: 6, name: "retention", sql: retention },
];
