import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createIngotServer, type IngotServer, resolveConfig } from "@ingot/server";
import type { Store } from "@ingot/store";
import { SqliteStore } from "@ingot/store-sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { requireEventKey } from "../../packages/server/src/http/auth.js";
import { createLogger } from "../../packages/server/src/logger.js";
import { bearerMatches } from "../../packages/server/src/security/signing.js";

/** Findings 1 and 6 (keys): what `ingot start` accepts as keys, and how it compares them. */

const VALID = `signkey-prod-${"0f".repeat(32)}`;
const EVENT_KEY = "evt-0123456789abcdef";
const EMPTY_DIGEST = createHash("sha256").update(Buffer.alloc(0)).digest("hex");

const dataDir = () => mkdtempSync(join(tmpdir(), "ingot-sec-keys-"));
const start = (flags: Record<string, unknown>) =>
  resolveConfig("start", { dataDir: dataDir(), eventKeys: [EVENT_KEY], ...flags }, {});

describe("signing keys are validated at start-up", () => {
  it.each([
    ["a passphrase", "my-very-long-and-secret-passphrase-2024"],
    ["one digit", "1"],
    ["a word", "hello"],
    ["a prefix with a non-hex key", "signkey-prod-my-very-long-and-secret-passphrase-2024"],
    ["a hex prefix with a non-hex tail", `signkey-prod-${"ab".repeat(32)}zz`],
    ["too short (31 bytes)", `signkey-prod-${"ab".repeat(31)}`],
    ["an odd number of hex digits", `signkey-prod-${"a".repeat(65)}`],
    ["raw hex without the signkey prefix", "ab".repeat(32)],
  ])("refuses %s", (_name, key) => {
    expect(() => start({ signingKey: key })).toThrow(/--signing-key: a signing key is/);
    expect(() => start({ signingKey: VALID, signingKeyFallback: key })).toThrow(
      /--signing-key-fallback/,
    );
  });

  it("never quotes the refused key in its message", () => {
    const key = "my-very-long-and-secret-passphrase-2024";
    expect(() => start({ signingKey: key })).toThrow(expect.not.stringContaining(key) as string);
  });

  it("accepts a key as Inngest issues them, any case", () => {
    expect(start({ signingKey: VALID }).signingKey).toBe(VALID);
    expect(start({ signingKey: VALID.toUpperCase().replace("SIGNKEY", "signkey") }).mode).toBe(
      "start",
    );
  });

  it("states the minimum length of event keys and of the dashboard token", () => {
    expect(() => start({ signingKey: VALID, eventKeys: ["short-key"] })).toThrow(
      /event key must have at least 16 characters/,
    );
    expect(() => start({ signingKey: VALID, dashboardToken: "12345678" })).toThrow(
      /dashboard token must have at least 16 characters/,
    );
  });

  it("the sha256 of nothing is no bearer for any key, valid or not", () => {
    const bearer = `Bearer ${EMPTY_DIGEST}`;
    expect(bearerMatches(bearer, ["my-very-long-and-secret-passphrase-2024"])).toBe(false);
    expect(bearerMatches(bearer, [`signkey-prod-my-very-long-passphrase`])).toBe(false);
    expect(bearerMatches(bearer, [VALID])).toBe(false);
    expect(bearerMatches(`Bearer ${VALID}`, [VALID])).toBe(true);
  });
});

describe("secrets are compared in constant time", () => {
  /** Median time of `fn` over `rounds` runs, in ms. */
  const median = (fn: () => void, rounds: number): number => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const t0 = performance.now();
      fn();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(rounds / 2)] ?? 0;
  };

  it("an event key that differs in its last character takes as long to refuse as one that differs in its first", () => {
    // 4 MiB keys make a comparison that stops at the first difference (Array.includes, ===)
    // a million times faster for an early difference; a digest comparison costs the same.
    const key = "k".repeat(4 * 1024 * 1024);
    const config = start({ signingKey: VALID, eventKeys: [key] });
    const late = `${key.slice(0, -1)}x`;
    const early = `x${key.slice(1)}`;
    const refuse = (candidate: string) => () => {
      expect(() => requireEventKey(config, candidate)).toThrow(/unknown event key/);
    };
    refuse(late)();
    refuse(early)();
    const lateMs = median(refuse(late), 9);
    const earlyMs = median(refuse(early), 9);
    expect(lateMs / earlyMs).toBeLessThan(3);
    expect(earlyMs / lateMs).toBeLessThan(3);
  });
});

describe("request paths that carry a key are not logged", () => {
  const servers: IngotServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
  });

  it("a 500 under /e/<key> logs the path without the key", async () => {
    let log = "";
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const config = start({ signingKey: VALID });
    const sqlite = new SqliteStore({ path: join(config.dataDir, "ingot.db") });
    // A store whose event intake fails: the route answers 500 and logs the failure.
    const store: Store = Object.create(sqlite, {
      events: {
        value: Object.create(sqlite.events, {
          accept: { value: () => Promise.reject(new Error("disk on fire")) },
        }),
      },
    }) as Store;
    const server = createIngotServer(config, {
      store,
      logger: createLogger({ level: "info", destination }),
    });
    servers.push(server);
    const response = await server.app.request(`/e/${EVENT_KEY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "app/x", data: {} }),
    });
    expect(response.status).toBe(500);
    expect(log).toContain("disk on fire");
    expect(log).toContain("/e/[redacted]");
    expect(log).not.toContain(EVENT_KEY);
  });
});
