import type { ServerResponse } from "node:http";
import { parseBehaviour } from "./behaviour.js";
import { sendJson } from "./http.js";
import { parseJson } from "./json.js";
import { parseRule, type Script } from "./script.js";
import type { RecordedRequest, Rule } from "./types.js";

/**
 * The HTTP control API under `/__sim/`, for a test process that drives a simulator running in
 * another process (the bin). Control requests are not recorded.
 */
export interface ControlState {
  requests: RecordedRequest[];
  script: Script;
  inFlight: () => number;
  reset: () => void;
}

type ControlHandler = (state: ControlState, body: string, url: URL) => [number, unknown];

function parseRules(body: string): Rule[] | string {
  const parsed = parseJson(body);
  if (!parsed.ok) return `invalid JSON: ${parsed.message}`;
  const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  const rules: Rule[] = [];
  for (const item of list) {
    const rule = parseRule(item);
    if (typeof rule === "string") return rule;
    rules.push(rule);
  }
  return rules;
}

const ROUTES: Record<string, ControlHandler> = {
  "GET /__sim/health": (s) => [
    200,
    {
      ok: true,
      requests: s.requests.length,
      pendingRules: s.script.pending,
      inFlight: s.inFlight(),
    },
  ],
  "GET /__sim/requests": (s, _body, url) => {
    const dialect = url.searchParams.get("dialect");
    const path = url.searchParams.get("path");
    const requests = s.requests.filter(
      (r) => (dialect === null || r.dialect === dialect) && (path === null || r.path === path),
    );
    return [200, { requests }];
  },
  "POST /__sim/reset": (s) => {
    s.reset();
    return [200, { ok: true }];
  },
  "POST /__sim/enqueue": (s, body) => {
    const rules = parseRules(body);
    if (typeof rules === "string") return [400, { error: { message: rules } }];
    for (const rule of rules) s.script.enqueue(rule);
    return [200, { ok: true, queued: rules.length }];
  },
  "POST /__sim/default": (s, body) => {
    const parsed = parseJson(body);
    if (!parsed.ok) return [400, { error: { message: `invalid JSON: ${parsed.message}` } }];
    const behaviour = parseBehaviour(parsed.value);
    if (typeof behaviour === "string") return [400, { error: { message: behaviour } }];
    s.script.setDefault(behaviour);
    return [200, { ok: true }];
  },
};

export function serveControl(
  state: ControlState,
  res: ServerResponse,
  request: { method: string; url: URL; body: string },
): void {
  const handler = ROUTES[`${request.method} ${request.url.pathname}`];
  if (!handler) {
    const known = Object.keys(ROUTES).join(", ");
    sendJson(res, 404, { error: { message: `unknown control route; known: ${known}` } });
    return;
  }
  const [status, body] = handler(state, request.body, request.url);
  sendJson(res, status, body);
}
