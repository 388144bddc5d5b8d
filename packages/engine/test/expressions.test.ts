import { describe, expect, it } from "vitest";
import {
  compileExpression,
  createExpressionCompiler,
  evaluate,
  ExpressionError,
  matches,
  tryEvaluate,
  tryMatch,
  isValidEventPattern,
  matchesEventName,
  validateExpression,
  type ExpressionVars,
} from "../src/expressions/index.js";

const event = {
  id: "01JEVENT",
  name: "app/user.updated",
  data: {
    user: "u1",
    count: 3,
    price: 2.5,
    whole: 2.0,
    neg: -4,
    big: 1e21,
    ok: true,
    nullable: null,
    email: "Ada@Example.com",
    tags: ["a", "b"],
    nested: { a: 1, list: [{ x: "y" }] },
    function_id: "proto-app-error-fn",
  },
  ts: 1_700_000_000_000,
  user: {},
  v: "2024-01-01.1",
};
const vars: ExpressionVars = { event };

describe("compileExpression", () => {
  it("returns the cached compilation for the same source", () => {
    const source = "event.data.count == 3 && true";
    expect(compileExpression(source)).toBe(compileExpression(source));
    expect(compileExpression(source)).not.toBe(compileExpression(`${source} && true`));
  });

  it("evicts the least recently used entry", () => {
    const compiler = createExpressionCompiler({ maxEntries: 2 });
    const a = compiler.compile("1 == 1");
    const b = compiler.compile("2 == 2");
    expect(compiler.compile("1 == 1")).toBe(a); // a is now the most recent
    compiler.compile("3 == 3"); // evicts b
    expect(compiler.size).toBe(2);
    expect(compiler.compile("1 == 1")).toBe(a);
    expect(compiler.compile("2 == 2")).not.toBe(b);
    compiler.clear();
    expect(compiler.size).toBe(0);
  });

  it("caches invalid sources too", () => {
    const compiler = createExpressionCompiler();
    const first = catchError(() => compiler.compile("a =="));
    expect(catchError(() => compiler.compile("a =="))).toBe(first);
    expect(compiler.size).toBe(1);
  });

  it("refuses a non-positive cache size", () => {
    expect(() => createExpressionCompiler({ maxEntries: 0 })).toThrow(RangeError);
  });

  it.each([
    ["event.data.user == async.data.user", ["event", "async"]],
    ["event.data.tags.exists(t, t == 'a')", ["event"]],
    ["[1, 2].all(event, event > 0)", []],
    ["type(event.data.count) == int", ["event"]],
    ["strings.quote(event.data.user) == 'x'", ["event"]],
    ["events.size() > 1", ["events"]],
  ])("lists the variables %s reads", (source, expected) => {
    expect([...compileExpression(source).variables].sort()).toEqual([...expected].sort());
  });
});

describe("syntax errors", () => {
  it.each([
    ["a ==", "column 3", "found = but expecting end of input"],
    ["event.data.x == 'abc", "column 17", "unterminated string"],
    ["\"it's == event.data.x", "column 1", "unterminated string"],
    ['event.data.x == "a\\"', "column 17", "unterminated string"],
    ["event.data.x == '''a\nb'' // c", "line 1, column 17", "unterminated string"],
    ["event.data.x == r'a\\' || 'b", "column 26", "unterminated string"],
    ["a &&\n b ==", "line 2, column 4", "found ="],
    ["event.data.(x)", "column", "found"],
    ["", "", "it is empty"],
    ["   ", "", "it is empty"],
    ["event.data.name.startWith('a')", "column 16", "unknown function startWith()"],
    ["foo(1) == 1", "column 1", "unknown function foo()"],
    ["has(event)", "column 1", "has() takes a field selection"],
    ["event.data.tags.exists(1, true)", "", "exists() takes an identifier"],
  ])("%j is rejected with a message saying where (%s) and what", (source, where, what) => {
    const error = catchError(() => compileExpression(source));
    expect(error).toBeInstanceOf(ExpressionError);
    if (!(error instanceof ExpressionError)) return;
    expect(error.code).toBe("invalid_expression");
    expect(error.status).toBe(400);
    expect(error.kind).toBe("syntax");
    expect(error.source).toBe(source);
    expect(error.message).toContain(where);
    expect(error.message).toContain(what);
    expect(validateExpression(source)).toBe(error.message);
  });

  it.each([
    ["event.data.ok == true", undefined],
    ["async.data.x == event.data.x", undefined],
    ["evnt.data.x == 1", 'unknown variable "evnt"'],
    ["event.data.tags.exists(t, t == 'a')", undefined],
    ["type(event.data.count) == int", undefined],
    ["vars.x == 1 && steps.y == 2", 'unknown variable "vars", "steps"'],
  ])("validateExpression(%j, {variables: [event, async]})", (source, problem) => {
    const message = validateExpression(source, { variables: ["event", "async"] });
    if (problem === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(problem);
  });
});

describe("evaluate", () => {
  it.each<[string, unknown]>([
    ["event.data.count", 3],
    ["event.data.count + 1", 4],
    ["event.data.count / 2", 1], // int division, as in CEL
    ["event.data.count * 1.5", 4.5],
    ["event.data.price * 2", 5],
    ["1 + event.data.price", 3.5],
    ["event.data.price / 2", 1.25],
    ["event.data.count - 0.5", 2.5],
    ["event.data.count % 2", 1],
    ["size(event.data.tags)", 2],
    ["event.data.tags", ["a", "b"]],
    ["event.data.nested", { a: 1, list: [{ x: "y" }] }],
    ["event.data.nullable", null],
    ["event.data.big", 1e21],
    ["event.ts", 1_700_000_000_000],
    ["event.data.email.lowerAscii()", "ada@example.com"],
    ["[1, 'a', null, true, 2.5]", [1, "a", null, true, 2.5]],
    ["{'a': {'b': [1u]}, 'c': -2}", { a: { b: [1] }, c: -2 }],
    ["9223372036854775807", 9223372036854775807n],
    ["event.data.ok ? 'yes' : 'no'", "yes"],
    ["timestamp('2024-01-02T03:04:05Z')", "2024-01-02T03:04:05.000Z"],
    ["duration('1h30m')", "5400s"],
    ["type(event.data.count)", "int"],
    ["b'ab'", new Uint8Array([97, 98])],
  ])("evaluates %s", (source, expected) => {
    expect(evaluate(source, vars)).toEqual(expected);
  });

  it("throws an evaluation ExpressionError with the cause and position", () => {
    const error = catchError(() => evaluate("event.data.missing == 'x'", vars));
    expect(error).toBeInstanceOf(ExpressionError);
    if (!(error instanceof ExpressionError)) return;
    expect(error.kind).toBe("evaluation");
    expect(error.message).toContain("field not found: missing (at column 11)");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("returns failures as values from tryEvaluate", () => {
    expect(tryEvaluate("event.data.count", vars)).toEqual({ ok: true, value: 3 });
    expect(tryEvaluate("event.data.count +", vars)).toMatchObject({ ok: false });
    expect(tryEvaluate("async.data.x", vars)).toEqual({
      ok: false,
      error: `Evaluating "async.data.x" failed: variable "async" is not set (at column 1)`,
    });
  });

  it("only converts what the expression reads, so unrelated bad data does not matter", () => {
    const withJunk = { event: { ...event, data: { ...event.data, fn: () => 1 } } };
    expect(matches("event.data.user == 'u1'", withJunk)).toBe(true);
    expect(tryMatch("size(event.data) > 0", withJunk)).toMatchObject({ ok: false });
  });
});

const other = { ...event, id: "01JOTHER", data: { user: "u2", x: 42 } };
const same = { ...event, id: "01JSAME", data: { user: "u1", x: 42 } };

describe("matches", () => {
  it.each<[string, ExpressionVars, boolean]>([
    // numbers: JSON ints and doubles compare naturally in both directions
    ["event.data.count == 3", vars, true],
    ["event.data.count == 3 // a comment on the last line", vars, true],
    ["// a comment first\nevent.data.count == 3", vars, true],
    ["event.data.count == 3.0", vars, true],
    ["event.data.count != 4", vars, true],
    ["event.data.count > 2.5", vars, true],
    ["event.data.count < 3.5", vars, true],
    ["event.data.count >= 3 && event.data.count <= 3", vars, true],
    ["event.data.price > 1.5", vars, true],
    ["event.data.price > 1", vars, true],
    ["event.data.price < 3", vars, true],
    ["event.data.price == 2.5", vars, true],
    ["event.data.whole == 2", vars, true],
    ["event.data.whole == 2.0", vars, true],
    ["event.data.neg < 0 && -event.data.neg == 4", vars, true],
    ["event.data.big > 1000000", vars, true],
    ["event.data.count == '3'", vars, false],
    ["event.data.count in [1, 2, 3]", vars, true],
    ["event.data.count in [3.0]", vars, true],
    ["event.data.price in [2.5, 3.5]", vars, true],
    ["event.data.count + event.data.price == 5.5", vars, true],
    ["event.ts > 1600000000000", vars, true],
    // strings
    ["event.data.email.startsWith('Ada')", vars, true],
    ["event.data.email.endsWith('.com')", vars, true],
    ["event.data.email.contains('@')", vars, true],
    ["event.data.email.matches('^[A-Za-z]+@')", vars, true],
    ["size(event.data.user) == 2 && event.data.user.size() == 2", vars, true],
    ["event.data.email.lowerAscii() == 'ada@example.com'", vars, true],
    ["event.data.email.split('@')[1] == 'Example.com'", vars, true],
    ["event.name.startsWith('app/')", vars, true],
    ["event.data.user + '!' == 'u1!'", vars, true],
    // logic
    ["event.data.ok && event.data.count == 3", vars, true],
    ["event.data.count == 4 || event.data.user == 'u1'", vars, true],
    ["!(event.data.count == 4)", vars, true],
    ["event.data.count == 3 ? event.data.ok : false", vars, true],
    ["event.data.user in ['u1', 'u2']", vars, true],
    ["'a' in event.data.nested", vars, true],
    ["'b' in event.data.nested", vars, false],
    ["event.data.tags.exists(t, t == 'b')", vars, true],
    ["event.data.tags.all(t, t.size() == 1)", vars, true],
    ["event.data.nested.list[0].x == 'y'", vars, true],
    ["event.data.nullable == null", vars, true],
    // has()
    ["has(event.data.count)", vars, true],
    ["has(event.data.nullable)", vars, true],
    ["has(event.data.nope)", vars, false],
    ["!has(event.data.nope)", vars, true],
    ["has(event.data.nested.a)", vars, true],
    ["has(event.data.nope) && event.data.nope == 1", vars, false],
    ["has(event.data.nope.deep)", vars, false],
    ["has(event.data.user.length)", vars, false],
    ["!has(event.data.user.length)", vars, false],
    ["event.data.tags.exists(t, has(event.data.nested.a))", vars, true],
    // what the SDK generates (spec §7.1, §3.4)
    ["event.data.ok == true", vars, true],
    ["event.data.function_id == 'proto-app-error-fn'", vars, true],
    ["event.data.user == async.data.user", { event, async: same }, true],
    ["event.data.user == async.data.user", { event, async: other }, false],
    ["async.data.x == event.data.x", { event: same, async: other }, true],
    ["async.data.x == event.data.x", { event, async: other }, false],
    // failures are "no match"
    ["event.data.missing == 'x'", vars, false],
    ["event.data.missing != 'x'", vars, false],
    ["event.data.user > 3", vars, false],
    ["event.data.count", vars, false],
    ["async.data.x == 1", vars, false],
    ["event.data.count / 0 == 1", vars, false],
    ["event.data.count ==", vars, false],
    // CEL's && and || absorb an error when the other side decides
    ["false && event.data.missing == 1", vars, false],
    ["event.data.missing == 1 || true", vars, true],
  ])("%s → %s", (source, input, expected) => {
    expect(matches(source, input)).toBe(expected);
    if (validateExpression(source) === undefined) {
      expect(matches(compileExpression(source), input)).toBe(expected);
    }
  });

  it.each<[string, ExpressionVars, string]>([
    ["event.data.missing == 'x'", vars, "field not found: missing (at column 11)"],
    ["event.data.missing.deep == 1", vars, "field not found: missing"],
    ["event.data.user > 3", vars, "no matching overload"],
    ["event.data.count", vars, "returned 3, expected true or false"],
    ["event.data.user", vars, 'returned "u1", expected true or false'],
    ["async.data.x == 1", vars, 'variable "async" is not set'],
    ["event.data.count / 0 == 1", vars, "divide by zero"],
    ["event.data.count ==", vars, "Invalid expression"],
    ["has(event.data.nope.deep)", vars, "field not found: nope"],
    ["has(event.data.user.length)", vars, "has() looks up a field of a map, but got a string"],
  ])("tryMatch(%s) explains the failure", (source, input, message) => {
    const result = tryMatch(source, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it("reports a decided result from tryMatch", () => {
    expect(tryMatch("event.data.count == 3", vars)).toEqual({ ok: true, value: true });
    expect(tryMatch("event.data.count == 4", vars)).toEqual({ ok: true, value: false });
  });

  it("treats a variable given as undefined as unbound", () => {
    expect(tryMatch("async == null", { event, async: undefined })).toMatchObject({ ok: false });
    expect(matches("async == null", { event, async: null })).toBe(true);
  });

  it("does not see inherited properties as fields", () => {
    expect(matches("has(event.data.constructor)", vars)).toBe(false);
    expect(matches("has(event.data.__proto__)", vars)).toBe(false);
  });
});

describe("event-name patterns", () => {
  it.each<[pattern: string, name: string, expected: boolean]>([
    ["app/user.created", "app/user.created", true],
    ["app/user.created", "app/user.created2", false],
    ["app/user.created", "app/user", false],
    ["app/*", "app/user.created", true],
    ["app/*", "app/blog.post.published", true],
    ["app/*", "app/", false],
    ["app/*", "app", false],
    ["app/*", "other/user.created", false],
    ["app/*", "application/x", false],
    ["app/user.*", "app/user.created", true],
    ["app/user.*", "app/user.updated.v2", true],
    ["app/user.*", "app/users.created", false],
    ["app/user.*", "app/user", false],
    ["app/blog.post.*", "app/blog.post.published", true],
    ["app/blog.post.*", "app/blog.posts", false],
    ["*", "app/user.created", false],
    ["app*", "app/user.created", false],
    ["app/user*", "app/user.created", false],
    ["app/*/created", "app/user/created", false],
    ["app/**", "app/*x", false],
    ["/*", "/x", false],
    ["", "", false],
    ["inngest/function.failed", "inngest/function.failed", true],
    ["inngest/*", "inngest/function.finished", true],
  ])("%j matches %j: %s", (pattern, name, expected) => {
    expect(matchesEventName(pattern, name)).toBe(expected);
  });

  it.each<[string, boolean]>([
    ["app/user.created", true],
    ["app/*", true],
    ["app/user.*", true],
    ["a.*", true],
    ["*", false],
    ["/*", false],
    [".*", false],
    ["app*", false],
    ["app/*x", false],
    ["app/**", false],
    ["app/*/x", false],
    ["", false],
    ["  ", false],
  ])("isValidEventPattern(%j) is %s", (pattern, expected) => {
    expect(isValidEventPattern(pattern)).toBe(expected);
  });
});

const catchError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
};
