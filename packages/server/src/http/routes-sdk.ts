import {
  OpcodeError,
  RawOpcodeList,
  parseOpcodes,
  ErrorCode,
  IngotError,
  RunId,
  SdkHeader,
  toSdkEvent,
} from "@ingot/protocol";
import type { Hono } from "hono";
import { z } from "zod";
import { parseQueueItemRef } from "../runner.js";
import { memoizedJson } from "../sdk-client.js";
import { requireEventKey, requireSigningKey } from "./auth.js";
import { readJson } from "./body.js";
import type { HttpDeps } from "./context.js";

/** Largest checkpoint body: step outputs of several MiB must fit (spec §2.4). */
const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

const CheckpointBody = z.looseObject({
  run_id: z.string().optional(),
  fn_id: z.string().optional(),
  qi_id: z.string().min(1),
  steps: RawOpcodeList,
});

/** The endpoints the SDK calls (spec §2). */
export function sdkRoutes(app: Hono, deps: HttpDeps): void {
  const { config } = deps;

  app.post("/e/:key", async (c) => {
    requireEventKey(config, c.req.param("key"));
    const body = await readJson(c, config.maxBodyBytes);
    const ids = await deps.ingest.ingest(body, c.req.header(SdkHeader.EventIdSeed));
    return c.json({ ids, status: 200 });
  });

  app.post("/fn/register", async (c) => {
    // `deployId` ties the registration to the sync that asked for it (sync/registrations.ts).
    const syncId = c.req.query("deployId");
    let body: unknown;
    try {
      requireSigningKey(config, c.req.header("authorization"));
      body = await readJson(c, config.maxBodyBytes);
      const expectedKind = c.req.header(SdkHeader.ExpectedServerKind);
      const outcome = await deps.syncer.register({ body, expectedKind, syncId });
      return c.json({ ok: true, modified: outcome.modified, app_id: outcome.appId });
    } catch (error) {
      await deps.syncer.registrationRefused({ syncId, body, error });
      throw error;
    }
  });

  app.get("/v0/runs/:runId/batch", async (c) => {
    requireSigningKey(config, c.req.header("authorization"));
    const run = await deps.store.runs.get(RunId(c.req.param("runId")));
    if (!run) throw runNotFound(c.req.param("runId"));
    const events = await deps.store.events.getMany(run.eventIds);
    return c.json(events.map(toSdkEvent));
  });

  app.get("/v0/runs/:runId/actions", async (c) => {
    requireSigningKey(config, c.req.header("authorization"));
    const runId = RunId(c.req.param("runId"));
    const run = await deps.store.runs.get(runId);
    if (!run) throw runNotFound(runId);
    const memoized = await deps.store.runs.memoized(runId);
    return c.body(memoizedJson(memoized), 200, { "content-type": "application/json" });
  });

  app.post("/v1/checkpoint/:runId/async", async (c) => {
    deps.tracer.mark(c.req.param("runId"), "checkpoint.received");
    requireSigningKey(config, c.req.header("authorization"));
    const parsed = CheckpointBody.safeParse(await readJson(c, MAX_CHECKPOINT_BYTES, ""));
    if (!parsed.success) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `expected {qi_id, steps: [opcodes]}: ${parsed.error.issues[0]?.message}`,
      );
    }
    let steps;
    try {
      steps = parseOpcodes(parsed.data.steps).filter((op) => op.kind === "StepRun");
    } catch (error) {
      if (!(error instanceof OpcodeError)) throw error;
      throw new IngotError(ErrorCode.InvalidRequest, `steps: ${error.message}`);
    }
    const outcome = await deps.runner.checkpoint(
      RunId(c.req.param("runId")),
      parseQueueItemRef(parsed.data.qi_id),
      steps,
    );
    if (outcome === "ok") {
      deps.tracer.mark(c.req.param("runId"), "checkpoint.acknowledged");
      return c.json({ ok: true });
    }
    if (outcome === "unknown") throw runNotFound(c.req.param("runId"));
    // 409 makes the SDK abandon this request: its queue item is no longer ours (spec §2.4).
    throw new IngotError(
      ErrorCode.StaleDispatch,
      "stale dispatch: this request's queue item is no longer leased",
    );
  });
}

function runNotFound(runId: string): IngotError {
  return new IngotError(ErrorCode.RunNotFound, `run ${runId} not found`);
}
