import {
  array,
  boolean,
  type Decoded,
  type Decoder,
  nullable,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  unknownValue,
} from "./decode";

/** The REST shapes of docs/api.md, each with the decoder that checks it at runtime. */

export const RUN_STATUSES = ["Queued", "Running", "Completed", "Failed", "Cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_STATUSES: readonly RunStatus[] = ["Queued", "Running"];
export const isActive = (status: RunStatus): boolean => ACTIVE_STATUSES.includes(status);

export const decodeRun = object({
  run_id: string,
  function_id: string,
  app_id: string,
  event_id: nullable(string),
  status: oneOf(RUN_STATUSES),
  output: unknownValue,
  run_started_at: string,
  ended_at: nullable(string),
});
export type Run = Decoded<typeof decodeRun>;

const decodeRunExtra = object({
  event_ids: optional(array(string)),
  created_at: optional(nullable(string)),
  error: optional(unknownValue),
  correlation_id: optional(nullable(string)),
});
export type RunDetail = Run & Decoded<typeof decodeRunExtra>;
export const decodeRunDetail: Decoder<RunDetail> = (value, path) => ({
  ...decodeRun(value, path),
  ...decodeRunExtra(value, path),
});

/** Step statuses the server reports; unknown ones are shown as they come. */
export type StepStatus =
  | "completed"
  | "failed"
  | "planned"
  | "sleeping"
  | "waiting"
  | "invoking"
  | "gateway"
  | "errored"
  | "cancelled";

export const decodeStep = object({
  step_id: string,
  name: string,
  user_id: nullable(string),
  op: string,
  status: string,
  position: nullable(number),
  output: unknownValue,
  attempts: number,
  created_at: nullable(string),
  ended_at: nullable(string),
  duration_ms: nullable(number),
});
export type Step = Decoded<typeof decodeStep>;

export const decodeHistoryEntry = object({
  id: number,
  at: string,
  type: string,
  step_id: nullable(string),
  attempt: nullable(number),
  data: unknownValue,
});
export type HistoryEntry = Decoded<typeof decodeHistoryEntry>;

const decodeUsage = object({
  input_tokens: nullable(number),
  output_tokens: nullable(number),
  cached_tokens: nullable(number),
  reasoning_tokens: nullable(number),
  total_tokens: nullable(number),
});

export const decodeAiCall = object({
  id: string,
  run_id: string,
  step_id: string,
  function_id: string,
  attempt: number,
  kind: string,
  provider: string,
  model: nullable(string),
  format: string,
  url: string,
  outcome: oneOf(["ok", "retry", "error", "cancelled"] as const),
  http_status: nullable(number),
  usage: decodeUsage,
  cost_usd: nullable(number),
  latency_ms: number,
  first_token_ms: nullable(number),
  streamed: boolean,
  key_source: string,
  error: nullable(string),
  request: unknownValue,
  response_text: nullable(string),
  started_at: string,
  ended_at: string,
});
export type AiCall = Decoded<typeof decodeAiCall>;

export const decodeAiUsage = object({
  key: nullable(string),
  calls: number,
  errors: number,
  input_tokens: number,
  output_tokens: number,
  cached_tokens: number,
  cost_usd: number,
  latency_ms_avg: number,
});
export type AiUsage = Decoded<typeof decodeAiUsage>;

export const decodeApp = object({
  id: string,
  url: string,
  sdk: nullable(string),
  framework: nullable(string),
  app_version: nullable(string),
  error: nullable(string),
  synced_at: nullable(string),
  created_at: nullable(string),
  function_count: number,
  requests: optional(object({ active: number, queued: number, limit: number })),
});
export type App = Decoded<typeof decodeApp>;

const decodeTrigger = object({
  event: optional(string),
  expression: optional(string),
  cron: optional(string),
});
export type Trigger = Decoded<typeof decodeTrigger>;

export const decodeFunction = object({
  id: string,
  uuid: string,
  app_id: string,
  name: string,
  triggers: array(decodeTrigger),
  config: record,
  created_at: nullable(string),
  updated_at: nullable(string),
  archived_at: nullable(string),
});
export type IngotFunction = Decoded<typeof decodeFunction>;

export const decodeEvent = object({
  id: string,
  internal_id: string,
  name: string,
  data: record,
  ts: number,
  user: nullable(record),
  v: nullable(string),
  received_at: string,
  routed_at: optional(nullable(string)),
  functions_triggered: optional(nullable(number)),
});
export type IngotEvent = Decoded<typeof decodeEvent>;

export const decodeSession = object({
  mode: string,
  required: boolean,
  authenticated: boolean,
});
export type Session = Decoded<typeof decodeSession>;

export function decodeData<T>(decoder: Decoder<T>): Decoder<T> {
  const wrapper = object({ data: decoder });
  return (value, path) => wrapper(value, path).data;
}

export function decodePage<T>(decoder: Decoder<T>): Decoder<{ data: T[]; cursor: string | null }> {
  return object({ data: array(decoder), cursor: nullable(string) });
}

export const decodeRunIdAnswer = decodeData(object({ run_id: string }));
export const decodeCancelled = decodeData(object({ cancelled: number }));
export const decodeReplayed = decodeData(object({ replayed: number, run_ids: array(string) }));
export const decodeSent = object({ ids: array(string) });
