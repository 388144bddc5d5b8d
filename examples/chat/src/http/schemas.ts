import { z } from "zod";
import { ChatError, ErrorCode } from "../errors.js";
import { CLIENT_ID_PATTERN } from "../ids.js";

/** Request bodies, parsed at the boundary; the first issue becomes the 400 message. */
export function chatBodySchema(limits: { maxQueryChars: number; maxTokens: number }) {
  return z.object({
    query: z
      .string({ error: "query: expected a string" })
      .trim()
      .min(1, "query: must not be empty")
      .max(limits.maxQueryChars, `query: at most ${limits.maxQueryChars} characters`),
    temperature: z
      .number({ error: "temperature: expected a number" })
      .min(0, "temperature: at least 0")
      .max(2, "temperature: at most 2")
      .nullish(),
    max_tokens: z
      .number({ error: "max_tokens: expected a whole number" })
      .int("max_tokens: expected a whole number")
      .min(1, "max_tokens: at least 1")
      .max(limits.maxTokens, `max_tokens: at most ${limits.maxTokens}`)
      .nullish(),
    clean: z.boolean({ error: "clean: expected true or false" }).nullish(),
    conversation_id: z
      .string({ error: "conversation_id: expected a string" })
      .regex(CLIENT_ID_PATTERN, "conversation_id: 1-64 letters, digits, '-' or '_'")
      .nullish(),
    mode: z
      .enum(["durable", "direct", "agent"], {
        error: 'mode: expected "durable", "direct" or "agent"',
      })
      .nullish(),
  });
}

export const DocumentBody = z.object({
  title: z.string({ error: "title: expected a string" }).trim().min(1).max(200).optional(),
  filename: z.string().trim().min(1).max(200).optional(),
  content: z.string({ error: "content: expected a string" }).min(1, "content: must not be empty"),
});

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ChatError(ErrorCode.invalidRequest, "expected a JSON object");
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  const message = issue?.message ?? "invalid request";
  throw new ChatError(
    ErrorCode.invalidRequest,
    message.startsWith(`${path}:`) || path === "" ? message : `${path}: ${message}`,
  );
}

/** Reads a JSON body, with a size limit checked while reading (not trusting Content-Length). */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ChatError(ErrorCode.invalidJson, "the body is not valid JSON");
  }
}

export async function readText(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBytes(request, maxBytes));
}

export async function readBytes(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function tooLarge(maxBytes: number): ChatError {
  return new ChatError(ErrorCode.payloadTooLarge, `the body is larger than ${maxBytes} bytes`);
}
