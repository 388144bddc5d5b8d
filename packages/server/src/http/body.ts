import { ErrorCode, IngotError, jsonDepthExceeds, MAX_JSON_DEPTH } from "@ingot/protocol";
import type { Context } from "hono";

/** Invalid bytes are an error, not U+FFFD: a mangled body must not parse into something else. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON body, refusing more than `limit` bytes with 413 (naming the setting that raises
 * it, if any), malformed JSON with a 400 that quotes the parser's complaint, and JSON nested
 * deeper than `MAX_JSON_DEPTH` with a 400 before it is parsed.
 */
export async function readJson(
  c: Context,
  limit: number,
  setting = "INGOT_MAX_BODY_BYTES",
): Promise<unknown> {
  const tooLarge = (size: number): IngotError =>
    new IngotError(
      ErrorCode.PayloadTooLarge,
      `request body is ${size > limit ? "over " : ""}${limit} bytes, the most this server accepts here; send less data per request${setting === "" ? "" : ` or raise ${setting}`}`,
    );
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared);
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
      throw tooLarge(size);
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
  if (jsonDepthExceeds(text)) {
    throw new IngotError(
      ErrorCode.InvalidJson,
      `request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels, the most Ingot accepts`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngotError(ErrorCode.InvalidJson, `request body is not valid JSON: ${reason}`);
  }
}
