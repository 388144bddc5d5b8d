import { pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** A provider answer larger than the cap; not retried (the same call would answer the same). */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";

  constructor(readonly limitBytes: number) {
    super(`provider response exceeds ${limitBytes} bytes`);
  }
}

export type RawHeaders = Record<string, string | string[] | undefined>;

export function headerValue(headers: RawHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body with its `content-encoding` undone (gzip, br, deflate), as Inngest's client does;
 * undici's `request` leaves bodies encoded. Errors of the raw body surface through the decoder.
 */
export function decodedBody(body: Readable, headers: RawHeaders): AsyncIterable<Uint8Array> {
  const encoding = headerValue(headers, "content-encoding")?.trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip()
      : encoding === "br"
        ? createBrotliDecompress()
        : encoding === "deflate"
          ? createInflate()
          : undefined;
  if (!decoder) return body;
  pipeline(body, decoder, () => {
    // A failure destroys the decoder with the error; its reader sees it there.
  });
  return decoder;
}

/** Passes chunks through until more than `limit` bytes came, then throws. */
export async function* capped(
  source: AsyncIterable<Uint8Array>,
  limit: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > limit) throw new ResponseTooLargeError(limit);
    yield chunk;
  }
}

export async function readText(source: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder("utf-8");
  let text = "";
  for await (const chunk of source) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}
