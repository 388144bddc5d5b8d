import { SdkHeader } from "@ingot/protocol";
import type { SdkHttpResponse } from "@ingot/engine";
import type { SdkClient } from "../sdk-client.js";
import { withSyncId } from "./urls.js";

export const SyncKind = { InBand: "in_band", OutOfBand: "out_of_band" } as const;
export type SyncKind = (typeof SyncKind)[keyof typeof SyncKind];

/** How the app answered the sync `PUT`s. */
export type Handshake =
  /** The SDK answered with its functions (spec §3.2, in band). */
  | { kind: "in_band"; body: unknown }
  /** The SDK answered after it called (or tried to call) `POST /fn/register` (out of band). */
  | { kind: "out_of_band"; status: number; detail: string; inBandRefusal?: string }
  | { kind: "failed"; reason: string; fromSdk: boolean };

/**
 * Syncs like the Inngest dev server, letting the SDK choose how: first an in-band `PUT`
 * (signed when Ingot has a signing key), which JS SDKs answer with their functions; an SDK that
 * refuses in-band sync (the Python SDK in dev mode answers `401 request must be signed for
 * in-band sync`) gets a plain `PUT`, as the Go dev server sends, and registers out of band. Both
 * carry `?deployId=<syncId>` so the registration can be matched to this sync. An app known to
 * register out of band skips the in-band attempt, and so does, when Ingot does not sign, an SDK
 * whose introspection says it refuses unsigned in-band sync.
 */
export async function handshake(input: {
  sdk: SdkClient;
  url: string;
  syncId: string;
  serverKind: "dev" | "cloud";
  /** Ingot signs its requests (it has a signing key). */
  signed: boolean;
  preferred?: SyncKind;
}): Promise<Handshake> {
  const { url } = input;
  let inBandRefusal: string | undefined;
  const preferred = input.preferred ?? (input.signed ? undefined : await unsignedKind(input));
  if (preferred !== SyncKind.OutOfBand) {
    const answer = await put(input, true);
    if (!answer.ok)
      return { kind: "failed", reason: unreachable(url, answer.message), fromSdk: false };
    const { response } = answer;
    if (response.status === 200 && response.headers[SdkHeader.SyncKind] === SyncKind.InBand)
      return { kind: "in_band", body: response.body };
    if (!fromSdk(response))
      return { kind: "failed", reason: notAnSdk(url, response), fromSdk: false };
    // The SDK chose out of band by itself (e.g. INNGEST_ALLOW_IN_BAND_SYNC=false): it registered.
    if (response.status >= 200 && response.status < 300) return outOfBand(response);
    inBandRefusal = `HTTP ${response.status}: ${detailOf(response)}`;
  }
  const answer = await put(input, false);
  if (!answer.ok)
    return { kind: "failed", reason: unreachable(url, answer.message), fromSdk: false };
  return { ...outOfBand(answer.response), ...(inBandRefusal ? { inBandRefusal } : {}) };
}

/**
 * SDKs that refuse unsigned in-band sync, by their `x-inngest-sdk` header: the Python SDK
 * answers it 401 and logs an error, so an unsigned Ingot asks it out of band straight away.
 */
const REFUSES_UNSIGNED_IN_BAND = [/^inngest-py:/];

/** Which SDK serves the URL, from its introspection (`GET`), before the first unsigned sync. */
async function unsignedKind(input: { sdk: SdkClient; url: string }): Promise<SyncKind | undefined> {
  const answer = await input.sdk.send({ url: input.url, method: "GET" });
  const sdk = answer.ok ? answer.response.headers[SdkHeader.Sdk] : undefined;
  if (sdk !== undefined && REFUSES_UNSIGNED_IN_BAND.some((pattern) => pattern.test(sdk)))
    return SyncKind.OutOfBand;
  return undefined;
}

async function put(
  input: { sdk: SdkClient; url: string; syncId: string; serverKind: "dev" | "cloud" },
  inBand: boolean,
) {
  const headers: Record<string, string> = { [SdkHeader.ServerKind]: input.serverKind };
  if (inBand) headers[SdkHeader.SyncKind] = SyncKind.InBand;
  return input.sdk.send({
    url: withSyncId(input.url, input.syncId),
    method: "PUT",
    body: JSON.stringify({ url: input.url }),
    headers,
  });
}

function outOfBand(response: SdkHttpResponse): Handshake {
  return { kind: "out_of_band", status: response.status, detail: detailOf(response) };
}

/** Every official SDK marks its answers, even a refused signature (spec §3: `x-inngest-sdk-handled`). */
function fromSdk(response: SdkHttpResponse): boolean {
  return (
    response.headers[SdkHeader.Sdk] !== undefined ||
    response.headers["x-inngest-sdk-handled"] !== undefined
  );
}

/** The SDK's own words: `{"message": …}` (JS, Python), else the start of the body. */
export function detailOf(response: SdkHttpResponse): string {
  const body = response.body;
  if (typeof body === "object" && body !== null && "message" in body) {
    if (typeof body.message === "string" && body.message !== "") return body.message.slice(0, 300);
  }
  return response.text.slice(0, 300);
}

function unreachable(url: string, message: string): string {
  return `could not reach the app at ${url}: ${message}`;
}

function notAnSdk(url: string, response: SdkHttpResponse): string {
  return `the app at ${url} answered the sync with HTTP ${response.status} but not as an Inngest SDK (no x-inngest-sdk header): ${detailOf(response)}`;
}
