import { describe, expect, it } from "vitest";
import {
  argsFromSchema,
  cosine,
  embed,
  parseDirectives,
  stripDirectives,
  tokenize,
} from "../src/index.js";
import { splitText } from "../src/tokens.js";

describe("directives", () => {
  it("parses flags, numbers, quoted values and the rest-of-line text", () => {
    const [d] = parseDirectives(
      'before [[sim: status=429 retry-after=2 message="slow down" reset]] after',
    );
    expect(d?.behaviour).toEqual({
      status: 429,
      retryAfter: 2,
      error: { message: "slow down" },
      reset: true,
    });
    expect(d?.key).toBeUndefined();
    expect(parseDirectives("[[sim: text=hello world]]")[0]?.behaviour).toEqual({
      text: "hello world",
    });
  });

  it("parses a tool with JSON arguments containing brackets and quotes", () => {
    const [d] = parseDirectives('[[sim: tool=search {"q":"a ]] b","tags":[["x"]]} delay=5]]');
    expect(d?.behaviour).toEqual({
      tool: { name: "search", args: { q: "a ]] b", tags: [["x"]] } },
      delayMs: 5,
    });
  });

  it("keys times by the explicit key, or by the directive text", () => {
    expect(parseDirectives("[[sim: status=500 times=2 key=abc]]")[0]).toMatchObject({
      times: 2,
      key: "abc",
    });
    const implicit = parseDirectives("[[sim: status=500 times=1]]")[0];
    expect(implicit?.key).toBe("[[sim: status=500 times=1]]");
  });

  it("ignores unterminated directives and strips complete ones", () => {
    expect(parseDirectives("[[sim: status=500")).toEqual([]);
    expect(stripDirectives("a [[sim: status=500]]  b [[sim: text=x y]]")).toBe("a b");
  });

  it("maps the remaining keys", () => {
    const [d] = parseDirectives(
      "[[sim: truncate=3 hang malformed html=503 error-in-body=502 chunk-delay=7 cached=4 retry-after-ms=900 should-retry=false type=overloaded_error code=rate_limit_exceeded]]",
    );
    expect(d?.behaviour).toEqual({
      truncate: 3,
      hang: true,
      malformed: true,
      html: 503,
      errorInBody: 502,
      chunkDelayMs: 7,
      cachedTokens: 4,
      retryAfterMs: 900,
      shouldRetry: false,
      error: { type: "overloaded_error", code: "rate_limit_exceeded" },
    });
  });
});

describe("schema placeholders", () => {
  it("fills required properties by type, format, enum and bounds", () => {
    const args = argsFromSchema({
      type: "object",
      properties: {
        s: { type: "string" },
        d: { type: "string", format: "date" },
        e: { type: "string", enum: ["x", "y"] },
        n: { type: ["number", "null"], minimum: 2.5 },
        b: { type: "boolean" },
        a: { type: "array", items: { type: "integer" } },
        o: {
          type: "object",
          properties: { inner: { type: "string", default: "dflt" } },
          required: ["inner"],
        },
        u: { anyOf: [{ type: "boolean" }, { type: "string" }] },
        optional: { type: "string" },
      },
      required: ["s", "d", "e", "n", "b", "a", "o", "u"],
    });
    expect(args).toEqual({
      s: "example",
      d: "2025-01-01",
      e: "x",
      n: 3,
      b: true,
      a: [1],
      o: { inner: "dflt" },
      u: true,
    });
  });

  it("accepts Gemini's upper-case OpenAPI types", () => {
    expect(
      argsFromSchema({ type: "OBJECT", properties: { c: { type: "STRING" } }, required: ["c"] }),
    ).toEqual({
      c: "example",
    });
    expect(argsFromSchema(undefined)).toEqual({});
  });
});

describe("embeddings", () => {
  it("tokenizes lower-case words and numbers", () => {
    expect(tokenize("Hello, World! 42 times")).toEqual(["hello", "world", "42", "times"]);
  });

  it("is deterministic, unit length, and ranks shared words higher", () => {
    const a = embed("the quick brown fox jumps");
    expect(embed("the quick brown fox jumps")).toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
    const near = embed("a quick brown fox sleeps");
    const far = embed("interest rates and inflation");
    expect(cosine(a, near)).toBeGreaterThan(0.5);
    expect(Math.abs(cosine(a, far))).toBeLessThan(0.3);
    expect(embed("", 8)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("stream splitting", () => {
  it("splits by words, or into 4-character pieces for short texts", () => {
    expect(splitText("echo: one two")).toEqual(["echo: ", "one ", "two"]);
    expect(splitText("echo: hi")).toEqual(["echo", ": hi"]);
  });
});
