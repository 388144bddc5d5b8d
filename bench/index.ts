import { benchCore, describeCore } from "./core.js";
import { benchGatewayOverhead, benchInFlight, describeGateway } from "./gateway.js";
import { fmt } from "./lib/stats.js";

/**
 * `npm run bench [-- --quick]`: measures and prints one summary line per metric. Never part of
 * `npm test`. Every number is measured in this run, on this machine.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  for (const checkpointing of [true, false]) {
    out(
      describeCore(
        await benchCore({
          checkpointing,
          sequential: quick ? 200 : 500,
          concurrent: quick ? 1_000 : 3_000,
        }),
      ),
    );
  }
  out(describeGateway(await benchGatewayOverhead(quick ? 100 : 300)));
  const held = await benchInFlight(quick ? 2_000 : 10_000);
  out(
    `AI calls in flight on one node:     ${held.inFlight} (server RSS ${fmt(held.rssMiB, 0)} MiB, idle ${fmt(held.idleRssMiB, 0)} MiB; ${fmt(held.seconds, 1)} s to reach)`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
