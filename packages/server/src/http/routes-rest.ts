import {
  AppId,
  ErrorCode,
  EventId,
  FunctionId,
  IngotError,
  isTerminal,
  RunId,
  RunStatus,
} from "@ingot/protocol";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { requireApiAccess } from "./auth.js";
import { readJson } from "./body.js";
import type { HttpDeps } from "./context.js";
import {
  apiAiCall,
  apiApp,
  apiSyncOutcome,
  apiEvent,
  apiFunction,
  apiHistory,
  apiRun,
  apiRunDetail,
  apiStep,
  apiUsage,
} from "./present.js";

const MAX_PAGE = 500;

const ListRunsQuery = z.object({
  status: z
    .string()
    .transform((value) => value.split(",").filter(Boolean))
    .pipe(z.array(z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]])))
    .optional(),
  function_id: z.string().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

const ListEventsQuery = z.object({
  name: z.string().optional(),
  /** `false` leaves out Ingot's own `inngest/…` events. */
  internal: z.enum(["true", "false"]).optional(),
  /** `<received_at ms>:<event id>` of the last event of the previous page. */
  cursor: z
    .string()
    .regex(/^\d+:[0-9A-Za-z]+$/, "expected the cursor of a previous page")
    .transform((value) => {
      const [at = "0", id = ""] = value.split(":");
      return { at: Number(at), id };
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

/** `?wait_for=completion&timeout=<ms>`: hold the request until the run(s) ended. */
const WaitQuery = z.object({
  wait_for: z.literal("completion", { error: "expected wait_for=completion" }).optional(),
  timeout: z.coerce.number().int().min(0).max(300_000).default(30_000),
});

const AiCallsQuery = z.object({
  function_id: z.string().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

const AiUsageQuery = z.object({
  group_by: z.enum(["provider", "model", "function"]).default("model"),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

const AddApp = z.object({
  url: z.url({ error: "expected the app's serve URL, e.g. http://127.0.0.1:3000/api/inngest" }),
});

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `query ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Ingot's REST API: the Inngest v1 subset plus steps, history, apps (docs/api.md). */
export function restRoutes(app: Hono, deps: HttpDeps): void {
  const { store } = deps;
  app.use("/v1/*", async (c: Context, next) => {
    // Checkpoints carry the signing key themselves (routes-sdk.ts).
    if (!c.req.path.startsWith("/v1/checkpoint/")) await requireApiAccess(c, deps);
    await next();
  });

  const loadRun = async (id: string) => {
    const run = await store.runs.get(RunId(id));
    if (!run) throw new IngotError(ErrorCode.RunNotFound, `run ${id} not found`);
    return run;
  };

  app.get("/v1/runs", async (c) => {
    const query = parseQuery(ListRunsQuery, c.req.query());
    const runs = await store.runs.list({
      ...(query.status ? { statuses: query.status } : {}),
      ...(query.function_id ? { functionIds: [FunctionId(query.function_id)] } : {}),
      ...(query.from ? { from: Date.parse(query.from) } : {}),
      ...(query.until ? { until: Date.parse(query.until) } : {}),
      ...(query.cursor ? { beforeId: RunId(query.cursor) } : {}),
      limit: query.limit,
    });
    const last = runs.at(-1);
    return c.json({
      data: runs.map(apiRun),
      cursor: runs.length === query.limit && last ? last.id : null,
    });
  });

  /** Re-reads until `done` holds, waiting for run-finished notifications on `key` in between. */
  async function hold<T>(
    key: string,
    timeoutMs: number,
    read: () => Promise<T>,
    done: (value: T) => boolean,
  ): Promise<T> {
    const deadline = deps.clock.now() + timeoutMs;
    for (;;) {
      const wait = deps.notifier.next(key, deadline - deps.clock.now());
      const value = await read();
      if (done(value) || deps.clock.now() >= deadline) {
        wait.cancel();
        return value;
      }
      await wait.promise;
    }
  }

  app.get("/v1/runs/:runId", async (c) => {
    const wait = parseQuery(WaitQuery, c.req.query());
    const id = c.req.param("runId");
    const run = wait.wait_for
      ? await hold(
          id,
          wait.timeout,
          () => loadRun(id),
          (found) => isTerminal(found.status),
        )
      : await loadRun(id);
    if (wait.wait_for) deps.tracer.mark(run.id, "longpoll.answered");
    return c.json({ data: apiRunDetail(run) });
  });

  app.delete("/v1/runs/:runId", async (c) => {
    const run = await loadRun(c.req.param("runId"));
    if (isTerminal(run.status) && run.status !== "Cancelled") {
      throw new IngotError(
        ErrorCode.Conflict,
        `run ${run.id} already ended with status ${run.status}`,
      );
    }
    await deps.runner.cancel(run.id, "cancelled through the API");
    return c.json({ data: apiRun(await loadRun(run.id)) });
  });

  app.get("/v1/runs/:runId/steps", async (c) => {
    const run = await loadRun(c.req.param("runId"));
    return c.json({ data: (await store.runs.steps(run.id)).map(apiStep) });
  });

  app.get("/v1/runs/:runId/history", async (c) => {
    const run = await loadRun(c.req.param("runId"));
    return c.json({ data: (await store.runs.history(run.id)).map(apiHistory) });
  });

  app.get("/v1/events", async (c) => {
    const query = parseQuery(ListEventsQuery, c.req.query());
    const events = await store.events.list({
      ...(query.name ? { name: query.name } : {}),
      ...(query.internal === "false" ? { excludeInternal: true } : {}),
      ...(query.cursor !== undefined ? { before: query.cursor.at, beforeId: query.cursor.id } : {}),
      limit: query.limit,
    });
    const last = events.at(-1);
    return c.json({
      data: events.map(apiEvent),
      cursor: events.length === query.limit && last ? `${last.receivedAt}:${last.id}` : null,
    });
  });

  app.get("/v1/events/:eventId", async (c) => {
    const event = await store.events.get(EventId(c.req.param("eventId")));
    if (!event)
      throw new IngotError(ErrorCode.EventNotFound, `event ${c.req.param("eventId")} not found`);
    return c.json({ data: apiEvent(event) });
  });

  app.get("/v1/events/:eventId/runs", async (c) => {
    const wait = parseQuery(WaitQuery, c.req.query());
    const eventId = EventId(c.req.param("eventId"));
    const read = () => store.runs.byEvent(eventId);
    const runs = wait.wait_for
      ? await hold(
          eventId,
          wait.timeout,
          read,
          (found) => found.length > 0 && found.every((run) => isTerminal(run.status)),
        )
      : await read();
    if (wait.wait_for) for (const run of runs) deps.tracer.mark(run.id, "longpoll.answered");
    return c.json({ data: runs.map(apiRun) });
  });

  app.get("/v1/runs/:runId/trace", async (c) => {
    const run = await loadRun(c.req.param("runId"));
    if (!deps.tracer.enabled) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        "run traces are off; start Ingot with INGOT_TRACE_RUNS=<how many runs to keep>",
      );
    }
    const marks = deps.tracer.timeline([...run.eventIds, run.id]);
    const start = marks[0]?.at ?? 0;
    return c.json({
      data: marks.map((mark) => ({ phase: mark.phase, ms: Number((mark.at - start).toFixed(3)) })),
    });
  });

  app.get("/v1/apps", async (c) => {
    const [apps, functions] = await Promise.all([store.apps.list(), store.apps.functions()]);
    return c.json({
      data: apps.map((entry) => apiApp(entry, functions, deps.appLoad(entry.url))),
    });
  });

  app.post("/v1/apps", async (c) => {
    const parsed = AddApp.safeParse(await readJson(c, 64 * 1024, ""));
    if (!parsed.success)
      throw new IngotError(ErrorCode.InvalidRequest, `url: ${parsed.error.issues[0]?.message}`);
    try {
      return c.json({ data: apiSyncOutcome(await deps.syncer.syncUrl(parsed.data.url)) });
    } finally {
      // Kept re-syncing even when this first sync failed: the app may just not be up yet.
      deps.syncer.startDiscovery([parsed.data.url]);
    }
  });

  app.post("/v1/apps/:appId/sync", async (c) => {
    const found = await store.apps.get(AppId(c.req.param("appId")));
    if (!found)
      throw new IngotError(ErrorCode.AppNotFound, `app ${c.req.param("appId")} not found`);
    return c.json({ data: apiSyncOutcome(await deps.syncer.syncUrl(found.url)) });
  });

  app.delete("/v1/apps/:appId", async (c) => {
    const found = await store.apps.get(AppId(c.req.param("appId")));
    const removed = await store.apps.remove(AppId(c.req.param("appId")), deps.clock.now());
    if (!removed || !found)
      throw new IngotError(ErrorCode.AppNotFound, `app ${c.req.param("appId")} not found`);
    deps.syncer.forget(found.url);
    await deps.syncer.reloadRegistry();
    return c.json({ data: { removed: true } });
  });

  app.get("/v1/runs/:runId/ai", async (c) => {
    const run = await loadRun(c.req.param("runId"));
    const calls = await store.aiCalls.list({ runId: run.id, limit: MAX_PAGE * 10 });
    return c.json({ data: calls.map(apiAiCall) });
  });

  app.get("/v1/ai/calls", async (c) => {
    const query = parseQuery(AiCallsQuery, c.req.query());
    const calls = await store.aiCalls.list({
      ...(query.function_id ? { functionIds: [FunctionId(query.function_id)] } : {}),
      ...(query.from ? { from: Date.parse(query.from) } : {}),
      ...(query.until ? { until: Date.parse(query.until) } : {}),
      limit: query.limit,
    });
    return c.json({ data: calls.map(apiAiCall) });
  });

  app.get("/v1/ai/usage", async (c) => {
    const query = parseQuery(AiUsageQuery, c.req.query());
    const totals = await store.aiCalls.totals({
      groupBy: query.group_by,
      ...(query.from ? { from: Date.parse(query.from) } : {}),
      ...(query.until ? { until: Date.parse(query.until) } : {}),
    });
    return c.json({ data: totals.map(apiUsage) });
  });

  app.get("/v1/functions", async (c) =>
    c.json({ data: (await store.apps.functions()).map(apiFunction) }),
  );
}
