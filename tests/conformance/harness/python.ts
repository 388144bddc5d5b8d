import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { IngotApi } from "./api.js";
import { freePort, type IngotProcess, startIngot } from "./ingot.js";

/**
 * Python apps on the official Inngest Python SDK (0.5.18, vendored, unmodified) for black-box
 * tests. The SDK's dependencies live in the repository's `.venv`, which `.ci/run` creates; a
 * local run without it creates it here (under a lock, since test files run in parallel).
 */

const ROOT = resolve(import.meta.dirname, "../../..");
const VENV = join(ROOT, ".venv");
export const PYTHON = join(VENV, "bin/python");
const PACKAGES = ["fastapi", "uvicorn", "httpx", "flask"];

/** The vendored SDK: `INGOT_PYTHON_SDK`, else `../shared/vendor/inngest-py` next to the repo. */
export const PYTHON_SDK = resolve(
  process.env.INGOT_PYTHON_SDK ?? join(ROOT, "../shared/vendor/inngest-py"),
);

/** Directories of the conformance apps. */
export const PYTHON_APPS = join(import.meta.dirname, "../python");

/** The venv's packages are installed (a look at site-packages: starting Python takes ~1 s). */
function venvReady(): boolean {
  if (!existsSync(PYTHON)) return false;
  const lib = join(VENV, "lib");
  const sitePackages = readdirSync(lib)
    .filter((name) => name.startsWith("python3"))
    .map((name) => join(lib, name, "site-packages"));
  return sitePackages.some((dir) => PACKAGES.every((name) => existsSync(join(dir, name))));
}

let ready: Promise<void> | undefined;

/** Makes sure `.venv` has the SDK's dependencies; throws a message saying how to fix it. */
export function ensurePython(): Promise<void> {
  ready ??= prepare();
  return ready;
}

async function prepare(): Promise<void> {
  if (!existsSync(join(PYTHON_SDK, "inngest"))) {
    throw new Error(
      `The Python tests need the official Inngest Python SDK at ${PYTHON_SDK} (set INGOT_PYTHON_SDK to its directory).`,
    );
  }
  if (venvReady()) return;
  const lock = join(ROOT, ".venv.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  try {
    if (venvReady()) return;
    execFileSync("python3", ["-m", "venv", VENV], { stdio: "pipe" });
    execFileSync(join(VENV, "bin/pip"), ["install", "--retries", "0", "-q", ...PACKAGES], {
      stdio: "pipe",
    });
  } catch (error) {
    throw new Error(
      "The Python tests need a venv with the SDK's dependencies and could not create it. Run:\n" +
        `  python3 -m venv .venv && .venv/bin/pip install --retries 0 ${PACKAGES.join(" ")}\n` +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface PythonApp {
  /** The serve URL: `http://127.0.0.1:<port>/api/inngest`. */
  url: string;
  port: number;
  /** What the app printed (stdout and stderr). */
  logs(): string;
  stop(): Promise<void>;
}

export interface PythonAppOptions {
  /** `fastapi` runs `<module>:app` under uvicorn; `flask` runs the module's Flask `app`. */
  server: "fastapi" | "flask";
  module: string;
  /** Directory of the module (default: the conformance apps). */
  dir?: string;
  env?: Record<string, string>;
  port?: number;
}

/** Starts a Python app as a long-lived process and waits until it answers. */
export async function startPythonApp(options: PythonAppOptions): Promise<PythonApp> {
  await ensurePython();
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? PYTHON_APPS;
  const args =
    options.server === "fastapi"
      ? ["-m", "uvicorn", `${options.module}:app`, "--host", "127.0.0.1", "--port", String(port)]
      : [
          "-m",
          "flask",
          "--app",
          options.module,
          "run",
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
        ];
  let log = "";
  const child: ChildProcess = spawn(PYTHON, args, {
    cwd: dir,
    env: {
      ...process.env,
      PYTHONPATH: [dir, PYTHON_SDK].join(":"),
      PYTHONUNBUFFERED: "1",
      // Flask's reloader would fork a second process.
      FLASK_DEBUG: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}/api/inngest`;
  const stop = (): Promise<void> =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, logs: () => log, stop };
}

async function waitReady(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`python app exited with ${child.exitCode}:\n${logs()}`);
    try {
      // Any answer will do: in cloud mode the SDK refuses an unsigned GET with 401.
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`python app at ${url} did not answer in 30 s:\n${logs()}`);
}

/** The environment that points the Python SDK at Ingot in dev mode. */
export function devEnv(ingotUrl: string, appId: string): Record<string, string> {
  return { INNGEST_DEV: "1", INNGEST_BASE_URL: ingotUrl, PY_APP_ID: appId };
}

export interface PythonAppSpec {
  appId: string;
  server: "fastapi" | "flask";
  module: string;
  env?: Record<string, string>;
}

/**
 * Python apps first, then `ingot dev -u <each app>` as a user would start them: the apps sync
 * with no extra step. Resolves once every app is in `GET /v1/apps` without an error.
 */
export async function startPythonStack(input: {
  apps: PythonAppSpec[];
  ingotArgs?: string[];
  ingotEnv?: Record<string, string>;
}): Promise<{ ingot: IngotProcess; api: IngotApi; apps: Map<string, PythonApp> }> {
  const port = await freePort();
  const ingotUrl = `http://127.0.0.1:${port}`;
  const started = await Promise.all(
    input.apps.map((spec) =>
      startPythonApp({
        server: spec.server,
        module: spec.module,
        env: { ...devEnv(ingotUrl, spec.appId), ...spec.env },
      }),
    ),
  );
  const apps = new Map(input.apps.map((spec, index) => [spec.appId, started[index]!]));
  try {
    const ingot = await startIngot({
      port,
      args: [...started.flatMap((app) => ["-u", app.url]), ...(input.ingotArgs ?? [])],
      ...(input.ingotEnv ? { env: input.ingotEnv } : {}),
    });
    const api = new IngotApi(ingot.url);
    await waitForApps(api, [...apps.keys()]);
    return { ingot, api, apps };
  } catch (error) {
    await Promise.all(started.map((app) => app.stop()));
    throw error;
  }
}

export async function waitForApps(api: IngotApi, appIds: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let seen: unknown;
  while (Date.now() < deadline) {
    const { body } = await api.json<{ data: { id: string; error: string | null }[] }>("/v1/apps");
    seen = body.data;
    const ok = new Set(body.data.filter((app) => app.error === null).map((app) => app.id));
    if (appIds.every((id) => ok.has(id))) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`apps ${appIds.join(", ")} did not sync: ${JSON.stringify(seen)}`);
}
