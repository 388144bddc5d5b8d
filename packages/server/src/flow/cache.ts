import type { FlowWrite, Store } from "@ingot/store";

interface Entry {
  /** Version read from the store (`null`: absent or expired). */
  read: number | null;
  value: unknown;
  expiresAt: number;
  dirty: boolean;
}

/**
 * Flow-control state of one batch of admissions: read once from the store, updated in memory as
 * events are admitted one after another, written back as version-guarded `FlowWrite`s in the
 * batch's commit. A concurrent change elsewhere makes that commit a conflict, and the batch is
 * admitted again from fresh state.
 */
export class FlowCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    readonly now: number,
  ) {}

  async get(fnId: string, kind: string, key: string): Promise<unknown> {
    return (await this.entry(fnId, kind, key)).value;
  }

  async set(
    fnId: string,
    kind: string,
    key: string,
    value: unknown,
    expiresAt: number,
  ): Promise<void> {
    const entry = await this.entry(fnId, kind, key);
    entry.value = value;
    entry.expiresAt = expiresAt;
    entry.dirty = true;
  }

  writes(): FlowWrite[] {
    const out: FlowWrite[] = [];
    for (const [id, entry] of this.entries) {
      if (!entry.dirty) continue;
      const [fnId = "", kind = "", key = ""] = JSON.parse(id) as [string, string, string];
      const write: FlowWrite = { fnId, kind, key, at: this.now, expect: entry.read };
      if (entry.value !== undefined) {
        write.value = entry.value;
        write.expiresAt = entry.expiresAt;
      }
      out.push(write);
    }
    return out;
  }

  private async entry(fnId: string, kind: string, key: string): Promise<Entry> {
    const id = JSON.stringify([fnId, kind, key]);
    let entry = this.entries.get(id);
    if (!entry) {
      const record = await this.store.flow.get({ fnId, kind, key, now: this.now });
      entry = {
        read: record?.version ?? null,
        value: record?.value,
        expiresAt: record?.expiresAt ?? 0,
        dirty: false,
      };
      this.entries.set(id, entry);
    }
    return entry;
  }
}
