import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** The event API `POST /e/:key` (spec §2.2) and its error answers, on a real server. */
describe("event API", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;

  beforeAll(async () => {
    ingot = await startIngot({ env: { INGOT_MAX_BODY_BYTES: "65536" } });
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "events-app", isDev: true, baseUrl: ingot.url });
    const echo = inngest.createFunction(
      { id: "echo", triggers: [{ event: "ev/echo" }] },
      ({ event }) => event.data,
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [echo] }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${ingot.url}/e/key`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("accepts one event or an array and answers {ids, status: 200}", async () => {
    const one = await post(JSON.stringify({ name: "ev/echo", data: { n: 1 } }));
    expect(one.status).toBe(200);
    const oneBody = (await one.json()) as { ids: string[]; status: number };
    expect(oneBody.status).toBe(200);
    expect(oneBody.ids).toHaveLength(1);
    const many = (await (
      await post(JSON.stringify([{ name: "ev/echo" }, { name: "ev/other", data: {} }]))
    ).json()) as { ids: string[] };
    expect(many.ids).toHaveLength(2);
    expect(new Set(many.ids).size).toBe(2);
    const event = await api.json<{ data: { name: string; data: unknown; id: string } }>(
      `/v1/events/${oneBody.ids[0]}`,
    );
    expect(event.body.data).toMatchObject({ id: oneBody.ids[0], name: "ev/echo", data: { n: 1 } });
    const [run] = await api.settled(oneBody.ids[0]!);
    expect(run).toMatchObject({ status: "Completed", output: { n: 1 } });
  });

  it("derives the same ids from the same x-inngest-event-id-seed, so an SDK retry is a duplicate", async () => {
    const seed = `${Date.now()},${Buffer.from("0123456789").toString("base64")}`;
    const body = JSON.stringify([
      { name: "ev/echo", data: { seeded: true } },
      { name: "ev/echo", data: { seeded: 2 } },
    ]);
    const first = (await (await post(body, { "x-inngest-event-id-seed": seed })).json()) as {
      ids: string[];
    };
    const second = (await (await post(body, { "x-inngest-event-id-seed": seed })).json()) as {
      ids: string[];
    };
    expect(second.ids).toEqual(first.ids);
    await api.settled(first.ids[0]!);
    await sleep(200);
    expect(await api.runsOf(first.ids[0]!)).toHaveLength(1);
  });

  it("de-duplicates events by their id field", async () => {
    const key = `order-${Date.now()}`;
    const first = (await (
      await post(JSON.stringify({ name: "ev/echo", id: key, data: { copy: 1 } }))
    ).json()) as { ids: string[] };
    const second = (await (
      await post(JSON.stringify({ name: "ev/echo", id: key, data: { copy: 2 } }))
    ).json()) as { ids: string[] };
    expect(second.ids).toEqual(first.ids);
    const [run] = await api.settled(first.ids[0]!);
    expect(run?.output).toEqual({ copy: 1 });
  });

  it("the official SDK's send() works and returns the ids", async () => {
    const inngest = new Inngest({ id: "sender", isDev: true, baseUrl: ingot.url });
    const { ids } = await inngest.send([{ name: "ev/echo", data: { via: "sdk" } }]);
    expect(ids).toHaveLength(1);
    expect((await api.settled(ids[0]!))[0]?.output).toEqual({ via: "sdk" });
  });

  it.each([
    ["malformed JSON", "{not json", 400, /not valid JSON/],
    ["an empty body", "", 400, /empty/],
    ["a missing name", JSON.stringify([{ name: "ok" }, { data: {} }]), 400, /events\[1\]\.name/],
    [
      "an empty name",
      JSON.stringify({ name: "" }),
      400,
      /event\.name: expected a non-empty event name/,
    ],
    [
      "data that is an array",
      JSON.stringify({ name: "x", data: [1] }),
      400,
      /event\.data: expected an object/,
    ],
    [
      "ts that is a string",
      JSON.stringify({ name: "x", ts: "yesterday" }),
      400,
      /event\.ts: expected a number/,
    ],
    ["a non-object event", JSON.stringify([1]), 400, /events\[0\]: expected an event object/],
    [
      "an oversized body",
      JSON.stringify({ name: "x", data: { blob: "x".repeat(70_000) } }),
      413,
      /65536 bytes/,
    ],
  ])(
    "rejects %s with %i and a message saying what was expected",
    async (_label, body, status, message) => {
      const response = await post(body);
      expect(response.status).toBe(status);
      const json = (await response.json()) as { ids: unknown[]; status: number; error: string };
      expect(json.status).toBe(status);
      expect(json.ids).toEqual([]);
      expect(json.error).toMatch(message);
    },
  );

  it("keeps earlier events after rejecting a bad request", async () => {
    const good = (await (
      await post(JSON.stringify({ name: "ev/echo", data: { keep: true } }))
    ).json()) as { ids: string[] };
    expect((await post(JSON.stringify([{ name: "ev/echo" }, { nope: 1 }]))).status).toBe(400);
    const stored = await api.json(`/v1/events/${good.ids[0]}`);
    expect(stored.status).toBe(200);
    expect((await api.settled(good.ids[0]!))[0]?.output).toEqual({ keep: true });
  });

  it("answers 404 for unknown events and runs, and for unknown routes", async () => {
    expect((await api.json("/v1/events/01UNKNOWN")).status).toBe(404);
    expect((await api.json("/v1/runs/01UNKNOWN")).status).toBe(404);
    expect((await api.json("/v1/runs/01UNKNOWN/steps")).status).toBe(404);
    expect((await api.json<{ data: unknown[] }>("/v1/events/01UNKNOWN/runs")).body.data).toEqual(
      [],
    );
    const route = await api.json<{ code: string }>("/v2/nothing");
    expect(route.status).toBe(404);
    expect(route.body.code).toBe("route_not_found");
  });
});
