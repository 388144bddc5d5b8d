import { matches, matchesEventName } from "@ingot/engine";
import {
  type FunctionId,
  InternalEvent,
  isEventTrigger,
  maxAttemptsOf,
  type StoredEvent,
  toSdkEvent,
} from "@ingot/protocol";
import type { FunctionRecord } from "@ingot/store";

/**
 * The active functions and their trigger index, rebuilt whenever apps sync. Exact event names
 * are looked up in a map; wildcard triggers (`app/*`) are few and scanned.
 */
export class FunctionRegistry {
  private byId = new Map<string, FunctionRecord>();
  private byUuid = new Map<string, FunctionRecord>();
  private exact = new Map<string, { fn: FunctionRecord; expression?: string }[]>();
  private wildcards: { pattern: string; fn: FunctionRecord; expression?: string }[] = [];

  replace(functions: readonly FunctionRecord[]): void {
    this.byId = new Map();
    this.byUuid = new Map();
    this.exact = new Map();
    this.wildcards = [];
    for (const fn of functions) {
      this.byId.set(fn.id, fn);
      this.byUuid.set(fn.uuid, fn);
      for (const trigger of fn.config.triggers) {
        if (!isEventTrigger(trigger)) continue;
        // Invocation bypasses triggers (spec §7.1); such triggers are never matched by name.
        if (trigger.event === InternalEvent.FunctionInvoked) continue;
        const entry = trigger.expression ? { fn, expression: trigger.expression } : { fn };
        if (trigger.event.includes("*")) this.wildcards.push({ pattern: trigger.event, ...entry });
        else {
          const list = this.exact.get(trigger.event) ?? [];
          list.push(entry);
          this.exact.set(trigger.event, list);
        }
      }
    }
  }

  get(id: FunctionId | string): FunctionRecord | undefined {
    return this.byId.get(id);
  }

  byFunctionUuid(uuid: string): FunctionRecord | undefined {
    return this.byUuid.get(uuid);
  }

  all(): FunctionRecord[] {
    return [...this.byId.values()];
  }

  /** Functions an event triggers: one entry per function, even if several triggers match. */
  match(event: StoredEvent): FunctionRecord[] {
    if (event.name === InternalEvent.FunctionInvoked) return [];
    const found = new Map<string, FunctionRecord>();
    const sdkEvent = toSdkEvent(event);
    const consider = (entry: { fn: FunctionRecord; expression?: string }): void => {
      if (found.has(entry.fn.id)) return;
      if (entry.expression === undefined || matches(entry.expression, { event: sdkEvent })) {
        found.set(entry.fn.id, entry.fn);
      }
    };
    for (const entry of this.exact.get(event.name) ?? []) consider(entry);
    for (const entry of this.wildcards) {
      if (matchesEventName(entry.pattern, event.name)) consider(entry);
    }
    return [...found.values()];
  }

  maxAttempts(id: FunctionId | string): number {
    const fn = this.byId.get(id);
    return fn ? maxAttemptsOf(fn.config) : 1;
  }
}
