import { describe, expect, it } from "vitest";
import { redactHeaders, redactUrl } from "../src/index.js";

describe("redactUrl", () => {
  it.each([
    [
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=AIzaSECRET",
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=[redacted]",
    ],
    // Inngest appends the key a second time; both go.
    [
      "https://g.example/m:generateContent?key=AIza1&alt=sse&key=AIza2",
      "https://g.example/m:generateContent?key=[redacted]&alt=sse&key=[redacted]",
    ],
    [
      "https://x.example/v1?api_key=s1&apikey=s2&API-KEY=s3&keep=%2Fme#frag",
      "https://x.example/v1?api_key=[redacted]&apikey=[redacted]&API-KEY=[redacted]&keep=%2Fme#frag",
    ],
    [
      "https://x.example/v1?monkey=banana&key=",
      "https://x.example/v1?monkey=banana&key=[redacted]",
    ],
    ["https://user:hunter2@proxy.example/v1", "https://user:[redacted]@proxy.example/v1"],
    ["https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/chat/completions"],
    ["not a url?key=abc", "not a url?key=[redacted]"],
  ])("%s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe("redactHeaders", () => {
  it("replaces credential headers whatever their case and keeps the rest", () => {
    expect(
      redactHeaders({
        Authorization: "Bearer sk-live",
        "x-api-key": "sk-ant",
        "API-Key": "azure",
        "x-goog-api-key": "AIza",
        "proxy-authorization": "Basic x",
        cookie: "a=b",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      }),
    ).toEqual({
      Authorization: "[redacted]",
      "x-api-key": "[redacted]",
      "API-Key": "[redacted]",
      "x-goog-api-key": "[redacted]",
      "proxy-authorization": "[redacted]",
      cookie: "[redacted]",
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    });
  });

  it("handles multi-valued and missing headers", () => {
    expect(
      redactHeaders({ "set-cookie": ["a=1", "b=2"], accept: ["x", "y"], gone: undefined }),
    ).toEqual({ "set-cookie": "[redacted]", accept: ["x", "y"] });
  });
});
