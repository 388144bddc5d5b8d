import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

interface ApiFunction {
  id: string;
  triggers: unknown[];
  archived_at: string | null;
}

describe("app sync and triggers", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  const apps: RunningApp[] = [];
  const counter = new Counter();

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await ingot?.stop();
  });

  async function functionsOf(appId: string, includeArchived = false): Promise<ApiFunction[]> {
    const { body } = await api.json<{ data: ApiFunction[] }>("/v1/functions");
    return body.data.filter(
      (fn) => fn.id.startsWith(`${appId}-`) && (includeArchived || fn.archived_at === null),
    );
  }

  it("syncs out of band: a PUT to the app makes the SDK register itself", async () => {
    const inngest = new Inngest({ id: "oob-app", isDev: true, baseUrl: ingot.url });
    const fn = inngest.createFunction(
      { id: "hello", triggers: [{ event: "oob/hello" }] },
      () => "hi",
    );
    const app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    apps.push(app);
    const put = await fetch(app.url, { method: "PUT" });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ modified: true });
    expect((await functionsOf("oob-app")).map((f) => f.id)).toEqual(["oob-app-hello"]);
    const [id] = await api.send({ name: "oob/hello" });
    expect((await api.settled(id!))[0]).toMatchObject({ status: "Completed", output: "hi" });
  });

  it("syncs in band through POST /v1/apps and reports unreachable apps clearly", async () => {
    const inngest = new Inngest({ id: "inband-app", isDev: true, baseUrl: ingot.url });
    const fn = inngest.createFunction({ id: "one", triggers: [{ event: "inband/one" }] }, () => 1);
    const app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    apps.push(app);
    await api.syncApp(app.url);
    expect((await functionsOf("inband-app")).map((f) => f.id)).toEqual(["inband-app-one"]);
    const { body } = await api.json<{ data: { id: string; url: string; sdk: string }[] }>(
      "/v1/apps",
    );
    expect(body.data.find((a) => a.id === "inband-app")).toMatchObject({
      url: app.url,
      sdk: "js:v4.24.0",
    });

    const bad = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: "http://127.0.0.1:9/api/inngest" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("could not reach the app");
    const invalid = await api.json<{ error: string }>("/v1/apps", {
      method: "POST",
      body: JSON.stringify({ url: 5 }),
    });
    expect(invalid.status).toBe(400);
  });

  it("re-sync replaces the function set: removed functions stop triggering", async () => {
    let version = 1;
    const make = () => {
      const inngest = new Inngest({ id: "resync-app", isDev: true, baseUrl: ingot.url });
      const keep = inngest.createFunction(
        { id: "keep", triggers: [{ event: version === 1 ? "resync/old" : "resync/new" }] },
        () => (counter.hit(`keep-v${version}`), version),
      );
      const drop = inngest.createFunction(
        { id: "drop", triggers: [{ event: "resync/drop" }] },
        () => "dropped",
      );
      return serveV4({ client: inngest, functions: version === 1 ? [keep, drop] : [keep] });
    };
    let handler = make();
    const app = await serveApp({ handler: (req, res, next) => handler(req, res, next) });
    apps.push(app);
    await api.syncApp(app.url);
    expect((await functionsOf("resync-app")).map((f) => f.id).sort()).toEqual([
      "resync-app-drop",
      "resync-app-keep",
    ]);

    version = 2;
    handler = make();
    await api.syncApp(app.url);
    expect((await functionsOf("resync-app")).map((f) => f.id)).toEqual(["resync-app-keep"]);
    expect(
      (await functionsOf("resync-app", true)).find((f) => f.id === "resync-app-drop")?.archived_at,
    ).not.toBeNull();

    const ids = await api.send([
      { name: "resync/drop" },
      { name: "resync/old" },
      { name: "resync/new" },
    ]);
    const [newRun] = await api.settled(ids[2]!);
    expect(newRun).toMatchObject({ status: "Completed", output: 2 });
    await sleep(200);
    expect(await api.runsOf(ids[0]!)).toEqual([]);
    expect(await api.runsOf(ids[1]!)).toEqual([]);
  });

  it("fans one event out to every matching trigger: exact, wildcard and CEL expression", async () => {
    const inngest = new Inngest({ id: "fanout-app", isDev: true, baseUrl: ingot.url });
    const fns = [
      inngest.createFunction(
        { id: "exact", triggers: [{ event: "shop/order.created" }] },
        () => "exact",
      ),
      inngest.createFunction({ id: "wild-all", triggers: [{ event: "shop/*" }] }, () => "wild-all"),
      inngest.createFunction(
        { id: "wild-order", triggers: [{ event: "shop/order.*" }] },
        () => "wild-order",
      ),
      inngest.createFunction({ id: "other-wild", triggers: [{ event: "other/*" }] }, () => "never"),
      inngest.createFunction(
        { id: "big", triggers: [{ event: "shop/order.created", if: "event.data.amount > 100" }] },
        () => "big",
      ),
      inngest.createFunction(
        { id: "two-triggers", triggers: [{ event: "shop/order.created" }, { event: "shop/*" }] },
        () => "once",
      ),
    ];
    const app = await serveApp({ handler: serveV4({ client: inngest, functions: fns }) });
    apps.push(app);
    await api.syncApp(app.url);
    const [small, large] = await api.send([
      { name: "shop/order.created", data: { amount: 5 } },
      { name: "shop/order.created", data: { amount: 500 } },
    ]);
    const smallRuns = await api.settled(small!, { count: 4 });
    const largeRuns = await api.settled(large!, { count: 5 });
    await sleep(200);
    expect((await api.runsOf(small!)).map((r) => r.output).sort()).toEqual([
      "exact",
      "once",
      "wild-all",
      "wild-order",
    ]);
    expect((await api.runsOf(large!)).map((r) => r.output).sort()).toEqual([
      "big",
      "exact",
      "once",
      "wild-all",
      "wild-order",
    ]);
    expect(
      smallRuns.every((r) => r.status === "Completed") &&
        largeRuns.every((r) => r.status === "Completed"),
    ).toBe(true);
  });

  const fnConfig = (id: string) => ({
    id,
    triggers: [{ event: "x/y" }],
    steps: {
      step: {
        id: "step",
        name: "step",
        runtime: { type: "http", url: `http://127.0.0.1:1/api/inngest?fnId=${id}&stepId=step` },
      },
    },
  });
  const registerRaw = (appName: string, functions: unknown[]) =>
    api.json<{ error: string; code: string }>("/fn/register", {
      method: "POST",
      body: JSON.stringify({ url: "http://127.0.0.1:1/api/inngest", appName, functions }),
    });

  it("rejects invalid function configs with a message naming the function and field", async () => {
    const register = await api.json<{ error: string; status: number; code: string }>(
      "/fn/register",
      {
        method: "POST",
        body: JSON.stringify({
          url: "http://127.0.0.1:1/api/inngest",
          appName: "bad-app",
          functions: [
            {
              id: "bad-app-f",
              triggers: [{ event: "x/y", expression: "event.data.( ==" }],
              steps: {
                step: {
                  id: "step",
                  name: "step",
                  runtime: {
                    type: "http",
                    url: "http://127.0.0.1:1/api/inngest?fnId=bad-app-f&stepId=step",
                  },
                },
              },
            },
          ],
        }),
      },
    );
    expect(register.status).toBe(400);
    expect(register.body.status).toBe(400);
    expect(register.body.code).toBe("invalid_expression");
    expect(register.body.error).toContain("bad-app-f.triggers[0].expression");
    expect(await functionsOf("bad-app", true)).toEqual([]);

    // Crons: five fields or six (seconds first) are taken; seven are not, whatever croner says.
    const cron = (id: string, schedule: string) =>
      registerRaw("cron-app", [{ ...fnConfig(`cron-app-${id}`), triggers: [{ cron: schedule }] }]);
    expect((await cron("five", "*/5 * * * *")).status).toBe(200);
    expect((await cron("six", "*/5 * * * * *")).status).toBe(200);
    const seven = await cron("seven", "0 0 12 * * * 2030");
    expect(seven.status).toBe(400);
    expect(seven.body.code).toBe("invalid_request");
    expect(seven.body.error).toContain("cron-app-seven.triggers[0].cron");
    expect(seven.body.error).toContain("six with seconds first");

    // A bad expression next to another problem is an invalid request.
    const mixed = await registerRaw("mixed-app", [
      {
        ...fnConfig("mixed-app-f"),
        triggers: [{ cron: "at noon" }],
        cancel: [{ event: "a/b", if: "((" }],
      },
    ]);
    expect(mixed.body.code).toBe("invalid_request");

    // App ids name apps in URLs and logs: no control characters, no `..` segment.
    for (const appName of ["evil\u0000app", "../../etc", "apps/../x", "tab\tapp"]) {
      const refused = await registerRaw(appName, []);
      expect(refused.status, appName).toBe(400);
      expect(refused.body.error, appName).toMatch(/control characters|"\.\." path segment/);
    }
    const { body: apps } = await api.json<{ data: { id: string }[] }>("/v1/apps");
    expect(apps.data.map((app) => app.id).filter((id) => /\u0000|\.\./.test(id))).toEqual([]);
    expect((await registerRaw("team/app-2.0", [])).status).toBe(200);

    const missing = await api.json<{ error: string }>("/fn/register", {
      method: "POST",
      body: JSON.stringify({ functions: [] }),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/url|appName/);
  });

  it("discovers -u URLs by itself and re-syncs them periodically", async () => {
    let fnId = "first";
    const make = () => {
      const inngest = new Inngest({ id: "discovered", isDev: true, baseUrl: ingot.url });
      return serveV4({
        client: inngest,
        functions: [
          inngest.createFunction({ id: fnId, triggers: [{ event: "disc/x" }] }, () => fnId),
        ],
      });
    };
    let handler = make();
    const app = await serveApp({ handler: (req, res, next) => handler(req, res, next) });
    apps.push(app);
    const dev = await startIngot({ args: ["-u", app.url], env: { INGOT_SYNC_INTERVAL_MS: "200" } });
    try {
      const devApi = new IngotApi(dev.url);
      const ids = async () =>
        (await devApi.json<{ data: ApiFunction[] }>("/v1/functions")).body.data.map((f) => f.id);
      await waitUntil(async () => (await ids()).includes("discovered-first"));
      fnId = "second";
      handler = make();
      await waitUntil(
        async () =>
          (await ids()).includes("discovered-second") &&
          !(await ids()).includes("discovered-first"),
      );
    } finally {
      await dev.stop();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error("condition not met in time");
}
