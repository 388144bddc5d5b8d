import type { IncomingMessage, ServerResponse } from "node:http";
import { behaviourHeaders, classify, type Outcome, type OutcomeKind } from "./behaviour.js";
import { errorFromBehaviour, type CallContext, type ErrorSpec, type Profile } from "./context.js";
import { profileFor, type BoundCall, type Handler } from "./dialects/index.js";
import { htmlPage, sendCut, sendJson, sendText } from "./http.js";
import type { ResolvedBehaviour, Script } from "./script.js";
import { failAfterHead, writeStream, type StreamPlan } from "./sse.js";
import type { Behaviour } from "./types.js";

/** What the pipeline needs from the server around it. */
export interface Io {
  req: IncomingMessage;
  res: ServerResponse;
  sleep: (ms: number) => Promise<void>;
  chunkDelayMs: number;
  script: Script;
}

interface StepBase {
  io: Io;
  ctx: CallContext;
  profile: Profile;
  call: BoundCall;
  resolved: ResolvedBehaviour;
}

interface Step<K extends OutcomeKind> extends StepBase {
  outcome: Extract<Outcome, { kind: K }>;
}

function successHeaders(s: StepBase): Record<string, string> {
  return { ...s.profile.headers(s.ctx, 200), ...behaviourHeaders(s.resolved.behaviour) };
}

function sendError(s: StepBase, spec: ErrorSpec): void {
  const headers = {
    ...s.profile.headers(s.ctx, spec.status),
    ...behaviourHeaders(s.resolved.behaviour),
  };
  const gzip = s.resolved.behaviour.gzip === true;
  sendJson(s.io.res, spec.status, s.profile.errorBody(spec, s.ctx), headers, gzip);
}

async function stream(s: StepBase, plan: StreamPlan, b: Behaviour): Promise<void> {
  await writeStream(s.io.res, plan, {
    headers: successHeaders(s),
    chunkDelayMs: b.chunkDelayMs ?? s.io.chunkDelayMs,
    truncate: b.truncate,
    sleep: s.io.sleep,
  });
}

// An exhaustive map: adding an Outcome kind without a handler does not compile.
const OUTCOMES: { [K in OutcomeKind]: (step: Step<K>) => void | Promise<void> } = {
  reset: (s) => {
    s.io.req.socket.destroy();
  },
  hang: () => {
    // Nothing is sent; close() or the client's own timeout ends the request.
  },
  html: (s) => {
    const headers = behaviourHeaders(s.resolved.behaviour);
    sendText(
      s.io.res,
      s.outcome.status,
      "text/html; charset=UTF-8",
      htmlPage(s.outcome.status),
      headers,
    );
  },
  malformed: async (s) => {
    if (s.call.parsed.stream) {
      const chunks = [{ text: 'data: {"id":"sim-malformed","choices":[{"delta":\n\n' }];
      const plan = { contentType: "text/event-stream; charset=utf-8", chunks, headLength: 1 };
      await stream(s, plan, s.resolved.behaviour);
      return;
    }
    const body =
      '{"id":"sim-malformed","object":"chat.completion","choices":[{"index":0,"message":';
    sendText(s.io.res, 200, "application/json", body, successHeaders(s));
  },
  error: (s) => {
    sendError(s, errorFromBehaviour(s.outcome.status, s.resolved.behaviour));
  },
  "error-in-body": async (s) => {
    const spec = errorFromBehaviour(s.outcome.status, s.resolved.behaviour);
    const rendered = s.call.render(s.resolved);
    if (rendered.kind === "stream" && s.call.streamError) {
      const tail = s.call.streamError(spec, rendered.plan.headLength);
      await stream(s, failAfterHead(rendered.plan, tail), s.resolved.behaviour);
      return;
    }
    const gzip = s.resolved.behaviour.gzip === true;
    sendJson(s.io.res, 200, s.profile.errorBody(spec, s.ctx), successHeaders(s), gzip);
  },
  reply: async (s) => {
    const b = s.resolved.behaviour;
    const rendered = s.call.render(s.resolved);
    if (rendered.kind === "stream") {
      await stream(s, rendered.plan, b);
      return;
    }
    if (b.truncate !== undefined) {
      sendCut(s.io.res, JSON.stringify(rendered.body), b.truncate, successHeaders(s));
      return;
    }
    sendJson(s.io.res, 200, rendered.body, successHeaders(s), b.gzip === true);
  },
};

function run<K extends OutcomeKind>(step: Step<K>): void | Promise<void> {
  const handler: (s: Step<K>) => void | Promise<void> = OUTCOMES[step.outcome.kind];
  return handler(step);
}

/**
 * One model request: auth, JSON, validation (each in the provider's own error shape), then
 * the scripted behaviour. Validation comes first so scripted rules are only consumed by
 * requests the real provider would have accepted.
 */
export async function serveModel(io: Io, ctx: CallContext, handler: Handler): Promise<void> {
  const profile = profileFor(ctx.dialect);
  const fail = (spec: ErrorSpec): void => {
    sendJson(io.res, spec.status, profile.errorBody(spec, ctx), profile.headers(ctx, spec.status));
  };
  const authError = profile.authenticate(ctx);
  if (authError) return fail(authError);
  if (ctx.jsonError !== undefined) return fail(profile.invalidJson(ctx.jsonError));
  const bound = handler(ctx.json, ctx);
  if (!bound.ok) return fail(bound.error);
  const call = bound.value;
  if (call.parsed.model) ctx.record.model = call.parsed.model;
  ctx.record.userText = call.parsed.userText;
  if (ctx.models && call.parsed.model && !ctx.models.includes(call.parsed.model)) {
    return fail(profile.modelNotFound(call.parsed.model));
  }
  const resolved = io.script.resolve(ctx.record);
  await io.sleep(resolved.behaviour.delayMs ?? 0);
  if (io.res.destroyed) return;
  await run({ io, ctx, profile, call, resolved, outcome: classify(resolved.behaviour) });
}
