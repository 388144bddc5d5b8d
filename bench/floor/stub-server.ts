import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, request } from "undici";

/**
 * The SDK floor: a stub server speaking just enough of the protocol (spec §2.2, §2.4, §3.3) to
 * drive the official SDK app of the durable-steps bench, storing nothing. `POST /e/:key` answers
 * with ids and sends the execution request at once; every checkpoint is acknowledged at once; a
 * `206 [StepRun]` (checkpointing off) is memoized in memory and the request sent again; the run
 * ends with the `206 [RunComplete]` (or `200`). `GET /v1/events/:id/runs?wait_for=completion`
 * answers when it has. `POST /v1/apps {url}` names the app (Ingot's sync API, minus the sync).
 * What a run costs here is what the SDK and HTTP cost: Ingot's overhead is the difference.
 *
 * `tsx bench/floor/stub-server.ts <function slug, e.g. bench-three-steps>`
 */
const [fnSlug] = process.argv.slice(2);
if (!fnSlug) throw new Error("usage: stub-server.ts <function slug>");

interface Run {
  done: boolean;
  waiters: (() => void)[];
}

const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const runs = new Map<string, Run>();
let appUrl: string | undefined;
let counter = 0;

const newId = (): string =>
  `${Date.now().toString(36)}${(counter++).toString(36).padStart(8, "0")}`;

async function execute(runId: string, event: Record<string, unknown>): Promise<void> {
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  for (let round = 0; round < 100; round++) {
    const body = JSON.stringify({
      event,
      events: [event],
      steps,
      ctx: {
        run_id: runId,
        fn_id: "00000000-0000-4000-8000-000000000001",
        qi_id: `${runId}:lease`,
        attempt: 0,
        max_attempts: 1,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack, current: stack.length },
        env: "",
      },
      version: round === 0 ? -1 : 2,
      use_api: false,
    });
    const response = await request(`${appUrl}?fnId=${fnSlug}&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-inngest-step-id": "step" },
      body,
      dispatcher: agent,
    });
    const text = await response.body.text();
    if (response.statusCode === 200) return;
    if (response.statusCode !== 206)
      throw new Error(`app answered ${response.statusCode}: ${text}`);
    const ops = JSON.parse(text) as { op: string; id: string; data?: unknown }[];
    if (ops.some((op) => op.op === "RunComplete")) return;
    for (const op of ops) {
      if (op.op !== "StepRun") throw new Error(`the floor stub handles StepRun only, got ${op.op}`);
      steps[op.id] = { data: op.data ?? null };
      stack.push(op.id);
    }
  }
  throw new Error(`run ${runId} did not end in 100 requests`);
}

function finish(runId: string): void {
  const run = runs.get(runId);
  if (!run) return;
  run.done = true;
  for (const wake of run.waiters.splice(0)) wake();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://stub");
  const body = await readBody(req);
  if (req.method === "POST" && url.pathname.startsWith("/e/")) {
    const parsed = JSON.parse(body) as Record<string, unknown> | Record<string, unknown>[];
    const ids = (Array.isArray(parsed) ? parsed : [parsed]).map((input) => {
      const id = newId();
      runs.set(id, { done: false, waiters: [] });
      const event = { ...input, id, data: input.data ?? {}, ts: Date.now(), user: {} };
      execute(id, event).then(
        () => finish(id),
        (error: unknown) => {
          process.stderr.write(`floor stub: ${String(error)}\n`);
          finish(id);
        },
      );
      return id;
    });
    json(res, 200, { ids, status: 200 });
    return;
  }
  if (req.method === "POST" && url.pathname.startsWith("/v1/checkpoint/")) {
    res.writeHead(200, { "content-length": 0 });
    res.end();
    return;
  }
  const waitFor = /^\/v1\/events\/([^/]+)\/runs$/.exec(url.pathname);
  if (req.method === "GET" && waitFor?.[1]) {
    const id = waitFor[1];
    const run = runs.get(id);
    if (run && !run.done) await new Promise<void>((resolve) => run.waiters.push(resolve));
    if (run) runs.delete(id);
    json(res, 200, { data: run ? [{ run_id: id, status: "Completed" }] : [] });
    return;
  }
  if (req.method === "POST" && url.pathname === "/v1/apps") {
    appUrl = (JSON.parse(body) as { url: string }).url;
    json(res, 200, { data: { url: appUrl, id: randomUUID() } });
    return;
  }
  json(res, 404, { error: `the floor stub has no ${req.method} ${url.pathname}` });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
