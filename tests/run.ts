import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { LEDGER_DIR } from "./conformance/harness/secret-ledger.js";
import { readLedger, sweep } from "./security/secret-sweep.js";

/**
 * `npm test` after build and lint: every vitest suite (parallel, then the serial one), then the
 * secret sweep over every database and log the suites left behind: no signing key, event key,
 * dashboard token or provider key may be found in any of them (invariant 6).
 */
const vitest = (args: string[]): number =>
  spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...args], {
    stdio: "inherit",
  }).status ?? 1;

rmSync(LEDGER_DIR, { recursive: true, force: true });
const parallel = vitest([]);
const serial = vitest(["--config", "vitest.serial.config.ts"]);
const report = sweep(readLedger(join(LEDGER_DIR, "ledger.jsonl")));
console.log(
  `secret sweep: ${report.keys} keys searched for in ${report.files} files (${(report.bytes / 1048576).toFixed(1)} MiB) of ${report.servers - report.missing} server data directories (${report.missing} removed by their tests); found ${report.found.length}`,
);
for (const hit of report.found) console.log(`  ${hit.key} in ${hit.file}`);
if (report.servers === 0)
  console.log("secret sweep: no server was recorded; the harness is broken");
const swept = report.found.length === 0 && report.servers > 0 ? 0 : 1;
process.exit(parallel || serial || swept);
