import { describe, expect, it } from "vitest";
import { parseJson } from "../src/lib/json";
import type { HistoryEntry, Run, Step } from "../src/api/types";
import { decodeRun } from "../src/api/types";
import { formatDuration, formatUsd } from "../src/lib/format";
import { promptMessages } from "../src/lib/prompt";
import { redact, redactUrl, REDACTED } from "../src/lib/redact";
import { bulkSelection, readFilters, timeWindow } from "../src/lib/run-filters";
import { buildWaterfall } from "../src/lib/waterfall";

/** The dashboard's pure pieces: timings, redaction, prompts, filters, decoding. */

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

const run: Run = {
  run_id: "01RUN",
  function_id: "shop-sync-crm",
  app_id: "shop",
  event_id: "01EVT",
  status: "Completed",
  output: { ok: true },
  run_started_at: at(0),
  ended_at: at(1000),
};

const step = (fields: Partial<Step>): Step => ({
  step_id: "s1",
  name: "push-contact",
  user_id: "push-contact",
  op: "StepRun",
  status: "completed",
  position: 0,
  output: { data: 1 },
  attempts: 1,
  created_at: at(100),
  ended_at: at(100),
  duration_ms: 0,
  ...fields,
});

const errored = (attempt: number, ms: number): HistoryEntry => ({
  id: attempt + 10,
  at: at(ms),
  type: "step.errored",
  step_id: "s1",
  attempt,
  data: {
    error: { name: "Error", message: `boom ${attempt}`, stack: "Error: boom" },
    retryAt: ms + 200,
  },
});

describe("waterfall", () => {
  it("starts a memoized step at its end minus the duration the SDK measured", () => {
    const chart = buildWaterfall({
      run,
      steps: [step({ created_at: at(400), ended_at: at(400), duration_ms: 150 })],
      history: [],
      now: 5000,
    });
    expect(chart.rows[0]).toMatchObject({ open: false, durationMs: 150 });
    expect(chart.rows[0]!.end - chart.rows[0]!.start).toBe(150);
    expect(chart.end - chart.start).toBe(1000);
  });

  it("spans a retried step from its first failed attempt, with each failure on it", () => {
    const chart = buildWaterfall({
      run,
      steps: [step({ created_at: at(120), ended_at: at(700), attempts: 3 })],
      history: [errored(0, 100), errored(1, 320)],
      now: 5000,
    });
    const row = chart.rows[0]!;
    expect(row.start).toBe(Date.parse(at(100)));
    expect(row.end).toBe(Date.parse(at(700)));
    expect(row.durationMs).toBe(600);
    expect(row.errors.map((error) => [error.attempt, error.message, error.final])).toEqual([
      [0, "boom 0", false],
      [1, "boom 1", false],
    ]);
    expect(row.errors[0]!.retryAt).toBe(300);
  });

  it("grows an outstanding sleep up to now and knows when it wakes", () => {
    const now = Date.parse(at(3000));
    const chart = buildWaterfall({
      run: { ...run, status: "Running", ended_at: null },
      steps: [
        step({
          op: "Sleep",
          status: "sleeping",
          created_at: at(200),
          ended_at: null,
          duration_ms: null,
        }),
      ],
      history: [
        {
          id: 1,
          at: at(200),
          type: "step.sleep",
          step_id: "s1",
          attempt: null,
          data: { until: 86_400_000 },
        },
      ],
      now,
    });
    expect(chart.rows[0]).toMatchObject({ open: true, end: now, until: 86_400_000 });
    expect(chart.runEnd).toBe(now);
  });
});

describe("redaction", () => {
  it("hides credentials by name and by shape, and leaves prompts alone", () => {
    const out = redact({
      headers: { Authorization: "Bearer sk-abcdef1234567890", "x-api-key": "anything" },
      api_key: "k",
      max_tokens: 256,
      messages: [{ role: "user", content: "my key is sk-live-0123456789abcdef, thanks" }],
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, "x-api-key": REDACTED },
      api_key: REDACTED,
      max_tokens: 256,
      messages: [{ role: "user", content: `my key is ${REDACTED}, thanks` }],
    });
    expect(redactUrl("https://g.example/v1/models/x:generate?key=AIzaSECRET&alt=sse")).toBe(
      `https://g.example/v1/models/x:generate?key=${encodeURIComponent(REDACTED)}&alt=sse`,
    );
  });
});

describe("prompts", () => {
  it("reads OpenAI, Anthropic, Responses and Gemini request bodies", () => {
    expect(
      promptMessages({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: [{ type: "text", text: "Hi" }] },
        ],
      }),
    ).toEqual([
      { role: "system", text: "Be brief." },
      { role: "user", text: "Hi" },
    ]);
    expect(promptMessages({ system: "S", messages: [{ role: "user", content: "Q" }] })).toEqual([
      { role: "system", text: "S" },
      { role: "user", text: "Q" },
    ]);
    expect(promptMessages({ input: "Q", instructions: "S" })).toEqual([
      { role: "system", text: "S" },
      { role: "user", text: "Q" },
    ]);
    expect(
      promptMessages({ contents: [{ role: "user", parts: [{ text: "Q1" }, { text: "Q2" }] }] }),
    ).toEqual([{ role: "user", text: "Q1\nQ2" }]);
    expect(promptMessages({ model: "text-embedding-3-small" })).toBeUndefined();
  });
});

describe("filters and bulk selections", () => {
  it("reads filters from the URL and turns presets into rolling windows", () => {
    const filters = readFilters(
      new URLSearchParams("status=Failed,Bogus,Running&function=f&range=1h"),
    );
    expect(filters).toMatchObject({
      statuses: ["Failed", "Running"],
      functionId: "f",
      range: "1h",
    });
    expect(timeWindow(filters, Date.parse(at(3_600_000)))).toEqual({ from: at(0) });
  });

  it("cancels only active runs and replays failed runs by default", () => {
    const none = readFilters(new URLSearchParams("function=f"));
    expect(bulkSelection("cancel", none, 0).selection).toEqual({
      function_id: "f",
      status: ["Queued", "Running"],
    });
    expect(bulkSelection("replay", none, 0).statuses).toEqual(["Failed"]);
    const finished = readFilters(new URLSearchParams("status=Completed"));
    expect(bulkSelection("cancel", finished, 0).statuses).toEqual([]);
  });
});

describe("decoding and formats", () => {
  it("rejects a response of the wrong shape with the path of the problem", () => {
    expect(() => decodeRun({ ...run, status: "Done" }, "GET /v1/runs/01RUN")).toThrow(
      "GET /v1/runs/01RUN.status: expected one of Queued, Running, Completed, Failed, Cancelled",
    );
    expect(decodeRun(run, "run")).toEqual(run);
  });

  it("points at the line and column of a JSON mistake", () => {
    const result = parseJson('{\n  "name": "a",\n  "data": {,\n}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/line 3, column 12/);
  });

  it("formats money and durations for people", () => {
    expect(formatUsd(0.000018)).toBe("$0.000018");
    expect(formatUsd(0.0123)).toBe("$0.0123");
    expect(formatUsd(null)).toBe("—");
    expect(formatDuration(151)).toBe("151 ms");
    expect(formatDuration(2160)).toBe("2.16 s");
    expect(formatDuration(86_400_000)).toBe("24h 0m");
  });
});
