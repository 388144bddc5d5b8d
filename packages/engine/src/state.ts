import type { FunctionId, RunId, RunStatus, StepId } from "@ingot/protocol";

/**
 * What a step is doing. `completed` / `failed` steps are memoized and on the stack; every other
 * status is an outstanding async step that the SDK will re-report until it has a result
 * (spec §4.4), so the engine dedupes ops against this map.
 */
export const StepStatus = {
  Planned: "planned",
  Sleeping: "sleeping",
  Waiting: "waiting",
  Invoking: "invoking",
  Gateway: "gateway",
  Completed: "completed",
  Failed: "failed",
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

export const isMemoized = (status: StepStatus): boolean =>
  status === StepStatus.Completed || status === StepStatus.Failed;

export interface StepState {
  id: StepId;
  status: StepStatus;
  /** Planned inside `group.parallel({mode: "race"})`: its completion always triggers discovery. */
  race?: boolean;
}

/** The part of a run the engine needs to decide; step outputs are not part of it. */
export interface RunState {
  id: RunId;
  functionId: FunctionId;
  status: RunStatus;
  /** `x-inngest-req-version` last reported by the SDK; -1 until the first response (spec §9.2). */
  requestVersion: number;
  /** Set after parallel ops: requests then carry `disable_immediate_execution: true` (spec §3.4). */
  forceStepPlan: boolean;
  steps: ReadonlyMap<StepId, StepState>;
}
