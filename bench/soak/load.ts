import { steadyLoad } from "../lib/load.js";
import { summarize } from "../lib/stats.js";

/**
 * The soak's load generator, in a process of its own: `tsx bench/soak/load.ts <ingot url>
 * <runs per second> <report every ms>`. Starts 3-step runs on schedule and prints, every period,
 * one JSON line of the runs that completed in it: `{at, n, failed, p50, p99, max}`. Stops on
 * SIGTERM after the runs in flight finish, with a last line.
 */
const [url, rateText, everyText] = process.argv.slice(2);
if (!url || !rateText || !everyText) throw new Error("usage: load.ts <url> <rate> <everyMs>");
const load = steadyLoad({
  serverUrl: () => url,
  ratePerSecond: Number(rateText),
  event: (n) => ({ name: "soak/three", data: { n } }),
});
let reported = 0;
const report = (): void => {
  const window = load.samples.slice(reported);
  reported += window.length;
  const ok = window.filter((sample) => sample.ok).map((sample) => sample.ms);
  const stats = ok.length > 0 ? summarize(ok) : { p50: null, p99: null };
  process.stdout.write(
    `${JSON.stringify({
      at: Date.now(),
      n: ok.length,
      failed: window.length - ok.length,
      p50: stats.p50,
      p99: stats.p99,
      max: ok.length > 0 ? Math.max(...ok) : null,
    })}\n`,
  );
};
const timer = setInterval(report, Number(everyText));
process.on("SIGTERM", () => {
  clearInterval(timer);
  void load.stop().then(() => {
    report();
    process.exit(0);
  });
});
