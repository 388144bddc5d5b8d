import { z } from "zod";
import type { SerializedError } from "./errors.js";
import { StepId } from "./ids.js";
import { sdkObject } from "./lenient.js";

/**
 * Opcodes: the elements of a `206` response body (spec §3.4). Parsed leniently at the element
 * level (the SDK adds internal fields we ignore) and strictly where we act on a field. The Python
 * SDK sends `"opts": null`, `"name": null` and `"userland": {"id": "a", "index": null}`, which
 * `sdkObject` reads as absent.
 */

const RawOpcode = sdkObject({
  op: z.string().min(1),
  id: z.string().min(1),
  name: z.string().optional(),
  displayName: z.string().optional(),
  opts: z.record(z.string(), z.unknown()).optional(),
  data: z.unknown().optional(),
  error: z.unknown().optional(),
  userland: sdkObject({ id: z.string(), index: z.number().int().min(0).optional() }).optional(),
  timing: sdkObject({ a: z.number().optional(), b: z.number().optional() }).optional(),
});
type RawOpcode = z.infer<typeof RawOpcode>;

export const RawOpcodeList = z.array(RawOpcode);

interface OpcodeBase {
  id: StepId;
  /** User-facing name: displayName, else name, else the userland id. */
  displayName: string;
  /** The user's own step id (`userland.id`), when reported. */
  userlandId?: string;
  opts: Record<string, unknown>;
}

export type Opcode =
  | (OpcodeBase & { kind: "StepRun"; data: unknown; durationMs?: number; startedAt?: number })
  | (OpcodeBase & { kind: "StepError"; error: SerializedError })
  | (OpcodeBase & { kind: "StepFailed"; error: SerializedError })
  | (OpcodeBase & { kind: "StepPlanned"; race: boolean })
  | (OpcodeBase & { kind: "Sleep"; until: string })
  | (OpcodeBase & { kind: "WaitForEvent"; event: string; timeout: string; if?: string })
  | (OpcodeBase & { kind: "WaitForSignal"; signal: string; timeout: string; conflict?: string })
  | (OpcodeBase & {
      kind: "InvokeFunction";
      functionId: string;
      payload: Record<string, unknown>;
      timeout?: string;
    })
  | (OpcodeBase & { kind: "AIGateway"; request: AiGatewayRequest })
  | (OpcodeBase & { kind: "Gateway"; request: FetchGatewayRequest })
  | (OpcodeBase & { kind: "RunComplete"; data: unknown })
  | (OpcodeBase & { kind: "DiscoveryRequest" })
  | (OpcodeBase & { kind: "Unknown"; op: string });

export type OpcodeKind = Opcode["kind"];

/** `step.ai.infer` options (spec §5.1). `authKey` is a secret: never store or log it. */
export const AiGatewayRequest = sdkObject({
  url: z.string().min(1),
  format: z.string().default("openai-chat"),
  headers: z.record(z.string(), z.string()).optional(),
  auth_key: z.string().optional(),
  body: z.unknown(),
  type: z.string().optional(),
});
export type AiGatewayRequest = z.infer<typeof AiGatewayRequest>;

/** `step.fetch` options (spec §3.4 `Gateway`). */
export const FetchGatewayRequest = sdkObject({
  url: z.string().min(1),
  method: z.string().default("GET"),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});
export type FetchGatewayRequest = z.infer<typeof FetchGatewayRequest>;

const SerializedErrorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  stack: z.string().optional(),
});

/** Normalizes whatever the SDK put in an `error` field into `{name, message, stack?}`. */
export function toSerializedError(value: unknown): SerializedError {
  const parsed = SerializedErrorSchema.safeParse(value);
  if (!parsed.success) {
    return { name: "Error", message: typeof value === "string" ? value : "Unknown error" };
  }
  const out: SerializedError = {
    ...parsed.data,
    name: parsed.data.name ?? "Error",
    message: parsed.data.message ?? "Unknown error",
  };
  delete out.__serialized;
  return out;
}

export class OpcodeError extends Error {
  override readonly name = "OpcodeError";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function base(raw: RawOpcode): OpcodeBase {
  const userlandId = raw.userland?.id;
  const opcode: OpcodeBase = {
    id: StepId(raw.id),
    displayName: raw.displayName ?? raw.name ?? userlandId ?? raw.id,
    opts: raw.opts ?? {},
  };
  if (userlandId !== undefined) opcode.userlandId = userlandId;
  return opcode;
}

type Converter = (raw: RawOpcode, common: OpcodeBase) => Opcode;

const NS_PER_MS = 1_000_000;

const CONVERTERS: Record<string, Converter> = {
  StepRun: (raw, common) => {
    const op: Opcode = { ...common, kind: "StepRun", data: raw.data ?? null };
    if (typeof raw.timing?.a === "number") op.startedAt = Math.round(raw.timing.a / NS_PER_MS);
    if (typeof raw.timing?.b === "number") op.durationMs = raw.timing.b / NS_PER_MS;
    return op;
  },
  StepError: (raw, common) => ({
    ...common,
    kind: "StepError",
    error: toSerializedError(raw.error),
  }),
  StepFailed: (raw, common) => ({
    ...common,
    kind: "StepFailed",
    error: toSerializedError(raw.error ?? raw.data),
  }),
  StepPlanned: (_raw, common) => ({
    ...common,
    kind: "StepPlanned",
    race: common.opts.parallelMode === "race",
  }),
  Sleep: (raw, common) => {
    const until = raw.name ?? str(common.opts.duration);
    if (until === undefined)
      throw new OpcodeError(`Sleep ${raw.id}: expected a duration in "name"`);
    return { ...common, kind: "Sleep", until };
  },
  WaitForEvent: (raw, common) => {
    const event = raw.name ?? str(common.opts.event);
    const timeout = str(common.opts.timeout);
    if (event === undefined)
      throw new OpcodeError(`WaitForEvent ${raw.id}: expected an event name`);
    if (timeout === undefined)
      throw new OpcodeError(`WaitForEvent ${raw.id}: expected opts.timeout`);
    const op: Opcode = { ...common, kind: "WaitForEvent", event, timeout };
    const condition = str(common.opts.if);
    if (condition !== undefined && condition !== "") op.if = condition;
    return op;
  },
  WaitForSignal: (raw, common) => {
    const signal = str(common.opts.signal) ?? raw.name;
    const timeout = str(common.opts.timeout);
    if (signal == null) throw new OpcodeError(`WaitForSignal ${raw.id}: expected opts.signal`);
    if (timeout === undefined)
      throw new OpcodeError(`WaitForSignal ${raw.id}: expected opts.timeout`);
    const op: Opcode = { ...common, kind: "WaitForSignal", signal, timeout };
    const conflict = str(common.opts.conflict);
    if (conflict !== undefined) op.conflict = conflict;
    return op;
  },
  InvokeFunction: (raw, common) => {
    const functionId = str(common.opts.function_id);
    if (functionId === undefined) {
      throw new OpcodeError(`InvokeFunction ${raw.id}: expected opts.function_id`);
    }
    const payload = z.record(z.string(), z.unknown()).safeParse(common.opts.payload);
    const op: Opcode = {
      ...common,
      kind: "InvokeFunction",
      functionId,
      payload: payload.success ? payload.data : {},
    };
    const timeout = str(common.opts.timeout);
    if (timeout !== undefined && timeout !== "") op.timeout = timeout;
    return op;
  },
  AIGateway: (raw, common) => {
    const request = AiGatewayRequest.safeParse(common.opts);
    if (!request.success) {
      throw new OpcodeError(`AIGateway ${raw.id}: expected opts {url, format, body}`);
    }
    return { ...common, kind: "AIGateway", request: request.data };
  },
  Gateway: (raw, common) => {
    const request = FetchGatewayRequest.safeParse(common.opts);
    if (!request.success) throw new OpcodeError(`Gateway ${raw.id}: expected opts {url, method}`);
    return { ...common, kind: "Gateway", request: request.data };
  },
  RunComplete: (raw, common) => ({ ...common, kind: "RunComplete", data: raw.data ?? null }),
  DiscoveryRequest: (_raw, common) => ({ ...common, kind: "DiscoveryRequest" }),
};

/** Parses a `206` body into opcodes. Throws `OpcodeError` with a reason on malformed input. */
export function parseOpcodes(body: unknown): Opcode[] {
  const list = RawOpcodeList.safeParse(body);
  if (!list.success) {
    throw new OpcodeError(`expected a JSON array of opcodes: ${list.error.issues[0]?.message}`);
  }
  return list.data.map((raw) => {
    const common = base(raw);
    const convert = CONVERTERS[raw.op];
    return convert ? convert(raw, common) : { ...common, kind: "Unknown", op: raw.op };
  });
}
