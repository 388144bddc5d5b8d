import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import { newId, seededEventIds } from "../src/ids.js";

describe("ids", () => {
  it("newId makes ULIDs that carry their time and sort in creation order", () => {
    const now = Date.UTC(2026, 10, 22);
    const ids = [
      ...Array.from({ length: 2000 }, () => newId(now)), // one millisecond
      ...Array.from({ length: 10 }, () => newId(now - 5_000)), // the clock stepped back
      ...Array.from({ length: 10 }, (_, i) => newId(now + 1 + i)),
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(decodeTime(ids[0]!)).toBe(now);
    expect(decodeTime(ids.at(-1)!)).toBe(now + 10);
  });

  it("newId draws fresh entropy each millisecond", () => {
    const a = newId(Date.UTC(2030, 0, 1));
    const b = newId(Date.UTC(2030, 0, 1) + 1);
    expect(a.slice(10)).not.toBe(b.slice(10));
  });

  it("seededEventIds repeats the same ids for the same seed", () => {
    const seed = `1700000000000,${Buffer.alloc(10, 7).toString("base64")}`;
    const first = seededEventIds(seed, 3);
    expect(first).toHaveLength(3);
    expect(seededEventIds(seed, 3)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(seededEventIds("nonsense", 1)).toBeUndefined();
  });
});
