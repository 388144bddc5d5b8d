import { randomUUID } from "node:crypto";

/** What a sync achieved. */
export interface SyncOutcome {
  appId: string;
  /** Functions were added, changed or archived. */
  modified: boolean;
  /** Active functions of the app after the sync. */
  functionCount: number;
}

export type Registration = { ok: true; outcome: SyncOutcome } | { ok: false; reason: string };

/**
 * Out-of-band registrations this node is waiting for. An SDK answers the sync `PUT` only after its
 * `POST /fn/register` came back, and answers it `200` even when that registration failed (the
 * Python SDK always does), so the `PUT`'s status says little: a sync counts once the app really
 * registered. Each sync opens an id that travels as `?deployId=` to the SDK and back on its
 * registration; registrations carrying an id nobody waits for are not kept.
 */
export class PendingRegistrations {
  private readonly pending = new Map<string, Registration | null>();

  open(): string {
    const syncId = `ingot-sync-${randomUUID()}`;
    this.pending.set(syncId, null);
    return syncId;
  }

  /** Records how the registration of a sync went; ignores ids that are not waited for. */
  settle(syncId: string | undefined, registration: Registration): void {
    if (syncId !== undefined && this.pending.has(syncId)) this.pending.set(syncId, registration);
  }

  isOpen(syncId: string | undefined): boolean {
    return syncId !== undefined && this.pending.has(syncId);
  }

  /** The registration that arrived for the sync (if any), and stops waiting for it. */
  close(syncId: string): Registration | null {
    const registration = this.pending.get(syncId) ?? null;
    this.pending.delete(syncId);
    return registration;
  }
}
