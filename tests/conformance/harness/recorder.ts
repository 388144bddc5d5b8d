import { createServer, type IncomingMessage, type Server } from "node:http";

/** One request that went through the recorder, and the answer it got. */
export interface Exchange {
  method: string;
  /** Path and query as received. */
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  at: number;
}

export interface Recorder {
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
]);

/**
 * A recording HTTP proxy: forwards every request to `target` unchanged (same path, query,
 * method, headers and body) and keeps both sides. Tests put it between two real components to
 * see exactly what crossed the wire (what a provider answered, what an SDK sent).
 */
export async function startRecorder(target: string): Promise<Recorder> {
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    void forward(target, req).then(
      (exchange) => {
        exchanges.push(exchange);
        res.writeHead(exchange.status, exchange.responseHeaders);
        res.end(exchange.responseBody);
      },
      (error: unknown) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`recorder could not reach ${target}: ${String(error)}`);
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function forward(target: string, req: IncomingMessage): Promise<Exchange> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const requestBody = Buffer.concat(chunks).toString("utf8");
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) requestHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const forwarded = Object.fromEntries(
    Object.entries(requestHeaders).filter(([name]) => !HOP_BY_HOP.has(name)),
  );
  const method = req.method ?? "GET";
  const response = await fetch(new URL(req.url ?? "/", target), {
    method,
    headers: forwarded,
    ...(method === "GET" || method === "HEAD" ? {} : { body: requestBody }),
  });
  const responseBody = await response.text();
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== "content-encoding") responseHeaders[name] = value;
  });
  return {
    method,
    url: req.url ?? "/",
    requestHeaders,
    requestBody,
    status: response.status,
    responseHeaders,
    responseBody,
    at: Date.now(),
  };
}
