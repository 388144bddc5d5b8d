/**
 * Branded identifiers, so that a run id cannot be passed where a step id is expected.
 * Values are plain strings on the wire and in the store; the brand exists only for the compiler.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** ULID of a run. */
export type RunId = Brand<string, "RunId">;
/** ULID assigned by Ingot to an accepted event. */
export type EventId = Brand<string, "EventId">;
/** The SDK's step id: lowercase hex SHA-1 of the user's step id, or `"step"` for discovery. */
export type StepId = Brand<string, "StepId">;
/** Composite function slug as registered: `<app id>-<function id>`. */
export type FunctionId = Brand<string, "FunctionId">;
/** App id (the SDK client id). */
export type AppId = Brand<string, "AppId">;
/** Queue item id. */
export type QueueItemId = Brand<string, "QueueItemId">;

export const RunId = (value: string): RunId => value as RunId;
export const EventId = (value: string): EventId => value as EventId;
export const StepId = (value: string): StepId => value as StepId;
export const FunctionId = (value: string): FunctionId => value as FunctionId;
export const AppId = (value: string): AppId => value as AppId;
export const QueueItemId = (value: string): QueueItemId => value as QueueItemId;

/** The step id used for discovery requests (spec §3.3: `stepId=step`). */
export const DISCOVERY_STEP_ID = StepId("step");

/** `sha1("complete")`, the id of a `RunComplete` opcode (spec §4.1). */
export const RUN_COMPLETE_STEP_ID = StepId("0737c22d3bfae812339732d14d8c7dbd6dc4e09c");
