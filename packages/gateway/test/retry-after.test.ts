import { describe, expect, it } from "vitest";
import { parseGoDuration, retryAfterFromBody, retryAfterMs } from "../src/index.js";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("retryAfterMs", () => {
  const cases: {
    name: string;
    headers: Record<string, string | string[] | undefined>;
    status?: number;
    expected: number | undefined;
  }[] = [
    { name: "nothing", headers: {}, status: 429, expected: undefined },
    { name: "retry-after-ms", headers: { "retry-after-ms": "1500" }, expected: 1500 },
    {
      name: "retry-after-ms wins over retry-after",
      headers: { "retry-after-ms": "250", "retry-after": "9" },
      expected: 250,
    },
    { name: "Azure x-ms-retry-after-ms", headers: { "x-ms-retry-after-ms": "40" }, expected: 40 },
    { name: "retry-after seconds", headers: { "retry-after": "2" }, expected: 2000 },
    { name: "retry-after fractional seconds", headers: { "retry-after": "0.25" }, expected: 250 },
    { name: "retry-after zero", headers: { "retry-after": "0" }, expected: 0 },
    {
      name: "retry-after HTTP date against now",
      headers: { "retry-after": new Date(NOW + 30_000).toUTCString() },
      expected: 30_000,
    },
    {
      name: "retry-after date in the past → 0",
      headers: { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" },
      expected: 0,
    },
    { name: "garbage retry-after", headers: { "retry-after": "soon" }, expected: undefined },
    { name: "negative retry-after", headers: { "retry-after": "-5" }, expected: undefined },
    { name: "header names in any case", headers: { "Retry-After": "3" }, expected: 3000 },
    { name: "first of repeated values", headers: { "retry-after": ["4", "9"] }, expected: 4000 },
    {
      name: "OpenAI reset of the exhausted limit on a 429",
      headers: {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "6m0s",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "20ms",
      },
      status: 429,
      expected: 360_000,
    },
    {
      name: "OpenAI: tokens exhausted",
      headers: {
        "x-ratelimit-remaining-requests": "12",
        "x-ratelimit-reset-requests": "6m0s",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-tokens": "1.5s",
      },
      status: 429,
      expected: 1500,
    },
    {
      name: "OpenAI: no remaining counts → the latest reset",
      headers: { "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "20ms" },
      status: 429,
      expected: 1000,
    },
    {
      name: "reset headers are ignored when the status is not 429",
      headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s" },
      status: 503,
      expected: undefined,
    },
    {
      name: "reset headers are ignored without a status",
      headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s" },
      expected: undefined,
    },
    {
      name: "retry-after beats reset headers",
      headers: { "retry-after": "1", "x-ratelimit-reset-requests": "6m0s" },
      status: 429,
      expected: 1000,
    },
    {
      name: "Anthropic RFC 3339 reset of the exhausted limit",
      headers: {
        "anthropic-ratelimit-requests-remaining": "10",
        "anthropic-ratelimit-requests-reset": new Date(NOW + 5_000).toISOString(),
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": "2026-01-02T03:04:47Z",
      },
      status: 429,
      expected: 42_000,
    },
    {
      name: "Anthropic reset already passed → 0",
      headers: {
        "anthropic-ratelimit-tokens-remaining": "0",
        "anthropic-ratelimit-tokens-reset": "2026-01-02T03:00:00Z",
      },
      status: 429,
      expected: 0,
    },
  ];

  it.each(cases)("$name", ({ headers, status, expected }) => {
    expect(retryAfterMs(headers, NOW, status)).toBe(expected);
  });

  it("reads a WHATWG Headers object", () => {
    expect(retryAfterMs(new Headers({ "Retry-After-Ms": "77" }), NOW)).toBe(77);
  });
});

describe("parseGoDuration", () => {
  it.each([
    ["1s", 1000],
    ["20ms", 20],
    ["6m0s", 360_000],
    ["1h2m3.5s", 3_723_500],
    ["1.5s", 1500],
    ["250us", 0.25],
    ["", undefined],
    ["5", undefined],
    ["1s garbage", undefined],
    ["x1s", undefined],
  ])("%s → %s", (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });
});

describe("retryAfterFromBody", () => {
  it("reads Gemini RetryInfo.retryDelay", () => {
    const body = {
      error: {
        code: 429,
        message: "You exceeded your current quota.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2s" },
        ],
      },
    };
    expect(retryAfterFromBody(body, NOW)).toBe(2000);
    expect(retryAfterFromBody([body], NOW)).toBe(2000);
  });

  it("reads fractional Gemini delays, rounding up", () => {
    const body = {
      error: {
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "23.4567s" }],
      },
    };
    expect(retryAfterFromBody(body, NOW)).toBe(23_457);
  });

  it("reads OpenRouter's forwarded X-RateLimit-Reset (epoch ms)", () => {
    const body = {
      error: {
        code: 429,
        message: "Rate limit exceeded: free-models-per-day",
        metadata: {
          headers: {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": String(NOW + 90_000),
          },
        },
      },
    };
    expect(retryAfterFromBody(body, NOW)).toBe(90_000);
  });

  it("reads 'try again in' from an OpenAI-style message", () => {
    const body = {
      error: {
        message:
          "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 500. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits",
        type: "tokens",
        code: "rate_limit_exceeded",
      },
    };
    expect(retryAfterFromBody(body, NOW)).toBe(1000);
  });

  it("is undefined when the body says nothing", () => {
    expect(retryAfterFromBody({ error: { message: "Overloaded" } }, NOW)).toBeUndefined();
    expect(retryAfterFromBody("text", NOW)).toBeUndefined();
    expect(retryAfterFromBody(undefined, NOW)).toBeUndefined();
  });
});
