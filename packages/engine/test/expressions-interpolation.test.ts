import { describe, expect, it } from "vitest";
import {
  compileExpression,
  ExpressionError,
  extractEqualityKey,
  interpolateEvent,
  matches,
  readPath,
  tryMatch,
  validateExpression,
  type EqualityKey,
} from "../src/expressions/index.js";

const tricky = "a\"b\\c'd\n\té😀\u0000\u001f";
const trigger = {
  id: "01JTRIGGER",
  name: "app/order.created",
  data: {
    user: "u1",
    x: 42,
    f: 1.5,
    n: -3,
    big: 1e21,
    ok: false,
    nil: null,
    s: tricky,
    obj: { a: [1, { b: null }], c: true },
    list: ["p", "q"],
    lone: "x\ud800",
    at: new Date(0),
  },
  ts: 1_700_000_000_000,
};

describe("interpolateEvent", () => {
  it.each<[source: string, expected: string]>([
    // what the SDK generates for match: "data.user"
    ["event.data.user == async.data.user", '"u1" == async.data.user'],
    ["async.data.x == event.data.x", "async.data.x == 42"],
    // numbers, bools, null
    ["event.data.f == async.data.f", "1.5 == async.data.f"],
    ["async.data.n == event.data.n", "async.data.n == -3"],
    ["event.data.n + 1 == async.data.m", "-3 + 1 == async.data.m"],
    ["event.data.big < async.data.w", "1e+21 < async.data.w"],
    ["async.data.ok == event.data.ok", "async.data.ok == false"],
    ["event.data.nil == async.data.v", "null == async.data.v"],
    // strings are escaped: quotes, backslashes, newline/tab, non-ASCII kept, control chars as \u
    ["event.data.s == async.data.s", '"a\\"b\\\\c\'d\\n\\té😀\\u0000\\u001f" == async.data.s'],
    // lists and maps become literals
    ["async.data.obj == event.data.obj", 'async.data.obj == {"a": [1, {"b": null}], "c": true}'],
    ["event.data.list == async.data.l", '["p", "q"] == async.data.l'],
    ["event.data.list[1] == async.data.y", '"q" == async.data.y'],
    ['event.data["x"] == async.data.x', "42 == async.data.x"],
    ["event.name == async.name", '"app/order.created" == async.name'],
    ["event.data.at == async.data.at", '"1970-01-01T00:00:00.000Z" == async.data.at'],
    // string literals that merely mention event.data are untouched
    [
      "async.data.s == 'event.data.x' && event.data.x == async.data.x",
      'async.data.s == "event.data.x" && 42 == async.data.x',
    ],
    ['async.data.s == "\\"event.data.x\\""', 'async.data.s == "\\"event.data.x\\""'],
    // has() is decided now
    ["has(event.data.x) && !has(event.data.zz)", "true && !false"],
    ["has(event.data.nil)", "true"],
    // inside macros; a macro variable called event shadows the variable
    ["async.data.items.exists(i, i == event.data.x)", "async.data.items.exists(i, i == 42)"],
    ["async.data.items.map(i, i + event.data.x)", "async.data.items.map(i, i + 42)"],
    ["async.data.items.exists(event, event == 1)", "async.data.items.exists(event, event == 1)"],
    [
      "async.data.items.exists(e, e == event.data.x) && [1].all(event, event > 0)",
      "async.data.items.exists(e, e == 42) && [1].all(event, event > 0)",
    ],
    // method calls and ternaries around substituted values
    [
      "event.data.user.startsWith(async.data.p) ? event.data.ok : !event.data.ok",
      '"u1".startsWith(async.data.p) ? false : !false',
    ],
    // missing paths (and values CEL cannot spell) are left as written
    ["event.data.missing == async.data.x", "event.data.missing == async.data.x"],
    ["event.data.user.deep == async.data.x", "event.data.user.deep == async.data.x"],
    ["event.data.list[5] == async.data.x", "event.data.list[5] == async.data.x"],
    ["has(event.data.missing.deep)", "has(event.data.missing.deep)"],
    ["event.data.lone == async.data.lone", "event.data.lone == async.data.lone"],
    [
      "event.data.user == async.data.user && event.data.missing == async.data.m",
      '"u1" == async.data.user && event.data.missing == async.data.m',
    ],
    // comments are dropped when printing
    ["event.data.x == async.data.x // same x", "42 == async.data.x"],
    // nothing to substitute: the source comes back byte for byte
    ["async.data.x   ==  'a' // note", "async.data.x   ==  'a' // note"],
  ])("%s", (source, expected) => {
    const interpolated = interpolateEvent(source, trigger);
    expect(interpolated).toBe(expected);
    expect(validateExpression(interpolated)).toBeUndefined();
  });

  it("throws ExpressionError for an invalid source", () => {
    expect(() => interpolateEvent("event.data.x ==", trigger)).toThrow(ExpressionError);
  });

  it("does not change the cached AST of the source", () => {
    const source = "event.data.user == async.data.user && has(event.data.x)";
    const before = compileExpression(source);
    interpolateEvent(source, trigger);
    expect(compileExpression(source)).toBe(before);
    expect(matches(before, { event: trigger, async: { data: { user: "u1" } } })).toBe(true);
  });

  it("leaves a missing reference that fails safely when the wait is evaluated", () => {
    const stored = interpolateEvent("event.data.missing == async.data.x", trigger);
    expect(matches(stored, { async: { data: { x: null } } })).toBe(false);
    const result = tryMatch(stored, { async: { data: { x: null } } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('variable "event" is not set');
  });

  const candidates = [
    { name: "app/approved", data: { user: "u1", x: 42, s: tricky, n: -3, f: 1.5 } },
    { name: "app/approved", data: { user: "u2", x: 42.0, s: "other", n: -3.0, f: 1.5 } },
    { name: "app/approved", data: { user: "u1", x: 41, obj: { a: [1, { b: null }], c: true } } },
    { name: "app/approved", data: { items: [1, 42], m: -2, ok: false } },
    { name: "app/approved", data: {} },
  ];
  it.each([
    "event.data.user == async.data.user",
    "async.data.x == event.data.x",
    "async.data.x > event.data.f && async.data.user == event.data.user",
    "event.data.s == async.data.s",
    "async.data.n == event.data.n && async.data.f == event.data.f",
    "async.data.obj == event.data.obj",
    "async.data.items.exists(i, i == event.data.x)",
    "event.data.n + 1 == async.data.m",
    "has(event.data.nil) && async.data.ok == event.data.ok",
    "event.data.missing == async.data.x || async.data.user == 'u2'",
    "'q' in event.data.list && async.data.user.startsWith(event.data.user)",
  ])("%s matches the same candidates before and after interpolation", (source) => {
    const stored = interpolateEvent(source, trigger);
    for (const candidate of candidates) {
      const original = matches(source, { event: trigger, async: candidate });
      expect(matches(stored, { async: candidate }), JSON.stringify(candidate)).toBe(original);
    }
  });

  it.each([1e-7, 5e-324, 1.7976931348623157e308, 0.1, 2 ** 53 + 2, -(2 ** 60), -1.5, -0, 7])(
    "the number %d survives as a literal",
    (v) => {
      const stored = interpolateEvent("async.data.v == event.data.v", { data: { v } });
      expect(matches(stored, { async: { data: { v } } })).toBe(true);
      expect(matches(stored, { async: { data: { v: v + 1 } } })).toBe(v + 1 === v);
    },
  );
});

describe("extractEqualityKey", () => {
  it.each<[string, EqualityKey | undefined]>([
    ['async.data.user == "u1"', { path: "data.user", value: "u1" }],
    ['"u1" == async.data.user', { path: "data.user", value: "u1" }],
    ["async.data.n == 42", { path: "data.n", value: 42 }],
    ["async.data.n == -3", { path: "data.n", value: -3 }],
    ["async.data.n == 1.5", { path: "data.n", value: 1.5 }],
    ["async.data.n == 2.0", { path: "data.n", value: 2 }],
    ["async.data.n == 7u", { path: "data.n", value: 7 }],
    ["async.data.ok == true", { path: "data.ok", value: true }],
    ['async.name == "app/x"', { path: "name", value: "app/x" }],
    ['async.data["user"] == "u1"', { path: "data.user", value: "u1" }],
    ['async.data.user == "u1" && async.data.n > 3', { path: "data.user", value: "u1" }],
    ['async.data.n > 3 && async.data.user == "u1"', { path: "data.user", value: "u1" }],
    [
      'true && (async.data.n > 1 && (false || true) && async.data.k == "v")',
      { path: "data.k", value: "v" },
    ],
    ['async.data.a == "x" && async.data.b == "y"', { path: "data.a", value: "x" }],
    ['async.data.s == "event.data.x"', { path: "data.s", value: "event.data.x" }],
    // not keys: the expression can be true without async.<path> == value
    ['async.data.a == "x" || async.data.b == "y"', undefined],
    ['true && (async.data.a == "x" || false)', undefined],
    ['async.data.a != "x"', undefined],
    ["async.data.n > 3", undefined],
    ["async.data.n >= 3 && async.data.n <= 3", undefined],
    ["async.data.a == async.data.b", undefined],
    ['!(async.data.a == "x")', undefined],
    ['async.data.a == "x" ? true : true', undefined],
    ["async.data.a == null", undefined],
    ['async.data.items[0] == "x"', undefined],
    ['async.data["a.b"] == 1', undefined],
    ['async.data[""] == 1', undefined],
    ["has(async.data.a)", undefined],
    ['async == "x"', undefined],
    ["async.data.n == 9007199254740993", undefined],
    ["async.data.a == [1]", undefined],
    ['[async.data.a == "x"].all(v, v)', undefined],
    ['async.data.items.exists(async, async == "x")', undefined],
    ["event.data.user == async.data.user", undefined],
    ['event.data.user == "u1"', undefined],
    ["size(async.data.a) == 2", undefined],
  ])("%s → %j", (source, expected) => {
    expect(extractEqualityKey(source)).toEqual(expected);
  });

  it("works on interpolated SDK expressions", () => {
    const stored = interpolateEvent("event.data.user == async.data.user", trigger);
    expect(extractEqualityKey(stored)).toEqual({ path: "data.user", value: "u1" });
    const missing = interpolateEvent("event.data.missing == async.data.user", trigger);
    expect(extractEqualityKey(missing)).toBeUndefined();
  });

  it.each([
    'async.data.user == "u1" && async.data.n > 3',
    "async.data.n == 2.0",
    "async.data.ok == true && async.data.user.startsWith('u')",
  ])("%s: every matching candidate is found under its key", (source) => {
    const key = extractEqualityKey(source);
    expect(key).toBeDefined();
    if (key === undefined) return;
    const pool = [
      { data: { user: "u1", n: 4, ok: true } },
      { data: { user: "u1", n: 2, ok: true } },
      { data: { user: "u2", n: 2.0, ok: false } },
      { data: { n: 5, ok: true, user: "x" } },
      { data: {} },
    ];
    for (const candidate of pool) {
      if (matches(source, { async: candidate })) {
        expect(readPath(candidate, key.path)).toBe(key.value);
      }
    }
  });

  it("throws ExpressionError for an invalid source", () => {
    expect(() => extractEqualityKey("async.data.x ==")).toThrow(ExpressionError);
  });
});

describe("readPath", () => {
  const value = { data: { user: "u1", nested: { n: 0, nil: null }, list: [1] }, name: "a" };
  it.each<[string, unknown]>([
    ["data.user", "u1"],
    ["name", "a"],
    ["data.nested.n", 0],
    ["data.nested.nil", null],
    ["data.nested", { n: 0, nil: null }],
    ["", value],
    ["data.missing", undefined],
    ["data.user.length", undefined],
    ["data.list.0", undefined],
    ["data.constructor", undefined],
    ["data.__proto__", undefined],
    ["data..user", undefined],
  ])("%j → %j", (path, expected) => {
    expect(readPath(value, path)).toEqual(expected);
  });

  it("reads nothing from non-objects", () => {
    expect(readPath(null, "a")).toBeUndefined();
    expect(readPath("str", "length")).toBeUndefined();
    expect(readPath([1, 2], "0")).toBeUndefined();
  });
});
