import { basename } from "node:path";
import { ChatError, ErrorCode } from "../errors.js";
import { DocumentBody, parseBody, readBytes, readText } from "./schemas.js";

export interface DocumentUpload {
  title: string;
  source: string;
  content: string;
}

const TEXT_FILE = /\.(md|markdown|mdx|txt|text|rst)$/iu;

/**
 * `POST /api/v1/documents` accepts JSON `{title?, filename?, content}`, a multipart form with a
 * `file` (and optional `title`), or a raw `text/plain` / `text/markdown` body (`?title=`).
 * Only text is indexed; a binary file is refused rather than indexed as noise.
 */
export async function readDocumentUpload(
  request: Request,
  maxBytes: number,
): Promise<DocumentUpload> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const url = new URL(request.url);
  if (type.startsWith("multipart/form-data")) {
    const raw = await readBytes(request, maxBytes + 64 * 1024);
    const form = await new Response(raw, { headers: { "content-type": type } }).formData();
    const file = form.get("file");
    if (!(file instanceof File))
      throw new ChatError(ErrorCode.invalidRequest, 'file: expected a file field named "file"');
    const name = basename(file.name || "document.txt");
    if (!TEXT_FILE.test(name) && !file.type.startsWith("text/"))
      throw new ChatError(
        ErrorCode.invalidRequest,
        `file: expected a text or markdown file (.md, .txt), got "${name}"`,
      );
    if (file.size > maxBytes)
      throw new ChatError(ErrorCode.payloadTooLarge, `file: larger than ${maxBytes} bytes`);
    const title = form.get("title");
    return document({
      title: typeof title === "string" && title.trim() !== "" ? title.trim() : name,
      filename: name,
      content: await file.text(),
    });
  }
  if (type.startsWith("text/")) {
    const title = url.searchParams.get("title")?.trim() || "Untitled document";
    return document({ title, filename: title, content: await readText(request, maxBytes) });
  }
  const text = await readText(request, maxBytes + 64 * 1024);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new ChatError(
      ErrorCode.invalidJson,
      "the body is not valid JSON (or send multipart/form-data or text/markdown)",
    );
  }
  const body = parseBody(DocumentBody, json);
  if (Buffer.byteLength(body.content) > maxBytes)
    throw new ChatError(ErrorCode.payloadTooLarge, `content: larger than ${maxBytes} bytes`);
  const title = body.title ?? body.filename ?? "Untitled document";
  return document({ title, filename: body.filename ?? title, content: body.content });
}

function document(input: { title: string; filename: string; content: string }): DocumentUpload {
  if (input.content.includes("\u0000"))
    throw new ChatError(
      ErrorCode.invalidRequest,
      "content: expected text or markdown, got binary data",
    );
  if (input.content.trim() === "")
    throw new ChatError(ErrorCode.invalidRequest, "content: must not be empty");
  return {
    title: input.title.slice(0, 200),
    source: `upload:${input.filename.slice(0, 200)}`,
    content: input.content,
  };
}
