import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretsOfLaunch } from "../conformance/harness/secret-ledger.js";
import { maskKey, sweep } from "./secret-sweep.js";

/** The sweep that `npm test` runs over every server's files after the suites (finding 5). */
describe("the secret sweep", () => {
  it("finds a key in any file of a data directory, as is or JSON-escaped", () => {
    const dir = mkdtempSync(join(tmpdir(), "ingot-sweep-"));
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "ingot.db"), Buffer.from("\x00\x01 row: sk-live-abcdef123456 \x02"));
    writeFileSync(join(dir, "sub", "ingot.log"), '{"msg":"key a\\/b\\/c-secret-value"}');
    writeFileSync(join(dir, "clean.log"), "nothing here");
    const report = sweep([
      { dataDir: dir, secrets: ["sk-live-abcdef123456", "short"] },
      { secrets: ["a/b/c-secret-value", "never-anywhere-key"] },
      { dataDir: join(dir, "gone"), secrets: [] },
    ]);
    expect(report.keys).toBe(3);
    expect(report.files).toBe(3);
    expect(report.missing).toBe(1);
    expect(report.found.map((hit) => hit.key).sort()).toEqual(
      [maskKey("sk-live-abcdef123456"), maskKey("a/b/c-secret-value")].sort(),
    );
    expect(JSON.stringify(report)).not.toContain("sk-live-abcdef123456");
  });

  it("reads every secret a server launch is given", () => {
    const signing = `signkey-test-${"ab".repeat(32)}`;
    expect(
      secretsOfLaunch(
        ["start", "--signing-key", signing, "--event-key", "evt-one", "--port", "1"],
        {
          INGOT_EVENT_KEY: "evt-two,evt-three",
          INGOT_AI_KEYS: "openai=sk-held-1,anthropic=sk-ant-2",
          INGOT_DASHBOARD_TOKEN: "dash-token",
          PATH: "/usr/bin",
        },
      ).sort(),
    ).toEqual(
      [
        signing,
        "ab".repeat(32),
        "evt-one",
        "evt-two",
        "evt-three",
        "sk-held-1",
        "sk-ant-2",
        "dash-token",
      ].sort(),
    );
  });
});
