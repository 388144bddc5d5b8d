import { type QueueItem, QueueLane } from "@ingot/store";
import type { z } from "zod";
import type { EventProcessor } from "./event-processor.js";
import type { FlowTimers } from "./flow/timers.js";
import type { GatewayWorker } from "./gateway-worker.js";
import type { Logger } from "./logger.js";
import type { QueueKind } from "./queue-items.js";
import {
  CancelPayload,
  CronPayload,
  EventsPayload,
  ExecutePayload,
  FlowTimerPayload,
  GatewayPayload,
  ResumePayload,
  SleepPayload,
  TimeoutPayload,
  WaitTimeoutPayload,
} from "./queue-items.js";
import type { Runner } from "./runner.js";

/** Timing out a `step.invoke` stores this error, which the SDK throws (spec §3.4). */
const INVOKE_TIMEOUT = {
  name: "InngestInvokeTimeoutError",
  message: "Timed out waiting for invoked function to complete",
};

type Handler = (item: QueueItem, signal: AbortSignal) => Promise<void>;

/** Routes a claimed queue item to the component that handles its kind. */
export function itemHandler(deps: {
  runner: Runner;
  events: EventProcessor;
  gateway: GatewayWorker;
  timers: FlowTimers;
  logger: Logger;
}): (item: QueueItem, signal: AbortSignal) => Promise<void> {
  const { runner } = deps;
  const parse = <T extends z.ZodType>(schema: T, item: QueueItem): z.infer<T> =>
    schema.parse(item.payload);
  const handlers: Record<QueueKind, Handler> = {
    execute: (item, signal) => runner.execute(item, parse(ExecutePayload, item), signal),
    sleep: async (item) => {
      await runner.resolve(item, parse(SleepPayload, item).stepId, null);
    },
    "wait.timeout": async (item) => {
      const payload = parse(WaitTimeoutPayload, item);
      const outcome = await runner.resolve(item, payload.stepId, null, {
        claimWait: payload.waitId,
        ...(payload.kind === "invoke" ? { failed: INVOKE_TIMEOUT } : {}),
      });
      // The wait was consumed first (event, signal, child finished): the timeout has no effect.
      if (outcome === "stale") await runner.completeOnly(item);
    },
    resume: async (item) => {
      const payload = parse(ResumePayload, item);
      await runner.resolve(
        item,
        payload.stepId,
        payload.result,
        payload.failed ? { failed: payload.failed } : {},
      );
    },
    cancel: async (item) => {
      if (item.runId === null) return runner.completeOnly(item);
      await runner.cancel(item.runId, parse(CancelPayload, item).reason, item);
    },
    events: (item) => deps.events.process(item, parse(EventsPayload, item).eventIds),
    gateway: (item, signal) => deps.gateway.handle(item, parse(GatewayPayload, item), signal),
    debounce: (item) => {
      const payload = parse(FlowTimerPayload, item);
      return deps.timers.debounce(item, payload.fnId, payload.key);
    },
    batch: (item) => {
      const payload = parse(FlowTimerPayload, item);
      return deps.timers.batch(item, payload.fnId, payload.key);
    },
    cron: (item) => {
      const payload = parse(CronPayload, item);
      return deps.timers.cron(item, payload.fnId, payload.cron, payload.at);
    },
    timeout: (item) => deps.timers.timeout(item, parse(TimeoutPayload, item).phase),
  };
  return async (item, signal) => {
    const handler = handlers[item.kind as QueueKind] as Handler | undefined;
    if (handler) return handler(item, signal);
    deps.logger.error({ item: item.id, kind: item.kind }, "unknown queue item kind; dropping it");
    await runner.completeOnly(item);
  };
}

export const LANES: readonly QueueLane[] = [QueueLane.Sdk, QueueLane.System, QueueLane.Gateway];
