import { z } from "zod";
import { sdkObject, sdkStrippedObject } from "./lenient.js";

/**
 * Function configuration as registered by the SDK (spec §7.1). Unknown keys are kept. Every
 * object accepts the spellings of all official SDKs (`sdkObject`): `batch_events`, `max_size`,
 * `null` for an absent option.
 */

const EventTrigger = sdkStrippedObject({
  event: z.string().min(1),
  expression: z.string().optional(),
});
const CronTrigger = sdkStrippedObject({
  cron: z.string().min(1),
  jitter: z.string().optional(),
});
export const Trigger = z.union([EventTrigger, CronTrigger]);
export type Trigger = z.infer<typeof Trigger>;
export type EventTrigger = z.infer<typeof EventTrigger>;

const StepConfig = sdkObject({
  id: z.string().optional(),
  name: z.string().optional(),
  runtime: sdkObject({ type: z.string().optional(), url: z.string().min(1) }),
  retries: sdkObject({ attempts: z.number().int().min(0).max(100) }).optional(),
});

const ConcurrencyItem = sdkObject({
  limit: z.number().int().min(0),
  key: z.string().optional(),
  scope: z.enum(["fn", "env", "account"]).optional(),
});

export const FunctionConfig = sdkObject({
  id: z.string().min(1),
  name: z.string().optional(),
  triggers: z.array(Trigger).default([]),
  steps: z.record(z.string(), StepConfig),
  /** Function-level retries: the Go server's shorthand, used when the step does not say. */
  retries: z.number().int().min(0).max(100).optional(),
  idempotency: z.string().optional(),
  batchEvents: sdkObject({
    maxSize: z.number().int().min(1),
    timeout: z.string(),
    key: z.string().optional(),
    if: z.string().optional(),
  }).optional(),
  rateLimit: sdkObject({
    limit: z.number().int().min(1),
    period: z.string(),
    key: z.string().optional(),
  }).optional(),
  throttle: sdkObject({
    limit: z.number().int().min(1),
    period: z.string(),
    key: z.string().optional(),
    burst: z.number().int().min(0).optional(),
  }).optional(),
  debounce: sdkObject({
    period: z.string(),
    key: z.string().optional(),
    timeout: z.string().optional(),
  }).optional(),
  concurrency: z
    .union([z.number().int().min(0), ConcurrencyItem, z.array(ConcurrencyItem)])
    .optional(),
  priority: sdkObject({ run: z.string().optional() }).optional(),
  timeouts: sdkObject({ start: z.string().optional(), finish: z.string().optional() }).optional(),
  singleton: sdkObject({ key: z.string().optional(), mode: z.enum(["skip", "cancel"]) }).optional(),
  cancel: z
    .array(
      sdkObject({
        event: z.string().min(1),
        if: z.string().optional(),
        timeout: z.string().optional(),
      }),
    )
    .optional(),
});
export type FunctionConfig = z.infer<typeof FunctionConfig>;

/**
 * An app id as an SDK registers it (`new Inngest({ id })`, `app_id=`). Ids name apps in URLs,
 * logs and the dashboard: no control characters (NUL included), no `..` path segment, 256
 * characters at most. Anything else an SDK sends is kept as given.
 */
export const AppIdText = z
  .string()
  .min(1, "expected a non-empty app id")
  .max(256, "expected an app id of at most 256 characters")
  .refine(
    (id) => !/[\u0000-\u001f\u007f]/.test(id),
    "expected an app id without control characters",
  )
  .refine(
    (id) => !id.split(/[/\\]/).includes(".."),
    'expected an app id without a ".." path segment',
  );

/**
 * Body of `POST /fn/register` (spec §2.1). The Python SDK spells the app name `appname` and the
 * deploy type `deploy_type`; `sdkObject` maps both to the canonical keys.
 */
export const RegisterRequest = sdkObject({
  url: z.string().min(1),
  appName: AppIdText,
  functions: z.array(FunctionConfig).default([]),
  deployType: z.string().optional(),
  framework: z.string().optional(),
  sdk: z.string().optional(),
  v: z.string().optional(),
  appVersion: z.string().optional(),
  deployId: z.string().optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/**
 * Body of an in-band sync response (spec §3.2). The JS SDK sends `sdk` ("js:v4.24.0"); the Python
 * and Go SDKs send only `sdk_language` and `sdk_version` (see `sdkOf`).
 */
export const InBandSyncResponse = sdkObject({
  app_id: AppIdText,
  url: z.string().min(1),
  functions: z.array(FunctionConfig).default([]),
  sdk: z.string().optional(),
  sdk_language: z.string().optional(),
  sdk_version: z.string().optional(),
  framework: z.string().optional(),
  appVersion: z.string().optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
});
export type InBandSyncResponse = z.infer<typeof InBandSyncResponse>;

/** `"py:v0.5.18"`, as the SDK's out-of-band registration spells it, from an in-band answer. */
export function sdkOf(response: InBandSyncResponse): string | null {
  if (response.sdk) return response.sdk;
  const { sdk_language: language, sdk_version: version } = response;
  return language && version ? `${language}:v${version}` : null;
}

/** Default retries when the function does not say (Go: 4 retries = 5 attempts, spec §6). */
export const DEFAULT_RETRIES = 4;

/** Number of attempts a queue item of this function gets: `retries + 1`. */
export function maxAttemptsOf(config: FunctionConfig): number {
  const step = config.steps.step ?? Object.values(config.steps)[0];
  const retries = step?.retries?.attempts ?? config.retries ?? DEFAULT_RETRIES;
  return retries + 1;
}

/** The function's serve URL (`?fnId=…&stepId=step`) as registered. */
export function runtimeUrlOf(config: FunctionConfig): string | undefined {
  const step = config.steps.step ?? Object.values(config.steps)[0];
  return step?.runtime.url;
}

export function isEventTrigger(trigger: Trigger): trigger is EventTrigger {
  return "event" in trigger;
}
