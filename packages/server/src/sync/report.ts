import type { Logger } from "../logger.js";
import type { SyncOutcome } from "./registrations.js";

/**
 * Logs how syncs go without repeating itself: apps are re-synced every few seconds, so a sync
 * is logged at `info` (success) or `warn` (failure) when something changed — the first sync of an
 * app, new or changed functions, a failure, a different failure, a recovery — and at `debug`
 * otherwise.
 */
export class SyncReport {
  /** Last state per app URL: `"ok"` or the failure reason. */
  private readonly last = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  succeeded(input: { url: string; outcome: SyncOutcome; via: string }): void {
    const { url, outcome, via } = input;
    const changed = this.last.get(url) !== "ok" || outcome.modified;
    this.last.set(url, "ok");
    const fields = {
      app: outcome.appId,
      functions: outcome.functionCount,
      url,
      via,
      modified: outcome.modified,
    };
    if (changed)
      this.logger.info(fields, `app ${outcome.appId} synced: ${outcome.functionCount} functions`);
    else this.logger.debug(fields, "app re-synced, nothing changed");
  }

  failed(input: { url: string; reason: string }): void {
    const { url, reason } = input;
    const changed = this.last.get(url) !== reason;
    this.last.set(url, reason);
    if (changed) this.logger.warn({ url, reason }, `app sync failed: ${reason}`);
    else this.logger.debug({ url, reason }, "app sync still failing");
  }

  forget(url: string): void {
    this.last.delete(url);
  }
}
