/**
 * Durations and time specs as the SDK writes them (spec §3.4 Sleep/WaitForEvent, §7.1).
 */
import { describe, expect, it } from "vitest";
import { parseDurationMs, parseTimeSpec, resolveTimeSpec, type TimeSpec } from "../src/index.js";

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;
const Y2030 = Date.UTC(2030, 0, 1);

describe("parseDurationMs", () => {
  it.each<{ text: string; ms: number | undefined }>([
    // what the SDK generates (units w d h m s, concatenated)
    { text: "1m", ms: M },
    { text: "30s", ms: 30 * S },
    { text: "1h", ms: H },
    { text: "2h30m10s", ms: 2 * H + 30 * M + 10 * S },
    { text: "1d2h", ms: D + 2 * H },
    { text: "1w", ms: W },
    { text: "1w2d3h4m5s", ms: W + 2 * D + 3 * H + 4 * M + 5 * S },
    { text: "10m", ms: 10 * M },
    // what users type in config, and Go's str2duration units (ns/us/µs/ms)
    { text: "500ms", ms: 500 },
    { text: "1.5s", ms: 1_500 },
    { text: "0.5h", ms: 30 * M },
    { text: "1h0m0s", ms: H },
    { text: "1s500ms", ms: 1_500 },
    { text: "1500us", ms: 2 },
    { text: "1000µs", ms: 1 },
    { text: "2000000ns", ms: 2 },
    { text: "0s", ms: 0 },
    { text: " 1m ", ms: M },
    // not durations
    { text: "", ms: undefined },
    { text: "   ", ms: undefined },
    { text: "10", ms: undefined },
    { text: "10.5", ms: undefined },
    { text: "m", ms: undefined },
    { text: "1y", ms: undefined },
    { text: "1H", ms: undefined },
    { text: "1h 30m", ms: undefined },
    { text: "1m1", ms: undefined },
    { text: "-1m", ms: undefined },
    { text: "1.5.5s", ms: undefined },
    { text: "1mo", ms: undefined },
    { text: "soon", ms: undefined },
    { text: "2030-01-01T00:00:00.000Z", ms: undefined },
  ])("$text → $ms", ({ text, ms }) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe("parseTimeSpec", () => {
  it.each<{ text: string; spec: TimeSpec | undefined }>([
    { text: "1m", spec: { kind: "duration", ms: M } },
    { text: "2h30m10s", spec: { kind: "duration", ms: 2 * H + 30 * M + 10 * S } },
    { text: "500ms", spec: { kind: "duration", ms: 500 } },
    // 10+ characters that are a duration stay a duration
    { text: "1h30m10s500ms", spec: { kind: "duration", ms: H + 30 * M + 10 * S + 500 } },
    // ISO-8601 dates (sleepUntil, waitForEvent with a Date timeout)
    { text: "2030-01-01T00:00:00.000Z", spec: { kind: "absolute", at: Y2030 } },
    { text: "2030-01-01T00:00:00Z", spec: { kind: "absolute", at: Y2030 } },
    { text: "2030-01-01T01:00:00+01:00", spec: { kind: "absolute", at: Y2030 } },
    { text: "2030-01-01", spec: { kind: "absolute", at: Y2030 } },
    { text: "1970-01-01T00:00:00.000Z", spec: { kind: "absolute", at: 0 } },
    // neither
    { text: "", spec: undefined },
    { text: "soon", spec: undefined },
    { text: "2030", spec: undefined }, // under 10 characters: not taken as a date
    { text: "2030-1-1", spec: undefined },
    { text: "not a date at all", spec: undefined },
    { text: "1893456000000", spec: undefined },
  ])("$text → $spec", ({ text, spec }) => {
    expect(parseTimeSpec(text)).toStrictEqual(spec);
  });

  // Regression (was a bug): spec §3.4 (Sleep `name`, WaitForEvent `opts.timeout`) and §7.1: a time is a duration or
  // an ISO-8601 date (the SDK writes `Date.toISOString()`). parseTimeSpec hands any 10+ character
  // string to V8's lenient Date.parse, which reads "invalid 12345" as the year 12345 (a sleep that
  // never wakes) and "waiting for 1" / "foo bar 12" as 2001 (a sleep that wakes at once), where
  // decide would otherwise fail the step with "is neither a duration … nor an ISO-8601 date".
  it("strings that are neither a duration nor an ISO-8601 date → undefined", () => {
    for (const text of ["invalid 12345", "waiting for 1", "foo bar 12"]) {
      expect(parseTimeSpec(text), text).toBeUndefined();
    }
  });
});

describe("resolveTimeSpec", () => {
  const now = 1_000_000;
  it.each<{ spec: TimeSpec; at: number }>([
    { spec: { kind: "duration", ms: M }, at: now + M },
    { spec: { kind: "duration", ms: 0 }, at: now },
    { spec: { kind: "absolute", at: Y2030 }, at: Y2030 },
    { spec: { kind: "absolute", at: 0 }, at: 0 },
  ])("$spec → $at", ({ spec, at }) => {
    expect(resolveTimeSpec(spec, now)).toBe(at);
  });
});
