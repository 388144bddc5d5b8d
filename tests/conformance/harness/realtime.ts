import { WebSocket } from "ws";

/**
 * The official realtime clients open `new WebSocket(url)`: Node 22 has it built in, Node 20 only
 * behind a flag, so tests give them the `ws` library's (the same API).
 */
export function provideWebSocket(): void {
  const global = globalThis as { WebSocket?: unknown };
  global.WebSocket ??= WebSocket;
}

/** Reads `count` items of a subscription stream, or fails after `timeoutMs`. */
export async function take<T>(
  stream: ReadableStream<T>,
  count: number,
  timeoutMs = 15_000,
): Promise<T[]> {
  const reader = stream.getReader();
  const items: T[] = [];
  const timer = setTimeout(() => void reader.cancel("timeout"), timeoutMs);
  try {
    while (items.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      items.push(value);
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return items;
}

/** A raw `ws` client of `/v1/realtime/connect`, for what the official clients hide. */
export function rawSocket(
  baseUrl: string,
  query: string,
): Promise<{
  ws: WebSocket;
  messages: unknown[];
  closed: Promise<{ code: number; reason: string }>;
}> {
  const url = `${baseUrl.replace(/^http/, "ws")}/v1/realtime/connect?${query}`;
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  ws.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as unknown));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, messages, closed }));
    ws.once("unexpected-response", (_request, response) =>
      reject(new Error(`refused: ${response.statusCode}`)),
    );
    ws.once("error", reject);
  });
}

/** The status and JSON body a refused upgrade answered with. */
export function refusal(baseUrl: string, query: string): Promise<{ status: number; body: string }> {
  const url = `${baseUrl.replace(/^http/, "ws")}/v1/realtime/connect?${query}`;
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.close();
      reject(new Error("the connection was accepted"));
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once("error", () => undefined);
  });
}
