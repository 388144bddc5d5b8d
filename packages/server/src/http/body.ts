import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Context } from "hono";

/** Invalid bytes are an error, not U+FFFD: a mangled body must not parse into something else. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON body, refusing more than `limit` bytes with 413 and malformed JSON with a 400
 * that quotes the parser's complaint.
 */
export async function readJson(c: Context, limit: number): Promise<unknown> {
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit);
  const body = c.req.raw.body;
  if (!body) throw new IngotError(ErrorCode.InvalidJson, "request body is empty; expected JSON");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(size, limit);
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new IngotError(ErrorCode.InvalidJson, "request body is not valid UTF-8; expected JSON");
  }
  if (text.trim() === "")
    throw new IngotError(ErrorCode.InvalidJson, "request body is empty; expected JSON");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngotError(ErrorCode.InvalidJson, `request body is not valid JSON: ${reason}`);
  }
}

function tooLarge(size: number, limit: number): IngotError {
  return new IngotError(
    ErrorCode.PayloadTooLarge,
    `request body is ${size > limit ? "over" : ""} ${limit} bytes, the most this server accepts; send less data per request or raise --max-body-bytes`,
  );
}
