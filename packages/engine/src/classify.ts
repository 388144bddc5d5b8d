import {
  OpcodeError,
  parseOpcodes,
  SdkHeader,
  type SerializedError,
  toSerializedError,
} from "@ingot/protocol";
import { clampRetryAfter } from "./context.js";
import type { SdkOutcome } from "./inputs.js";

/** An HTTP answer from an app, with the body already decoded (JSON, or undefined if not JSON). */
export interface SdkHttpResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body; `undefined` when the body was empty or not JSON. */
  body: unknown;
  /** The raw text, kept for error messages. */
  text: string;
}

/**
 * Turns an app's HTTP answer into an outcome (spec §3.3). Anything that did not come from an SDK
 * (no `x-inngest-sdk` header, not JSON, an unexpected status) is a transport failure and retried.
 */
export function classifyResponse(response: SdkHttpResponse, now: number): SdkOutcome {
  const { status, headers } = response;
  // A 401 from a signature check keeps only `x-inngest-sdk-handled`; a success always has
  // `x-inngest-sdk` (Go treats a 2xx without it as "not from an SDK", spec §3.3).
  const fromSdk =
    headers[SdkHeader.Sdk] !== undefined ||
    (status >= 400 && headers["x-inngest-sdk-handled"] !== undefined);
  if (!fromSdk) {
    return { type: "transport", message: `${describe(response)} did not come from an Inngest SDK` };
  }
  const version = Number(headers[SdkHeader.ReqVersion]);
  const requestVersion = Number.isInteger(version) ? version : undefined;

  // The SDK always answers 200/206 with JSON (an `undefined` return is `null`).
  if ((status === 200 || status === 206) && response.body === undefined) {
    return {
      type: "transport",
      message: `${describe(response)} is not the JSON an SDK answers with`,
    };
  }
  if (status === 200) return { type: "complete", data: response.body };
  if (status === 206) {
    try {
      const ops = parseOpcodes(response.body);
      const outcome: SdkOutcome = { type: "ops", ops };
      if (requestVersion !== undefined) outcome.requestVersion = requestVersion;
      // A step that threw RetryAfterError answers 206 [StepError] with `retry-after`.
      const retryAfterMs = parseRetryAfter(headers[SdkHeader.RetryAfter], now);
      if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
      return outcome;
    } catch (error) {
      const reason = error instanceof OpcodeError ? error.message : String(error);
      return { type: "transport", message: `app answered 206 with invalid opcodes: ${reason}` };
    }
  }
  if (status >= 400 && status <= 599) {
    const noRetry = headers[SdkHeader.NoRetry];
    const outcome: SdkOutcome = {
      type: "error",
      error: errorOf(response),
      // v3 never sends `true` on the final attempt; the server enforces attempts itself (§6).
      retriable: noRetry !== "true",
    };
    const retryAfterMs = parseRetryAfter(headers[SdkHeader.RetryAfter], now);
    if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
    return outcome;
  }
  return { type: "transport", message: `${describe(response)} is not a status the SDK uses` };
}

function describe(response: SdkHttpResponse): string {
  const snippet = response.text.slice(0, 200).replace(/\s+/g, " ").trim();
  return `HTTP ${response.status}${snippet === "" ? "" : ` "${snippet}"`}`;
}

function errorOf(response: SdkHttpResponse): SerializedError {
  const body = response.body;
  if (body !== null && typeof body === "object" && !Array.isArray(body)) {
    // "Could not find step" answers carry `{error: "…"}` instead of a serialized error.
    if ("error" in body && typeof body.error === "string" && !("message" in body)) {
      return { name: "Error", message: body.error };
    }
    return toSerializedError(body);
  }
  return { name: "Error", message: `app answered ${describe(response)}` };
}

/** `Retry-After`: seconds, or an HTTP / ISO date (spec §3.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    // Only real dates: an HTTP date has a weekday or month name, an ISO date has dashes.
    if (!/[a-z]/i.test(trimmed) && !/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return clampRetryAfter(ms);
}
