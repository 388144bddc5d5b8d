import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createIngotServer, type IngotServer, resolveConfig } from "../src/index.js";
import { silentLogger } from "../src/logger.js";

/**
 * Realtime on a listening in-process server (WebSockets need a socket), with a clock the tests
 * move: auth in both modes, token expiry, scoping, replay, the SSE variant and slow subscribers.
 */

const SIGNING_KEY = `signkey-test-${"cd".repeat(32)}`;
const servers: IngotServer[] = [];
const sockets: WebSocket[] = [];

async function server(
  mode: "dev" | "start" = "dev",
  options: { clock?: { now(): number }; maxBufferedBytes?: number } = {},
): Promise<IngotServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "ingot-rt-"));
  const config = resolveConfig(
    mode,
    {
      dataDir,
      port: 0,
      discovery: false,
      ...(mode === "start"
        ? { signingKey: SIGNING_KEY, eventKeys: ["evt-key-realtime-test"] }
        : {}),
    },
    {},
  );
  const created = createIngotServer(config, {
    logger: silentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
    realtime: {
      limits: { maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024, closeGraceMs: 30_000 },
    },
  });
  servers.push(created);
  await created.start();
  return created;
}

afterEach(async () => {
  for (const socket of sockets.splice(0))
    if (socket.readyState === WebSocket.OPEN) socket.terminate();
  for (const created of servers.splice(0)) await created.stop();
});

const auth = { authorization: `Bearer ${SIGNING_KEY}` };

async function token(
  s: IngotServer,
  topics: { channel: string; name: string }[],
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(`${s.url}/v1/realtime/token`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(topics.map((topic) => ({ ...topic, kind: "run" }))),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { jwt: string };
  return body.jwt;
}

async function publish(
  s: IngotServer,
  channel: string,
  topic: string,
  data: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(
    `${s.url}/v1/realtime/publish?channel=${encodeURIComponent(channel)}&topic=${topic}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(data),
    },
  );
  await response.arrayBuffer();
  return response.status;
}

interface Client {
  ws: WebSocket;
  messages: { kind: string; topic?: string; data?: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
}

function connect(s: IngotServer, jwt: string): Promise<Client> {
  const ws = new WebSocket(`${s.url.replace("http", "ws")}/v1/realtime/connect?token=${jwt}`);
  sockets.push(ws);
  const messages: Client["messages"] = [];
  ws.on("message", (data: Buffer) => {
    const message = JSON.parse(data.toString()) as Client["messages"][number];
    if (message.kind !== "ping") messages.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, messages, closed }));
    ws.once("unexpected-response", (_request, response) =>
      reject(new Error(`refused with ${response.statusCode}`)),
    );
  });
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("realtime auth", () => {
  it("start mode: publishing and minting tokens need the signing key (401 otherwise)", async () => {
    const s = await server("start");
    expect(await publish(s, "c", "t", { a: 1 })).toBe(401);
    expect(await publish(s, "c", "t", { a: 1 }, { authorization: "Bearer wrong" })).toBe(401);
    const refused = await fetch(`${s.url}/v1/realtime/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ channel: "c", name: "t", kind: "run" }]),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain("signing key");
    const jwt = await token(s, [{ channel: "c", name: "t" }], auth);
    const client = await connect(s, jwt);
    expect(await publish(s, "c", "t", { a: 1 }, auth)).toBe(200);
    await until(() => client.messages.length === 1);
    expect(client.messages[0]).toMatchObject({
      kind: "data",
      channel: "c",
      topic: "t",
      data: { a: 1 },
    });
  });

  it("dev mode is open, as Inngest's dev server", async () => {
    const s = await server("dev");
    const client = await connect(s, await token(s, [{ channel: "c", name: "t" }]));
    expect(await publish(s, "c", "t", "plain")).toBe(200);
    await until(() => client.messages.length === 1);
    expect(client.messages[0]?.data).toBe("plain");
  });

  it("refuses an expired token, and one from another server", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const s = await server("start", { clock: { now: () => now } });
    const jwt = await token(s, [{ channel: "c", name: "t" }], auth);
    now += 61_000;
    await expect(connect(s, jwt)).rejects.toThrow("refused with 401");
    const response = await fetch(`${s.url}/v1/realtime/sse?token=${jwt}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toContain("expired");
    const other = await server("dev");
    const foreign = await token(other, [{ channel: "c", name: "t" }]);
    await expect(connect(s, foreign)).rejects.toThrow("refused with 401");
  });

  it("bad requests name what was expected", async () => {
    const s = await server("dev");
    const noTopic = await fetch(`${s.url}/v1/realtime/publish?channel=c`, {
      method: "POST",
      body: "1",
    });
    expect(noTopic.status).toBe(400);
    expect(((await noTopic.json()) as { error: string }).error).toContain("topic");
    const reserved = await publish(s, "run:01ABC", "delta", {});
    expect(reserved).toBe(400);
    const badToken = await fetch(`${s.url}/v1/realtime/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "c" }),
    });
    expect(badToken.status).toBe(400);
  });
});

describe("realtime delivery", () => {
  it("replays what a channel published in the last minute to a late subscriber", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const s = await server("dev", { clock: { now: () => now } });
    expect(await publish(s, "late", "t", { n: 1 })).toBe(200);
    now += 30_000;
    expect(await publish(s, "late", "t", { n: 2 })).toBe(200);
    expect(await publish(s, "late", "other", { n: 0 })).toBe(200);
    now += 40_000; // n: 1 is now 70 s old: outside the window
    const client = await connect(s, await token(s, [{ channel: "late", name: "t" }]));
    expect(await publish(s, "late", "t", { n: 3 })).toBe(200);
    await until(() => client.messages.length === 2);
    expect(client.messages.map((message) => message.data)).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it("serves the same messages as Server-Sent Events", async () => {
    const s = await server("dev");
    const jwt = await token(s, [{ channel: "sse", name: "t" }]);
    const response = await fetch(`${s.url}/v1/realtime/sse?token=${jwt}`);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    for (let i = 0; i < 3; i++) expect(await publish(s, "sse", "t", { i })).toBe(200);
    const reader = response.body!.getReader();
    let text = "";
    while ((text.match(/^data: /gm) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const data = [...text.matchAll(/^data: (.*)$/gm)].map(
      (match) => (JSON.parse(match[1]!) as { data: unknown }).data,
    );
    expect(data).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it("drops a subscriber that stops reading, with a close reason, and serves the others", async () => {
    const s = await server("dev", { maxBufferedBytes: 256 * 1024 });
    const jwt = await token(s, [{ channel: "flood", name: "t" }]);
    const stuck = await connect(s, jwt);
    stuck.ws.pause(); // reads nothing from now on: the kernel buffers fill, then the server's
    const healthy = await connect(s, jwt);
    const payload = "x".repeat(64 * 1024);
    const total = 200; // 12.8 MB: more than loopback socket buffers and the 256 kB limit
    for (let i = 0; i < total; i++)
      expect(await publish(s, "flood", "t", { i, payload })).toBe(200);
    await until(() => healthy.messages.length === total, 20_000);
    expect(healthy.messages.map((message) => (message.data as { i: number }).i)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
    expect(s.deps.realtime.hub.stats().subscribers).toBe(1);
    stuck.ws.resume();
    const closed = await stuck.closed;
    expect(closed.code).toBe(4008);
    expect(closed.reason).toContain("too slow");
    expect(stuck.messages.length).toBeLessThan(total);
  });
});
