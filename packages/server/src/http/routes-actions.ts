import { ErrorCode, IngotError, RunId, RunStatus, SdkHeader } from "@ingot/protocol";
import type { Hono } from "hono";
import { z } from "zod";
import type { RunSelection } from "../actions.js";
import { readJson } from "./body.js";
import type { HttpDeps } from "./context.js";

/**
 * Which runs a bulk action touches. Unknown keys are refused (a typo must not widen the action
 * to every run), and selecting everything takes an explicit `"all": true`.
 */
const Selection = z
  .strictObject({
    function_id: z.string().min(1).optional(),
    status: z
      .array(z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]]))
      .min(1)
      .optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    all: z.literal(true, { error: 'expected "all": true (or leave it out)' }).optional(),
  })
  .refine(
    (body) =>
      body.all === true ||
      body.function_id !== undefined ||
      body.status !== undefined ||
      body.from !== undefined ||
      body.until !== undefined,
    {
      message:
        'an empty selection would touch every run: give function_id, status, from or until, or say "all": true',
    },
  );

const Signal = z.object({
  signal: z.string({ error: "expected a string (the signal name)" }).min(1),
  data: z.unknown().optional(),
});

const Invoke = z.object({ data: z.record(z.string(), z.unknown()).default({}) });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `${issue?.path.join(".") || "body"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

function selection(body: z.infer<typeof Selection>): RunSelection {
  const out: RunSelection = {};
  if (body.function_id) out.functionId = body.function_id;
  if (body.status) out.statuses = body.status;
  if (body.from) out.from = Date.parse(body.from);
  if (body.until) out.until = Date.parse(body.until);
  return out;
}

/** Operator actions behind the REST auth (the dashboard uses them). Documented in docs/api.md. */
export function actionRoutes(app: Hono, deps: HttpDeps): void {
  const { actions } = deps;

  app.post("/v1/events", async (c) => {
    const ids = await deps.ingest.ingest(
      await readJson(c, deps.config.maxBodyBytes),
      c.req.header(SdkHeader.EventIdSeed),
    );
    return c.json({ ids, status: 200 });
  });

  app.post("/v1/signals", async (c) => {
    const body = parse(Signal, await readJson(c, deps.config.maxBodyBytes));
    const runId = await actions.signal(body.signal, body.data);
    if (!runId) {
      throw new IngotError(ErrorCode.RunNotFound, `no run is waiting for signal "${body.signal}"`);
    }
    return c.json({ data: { run_id: runId } });
  });

  app.post("/v1/runs/:runId/rerun", async (c) => {
    const runId = await actions.rerun(RunId(c.req.param("runId")));
    if (!runId)
      throw new IngotError(ErrorCode.RunNotFound, `run ${c.req.param("runId")} not found`);
    return c.json({ data: { run_id: runId } });
  });

  app.post("/v1/functions/:functionId/invoke", async (c) => {
    const body = parse(Invoke, await readJson(c, deps.config.maxBodyBytes));
    const runId = await actions.invoke(c.req.param("functionId"), body.data);
    if (!runId)
      throw new IngotError(
        ErrorCode.FunctionNotFound,
        `function ${c.req.param("functionId")} not found`,
      );
    return c.json({ data: { run_id: runId } });
  });

  app.post("/v1/runs/cancel", async (c) => {
    const body = parse(Selection, await readJson(c, 64 * 1024, ""));
    return c.json({ data: { cancelled: await actions.cancelMany(selection(body)) } });
  });

  app.post("/v1/runs/replay", async (c) => {
    const body = parse(Selection, await readJson(c, 64 * 1024, ""));
    const runIds = await actions.replayMany(selection(body));
    return c.json({ data: { replayed: runIds.length, run_ids: runIds } });
  });
}
