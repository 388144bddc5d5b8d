import { describe, expect, it } from "vitest";
import {
  batchDue,
  batchOnEvent,
  debounceDue,
  debounceOnEvent,
  gcra,
  priorityShiftMs,
  rateLimitAdmits,
  throttleStart,
} from "../src/index.js";

/** Flow-control algorithms with an injected clock (spec §7.1). */

describe("throttle (GCRA)", () => {
  /** Admits `n` requests arriving at `times` and returns when each may start. */
  function starts(
    times: number[],
    config: { limit: number; periodMs: number; burst: number },
  ): number[] {
    let tat: number | undefined;
    return times.map((now) => {
      const decision = throttleStart({ tat, now, ...config });
      tat = decision.tat;
      return decision.at;
    });
  }

  it("spaces starts period/limit apart without a burst", () => {
    expect(starts([0, 0, 0, 0], { limit: 1, periodMs: 1000, burst: 0 })).toEqual([
      0, 1000, 2000, 3000,
    ]);
    expect(starts([0, 0, 0, 0], { limit: 2, periodMs: 1000, burst: 0 })).toEqual([0, 0, 500, 1000]);
  });

  it("matches Inngest's documented example: limit 2, 6s, burst 1, events 0.5s apart", () => {
    // "Three runs (limit + burst) start at once, then one run starts every 3s."
    expect(
      starts([0, 500, 1000, 1500, 2000, 2500], { limit: 2, periodMs: 6000, burst: 1 }),
    ).toEqual([0, 500, 1000, 3000, 6000, 9000]);
  });

  it("recovers capacity after a quiet period", () => {
    expect(starts([0, 0, 10_000, 10_000], { limit: 1, periodMs: 1000, burst: 0 })).toEqual([
      0, 1000, 10_000, 11_000,
    ]);
  });

  it("gcra never schedules in the past", () => {
    const decision = gcra({ tat: 0, now: 5_000, limit: 1, periodMs: 1000, burst: 0 });
    expect(decision).toEqual({ at: 5_000, tat: 6_000 });
  });
});

describe("rateLimit", () => {
  it("admits `limit` at once, drops the rest, recovers one per period/limit", () => {
    let tat: number | undefined;
    const admit = (now: number) => {
      const decision = rateLimitAdmits({ tat, now, limit: 2, periodMs: 10_000 });
      tat = decision.tat;
      return decision.admitted;
    };
    expect([admit(0), admit(0), admit(0), admit(1000)]).toEqual([true, true, false, false]);
    expect(admit(5_000)).toBe(true);
    expect(admit(5_001)).toBe(false);
    expect(admit(10_000)).toBe(true);
  });

  it("a dropped request does not consume capacity", () => {
    const first = rateLimitAdmits({ tat: undefined, now: 0, limit: 1, periodMs: 1000 });
    const dropped = rateLimitAdmits({ tat: first.tat, now: 10, limit: 1, periodMs: 1000 });
    expect(dropped).toEqual({ admitted: false, tat: first.tat });
  });
});

describe("debounce windows", () => {
  it("each event pushes the start to now + period, and the latest event wins", () => {
    let state = debounceOnEvent({
      state: undefined,
      eventId: "e1",
      now: 0,
      periodMs: 1000,
      timeoutMs: undefined,
    });
    expect(state).toEqual({ eventId: "e1", firstAt: 0, dueAt: 1000 });
    state = debounceOnEvent({
      state,
      eventId: "e2",
      now: 600,
      periodMs: 1000,
      timeoutMs: undefined,
    });
    expect(state).toEqual({ eventId: "e2", firstAt: 0, dueAt: 1600 });
    expect(debounceDue(state, 1000)).toBe(false);
    expect(debounceDue(state, 1600)).toBe(true);
    expect(debounceDue(undefined, 9_999)).toBe(false);
  });

  it("the timeout caps the total wait from the first event", () => {
    let state = debounceOnEvent({
      state: undefined,
      eventId: "e1",
      now: 0,
      periodMs: 1000,
      timeoutMs: 2500,
    });
    for (const now of [800, 1600, 2400]) {
      state = debounceOnEvent({ state, eventId: `e${now}`, now, periodMs: 1000, timeoutMs: 2500 });
    }
    expect(state).toEqual({ eventId: "e2400", firstAt: 0, dueAt: 2500 });
  });
});

describe("batch windows", () => {
  it("collects until maxSize, then flushes every event in order", () => {
    const first = batchOnEvent({
      state: undefined,
      eventId: "a",
      now: 100,
      maxSize: 3,
      timeoutMs: 1000,
    });
    expect(first).toEqual({
      kind: "collect",
      state: { eventIds: ["a"], firstAt: 100 },
      timerAt: 1100,
    });
    if (first.kind !== "collect") throw new Error("unreachable");
    const second = batchOnEvent({
      state: first.state,
      eventId: "b",
      now: 200,
      maxSize: 3,
      timeoutMs: 1000,
    });
    expect(second).toEqual({ kind: "collect", state: { eventIds: ["a", "b"], firstAt: 100 } });
    if (second.kind !== "collect") throw new Error("unreachable");
    expect(
      batchOnEvent({ state: second.state, eventId: "c", now: 300, maxSize: 3, timeoutMs: 1000 }),
    ).toEqual({
      kind: "flush",
      eventIds: ["a", "b", "c"],
    });
  });

  it("the timer flushes a partial batch only once its time came", () => {
    const state = { eventIds: ["a"], firstAt: 100 };
    expect(batchDue(state, 1099, 1000)).toBe(false);
    expect(batchDue(state, 1100, 1000)).toBe(true);
    expect(batchDue({ eventIds: [], firstAt: 0 }, 9_999, 1000)).toBe(false);
    expect(batchDue(undefined, 9_999, 1000)).toBe(false);
  });

  it("maxSize 1 flushes every event at once", () => {
    expect(
      batchOnEvent({ state: undefined, eventId: "x", now: 0, maxSize: 1, timeoutMs: 1000 }),
    ).toEqual({
      kind: "flush",
      eventIds: ["x"],
    });
  });
});

describe("priority", () => {
  it.each([
    [0, 0],
    [60, 60_000],
    [-30, -30_000],
    [9_999, 600_000],
    [-9_999, -600_000],
    [1n, 1000],
    ["high", 0],
    [Number.NaN, 0],
  ])("priority %s → %i ms", (value, ms) => {
    expect(priorityShiftMs(value)).toBe(ms);
  });
});
