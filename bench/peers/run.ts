import { describePeers, type PeerRun, runPeers } from "./index.js";

/**
 * Self-check of the peer bench on its own: `npx tsx bench/peers/run.ts [--quick]
 * [--only restate,dbos,bullmq,bullmq-durable]`. Installs the peers into bench/.peers on first use.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const onlyIndex = process.argv.indexOf("--only");
  const only =
    onlyIndex >= 0 ? (process.argv[onlyIndex + 1]?.split(",") as PeerRun["id"][]) : undefined;
  const started = performance.now();
  const results = await runPeers({ quick, ...(only ? { only } : {}) });
  for (const line of describePeers(results)) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `peers measured in ${((performance.now() - started) / 1000).toFixed(1)} s (${quick ? "quick" : "full"})\n`,
  );
}

main().then(
  // Exit explicitly: a peer client that failed to close must not keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
