import { createServer } from "node:http";
import { WebSocketServer } from "ws";

/**
 * The baseline of the Realtime bench: the least a publish → WebSocket fan-out can do on Node.
 * `POST /publish` sends the body as is to every connected `ws` client; no auth, no channels, no
 * JSON, no bus. Run as its own process; prints `listening on <url>`.
 */
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    for (const client of wss.clients) client.send(body);
    response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
});
const wss = new WebSocketServer({ server });
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
