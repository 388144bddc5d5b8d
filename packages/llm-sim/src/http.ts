import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

/** Anthropic's documented request cap; larger bodies get a 413 like the real front ends. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type BodyResult =
  { ok: true; text: string } | { ok: false; reason: "too-large" | "aborted" };

export function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        finish({ ok: false, reason: "too-large" });
        return;
      }
      if (!done) chunks.push(chunk);
    });
    req.on("end", () => finish({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    req.on("error", () => finish({ ok: false, reason: "aborted" }));
    req.on("close", () => finish({ ok: false, reason: "aborted" }));
  });
}

export function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function queryRecord(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (out[name] ??= []).push(value);
  return out;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  gzip = false,
): void {
  sendText(res, status, "application/json", JSON.stringify(body), headers, gzip);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
  gzip = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = gzip ? gzipSync(text) : Buffer.from(text, "utf8");
  res.writeHead(status, {
    ...headers,
    "content-type": contentType,
    "content-length": String(payload.length),
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  });
  res.end(payload);
}

/** Sends the status line and the first `bytes` bytes of the body, then kills the socket. */
export function sendCut(
  res: ServerResponse,
  body: string,
  bytes: number,
  headers: Record<string, string>,
): void {
  if (res.destroyed) return;
  const buffer = Buffer.from(body, "utf8");
  res.writeHead(200, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(buffer.length),
  });
  res.write(buffer.subarray(0, Math.max(0, Math.min(bytes, buffer.length - 1))), () => {
    res.destroy();
  });
}

export function htmlPage(status: number): string {
  const title = `${status} ${status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : status === 504 ? "Gateway Time-out" : "Error"}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
}
