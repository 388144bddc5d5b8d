import type { Opcode, SerializedError, StepId } from "@ingot/protocol";

/** How an execution request ended, as classified from the HTTP exchange (spec §3.3). */
export type SdkOutcome =
  | { type: "complete"; data: unknown }
  | { type: "ops"; ops: Opcode[]; requestVersion?: number; retryAfterMs?: number }
  | { type: "error"; error: SerializedError; retriable: boolean; retryAfterMs?: number }
  /** Network failure, timeout, a non-SDK answer (proxy 502, HTML, garbage): always retriable. */
  | { type: "transport"; message: string };

/** The queue item an SDK request was made for. */
export interface ExecutionItem {
  /** `"step"` for discovery, or the hash of a planned step. */
  stepId: StepId;
  attempt: number;
}

export type EngineInput =
  | { kind: "sdk.response"; item: ExecutionItem; outcome: SdkOutcome }
  /** A v4 checkpoint: steps executed inside a still-running request (spec §2.4, §9.1). */
  | { kind: "checkpoint"; steps: Extract<Opcode, { kind: "StepRun" }>[] }
  /** An async step finished outside the SDK: sleep woke, wait matched or timed out, etc. */
  | { kind: "step.resolved"; stepId: StepId; result: unknown; failed?: SerializedError }
  | { kind: "cancel"; reason: string }
  /** The server cannot go on with the run (its work cannot be processed): it fails. */
  | { kind: "fail"; error: SerializedError };

export type EngineInputKind = EngineInput["kind"];
