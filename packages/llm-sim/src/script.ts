import { mergeBehaviours, parseBehaviour } from "./behaviour.js";
import { parseDirectives } from "./directives.js";
import { isObject, num, obj, str } from "./json.js";
import {
  Dialect,
  Endpoint,
  type Behaviour,
  type MatchSpec,
  type RecordedRequest,
  type Rule,
} from "./types.js";

interface QueuedRule {
  rule: Rule;
  remaining: number;
}

/** Where the behaviour for one request came from; tool directives only fire once per turn. */
export type BehaviourSource = "rule" | "directive" | "default";

export interface ResolvedBehaviour {
  behaviour: Behaviour;
  source: BehaviourSource;
}

/** Scripted rules, prompt-directive counters and the default behaviour of one simulator. */
export class Script {
  private rules: QueuedRule[] = [];
  private readonly directiveHits = new Map<string, number>();
  private fallback: Behaviour = {};

  enqueue(rule: Rule): void {
    const times = rule.times ?? 1;
    if (times > 0) this.rules.push({ rule, remaining: times });
  }

  setDefault(behaviour: Behaviour): void {
    this.fallback = behaviour;
  }

  reset(): void {
    this.rules = [];
    this.directiveHits.clear();
    this.fallback = {};
  }

  get pending(): number {
    return this.rules.length;
  }

  /** Rule first (consumed), then prompt directives (counted per key), then the default. */
  resolve(req: RecordedRequest): ResolvedBehaviour {
    const index = this.rules.findIndex(({ rule }) => matches(rule, req));
    const queued = this.rules[index];
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) this.rules.splice(index, 1);
      return { behaviour: queued.rule.respond, source: "rule" };
    }
    const active = parseDirectives(req.userText).filter((d) => {
      if (d.key === undefined) return true;
      const hits = this.directiveHits.get(d.key) ?? 0;
      if (hits >= (d.times ?? 1)) return false;
      this.directiveHits.set(d.key, hits + 1);
      return true;
    });
    if (active.length > 0) {
      return {
        behaviour: mergeBehaviours([this.fallback, ...active.map((d) => d.behaviour)]),
        source: "directive",
      };
    }
    return { behaviour: this.fallback, source: "default" };
  }
}

function matches(rule: Rule, req: RecordedRequest): boolean {
  const { match } = rule;
  if (match === undefined) return true;
  if (typeof match === "function") return match(req);
  return matchesSpec(match, req);
}

function matchesSpec(spec: MatchSpec, req: RecordedRequest): boolean {
  if (spec.dialect !== undefined && spec.dialect !== req.dialect) return false;
  if (spec.endpoint !== undefined && spec.endpoint !== req.endpoint) return false;
  if (spec.model !== undefined && spec.model !== req.model) return false;
  if (spec.path instanceof RegExp && !spec.path.test(req.path)) return false;
  if (typeof spec.path === "string" && spec.path !== req.path) return false;
  if (spec.contains !== undefined) {
    return req.userText.includes(spec.contains) || req.rawBody.includes(spec.contains);
  }
  return true;
}

/** Parses the JSON form of a rule (control API `POST /__sim/enqueue`). */
export function parseRule(value: unknown): Rule | string {
  if (!isObject(value)) return "a rule must be an object";
  const respond = parseBehaviour(value["respond"]);
  if (typeof respond === "string") return respond;
  const rule: Rule = { respond };
  const times = num(value, "times");
  if (times !== undefined) rule.times = times;
  const match = obj(value, "match");
  if (match) {
    const spec = parseMatch(match);
    if (typeof spec === "string") return spec;
    rule.match = spec;
  }
  return rule;
}

function parseMatch(value: Record<string, unknown>): MatchSpec | string {
  const spec: MatchSpec = {};
  const dialect = str(value, "dialect");
  if (dialect !== undefined) {
    const known = Object.values(Dialect).find((d) => d === dialect);
    if (!known) {
      return `unknown dialect "${dialect}"; expected one of ${Object.values(Dialect).join(", ")}`;
    }
    spec.dialect = known;
  }
  const endpoint = str(value, "endpoint");
  if (endpoint !== undefined) {
    const known = Object.values(Endpoint).find((e) => e === endpoint);
    if (!known) return `unknown endpoint "${endpoint}"`;
    spec.endpoint = known;
  }
  const path = str(value, "path");
  if (path !== undefined) spec.path = path;
  const model = str(value, "model");
  if (model !== undefined) spec.model = model;
  const contains = str(value, "contains");
  if (contains !== undefined) spec.contains = contains;
  return spec;
}
