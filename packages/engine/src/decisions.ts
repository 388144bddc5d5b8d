import type {
  AiGatewayRequest,
  FetchGatewayRequest,
  RunStatus,
  SerializedError,
  StepId,
} from "@ingot/protocol";
import type { StepStatus } from "./state.js";

/** Facts about a step kept for history and the dashboard. */
export interface StepMeta {
  displayName: string;
  op: string;
  userlandId?: string;
  /** Duration reported by the SDK's timing (ms). */
  durationMs?: number;
  startedAt?: number;
}

/**
 * What the engine wants done. The server applies every decision of one `decide` call in one
 * transaction (ARCHITECTURE.md §2, invariant 2).
 */
export type Decision =
  /** Memoize a step result (exact shape of spec §4.2) and append it to the stack. */
  | { kind: "step.save"; stepId: StepId; result: unknown; status: StepStatus; meta?: StepMeta }
  /** Record an outstanding async step (so re-reports are deduped). */
  | { kind: "step.pending"; stepId: StepId; status: StepStatus; race?: boolean; meta: StepMeta }
  | { kind: "run.update"; requestVersion?: number; forceStepPlan?: boolean; status?: RunStatus }
  /** Send an execution request: discovery (`step`) or a planned step, now or later. */
  | { kind: "execute"; stepId: StepId; attempt: number; at: number; reason: ExecuteReason }
  | { kind: "sleep"; stepId: StepId; until: number }
  | {
      kind: "wait.event";
      stepId: StepId;
      event: string;
      condition?: string;
      expiresAt: number;
    }
  | { kind: "wait.signal"; stepId: StepId; signal: string; expiresAt: number; conflict?: string }
  | {
      kind: "invoke";
      stepId: StepId;
      functionId: string;
      payload: Record<string, unknown>;
      expiresAt: number;
    }
  | { kind: "gateway.ai"; stepId: StepId; request: AiGatewayRequest }
  | { kind: "gateway.fetch"; stepId: StepId; request: FetchGatewayRequest }
  /**
   * A retriable failure was recorded; the same item runs again at `at`. `failedStepId` names
   * the step that threw when it differs from the item's (immediate execution in discovery).
   */
  | {
      kind: "retry";
      stepId: StepId;
      attempt: number;
      at: number;
      error: SerializedError;
      failedStepId?: StepId;
    }
  | { kind: "run.finish"; status: RunStatus; output?: unknown; error?: SerializedError };

export type DecisionKind = Decision["kind"];

export type ExecuteReason = "discovery" | "planned" | "retry";
