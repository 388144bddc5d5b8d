/** The execution request body the server sends to the app (spec §3.3). */
export interface SdkRequestContext {
  run_id: string;
  /** Presence enables v4 async checkpointing (spec §9.1). */
  fn_id?: string;
  qi_id?: string;
  attempt: number;
  max_attempts: number;
  disable_immediate_execution: boolean;
  use_api: boolean;
  stack: { stack: string[]; current: number };
  env: string;
  step_id: string;
}

export interface SdkRequestBody {
  event: Record<string, unknown>;
  events: Record<string, unknown>[];
  steps: Record<string, unknown>;
  defers: Record<string, unknown>;
  ctx: SdkRequestContext;
  version: number;
  use_api: boolean;
}

/** Headers Ingot sends on execution requests and reads on responses. */
export const SdkHeader = {
  Sdk: "x-inngest-sdk",
  Signature: "x-inngest-signature",
  StepId: "x-inngest-step-id",
  NoRetry: "x-inngest-no-retry",
  RetryAfter: "retry-after",
  ReqVersion: "x-inngest-req-version",
  RequestId: "x-request-id",
  GenerationId: "x-inngest-generation-id",
  JobId: "x-inngest-job-id",
  ServerKind: "x-inngest-server-kind",
  ExpectedServerKind: "x-inngest-expected-server-kind",
  SyncKind: "x-inngest-sync-kind",
  EventIdSeed: "x-inngest-event-id-seed",
  Env: "x-inngest-env",
} as const;
