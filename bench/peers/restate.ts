import { createServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { requirePeer, restateServerBinary } from "./load.js";
import { freePort, makeTempDir, removeTempDir, spawnServer, waitUntil } from "./procs.js";
import { bench, type StartedPeer, stepBody } from "./workload.js";

/** The slice of `@restatedev/restate-sdk` the bench uses. */
interface RestateContext {
  run<T>(name: string, action: () => T | Promise<T>): Promise<T>;
}
interface RestateSdk {
  service(definition: {
    name: string;
    handlers: Record<string, (ctx: RestateContext, input?: { probe?: number }) => Promise<number>>;
  }): unknown;
  createEndpointHandler(options: {
    services: unknown[];
  }): (request: Http2ServerRequest, response: Http2ServerResponse) => void;
}

/**
 * Restate: its server binary (from npm) on a fresh data directory and free ports on 127.0.0.1,
 * plus the SDK endpoint (HTTP/2, bidirectional streaming, as `restate.serve` does) in this
 * process, registered through the admin API. Workflows are started through the HTTP ingress.
 */
export async function startRestate(): Promise<StartedPeer> {
  const binary = restateServerBinary();
  if (!binary) throw new Error("restate-server binary is not installed");
  const sdk = loadSdk();
  const service = sdk.service({
    name: "bench",
    handlers: {
      run: async (ctx, input) => {
        const a = await ctx.run("a", () => stepBody(input?.probe));
        const b = await ctx.run("b", () => stepBody());
        const c = await ctx.run("c", () => stepBody());
        return a + b + c;
      },
      noop: async () => 0,
    },
  });
  const endpoint = createServer(sdk.createEndpointHandler({ services: [service] }));
  const endpointPort = await freePort();
  await new Promise<void>((resolve) => endpoint.listen(endpointPort, "127.0.0.1", resolve));

  const [ingressPort, adminPort, fabricPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const baseDir = makeTempDir("ingot-bench-restate-");
  const server = spawnServer(
    binary,
    ["--base-dir", baseDir, "--bind-ip", "127.0.0.1", "--node-name", "bench", "--no-logo"],
    {
      cwd: baseDir,
      env: {
        ...process.env,
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
        RESTATE_BIND_ADDRESS: `127.0.0.1:${fabricPort}`,
        RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabricPort}`,
        RESTATE_DISABLE_TELEMETRY: "true",
        RESTATE_LOG_FILTER: "warn",
      },
    },
  );
  const admin = `http://127.0.0.1:${adminPort}`;
  const ingress = `http://127.0.0.1:${ingressPort}`;
  const stop = async (): Promise<void> => {
    endpoint.close();
    await server.stop();
    removeTempDir(baseDir);
  };
  try {
    await waitUntil("restate admin", async () => (await fetch(`${admin}/health`)).ok, { server });
    await waitUntil("restate ingress", async () => (await fetch(`${ingress}/restate/health`)).ok, {
      server,
    });
    const registered = await fetch(`${admin}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: `http://127.0.0.1:${endpointPort}` }),
    });
    if (!registered.ok) {
      throw new Error(
        `registering the deployment: ${registered.status} ${await registered.text()}`,
      );
    }
    // The ingress learns about new services asynchronously; wait until the handler answers.
    await waitUntil("restate service", async () => (await post(`${ingress}/bench/run`, {})).ok, {
      server,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const call = async (path: string, body: unknown): Promise<void> => {
    const response = await post(`${ingress}${path}`, body);
    const text = await response.text(); // drain, so the connection is reused
    if (!response.ok) throw new Error(`restate ${path}: ${response.status} ${text}`);
  };
  return {
    ...bench({
      runAndWait: () => call("/bench/run", {}),
      submit: (probe) => call("/bench/run/send", { probe }),
      // Delayed one-way sends: durably accepted (appended to Restate's log) but not run during
      // the measurement, like Ingot's ingest bench, whose events trigger no function.
      accept: () => call("/bench/noop/send?delay=1h", {}),
      bulk: false,
    }),
    notes: [
      "server binary + SDK endpoint (HTTP/2) + load on this machine; default (dev) config, RocksDB WAL fsync on",
      "ingest: one-way `POST /bench/noop/send?delay=1h` per item (accepted, not run meanwhile; no bulk API)",
    ],
    stop,
  };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function loadSdk(): RestateSdk {
  // SDK 1.17 calls Promise.withResolvers (Node ≥ 22); without it every invocation fails and is
  // retried forever on Node 20. Polyfill before the SDK loads.
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  promise.withResolvers ??= function withResolvers() {
    let resolve: unknown;
    let reject: unknown;
    const created = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
  // The SDK logs a warning per endpoint (no request signing) and more; keep the bench output clean.
  process.env.RESTATE_LOGGING ??= "ERROR";
  return requirePeer<RestateSdk>("@restatedev/restate-sdk");
}
