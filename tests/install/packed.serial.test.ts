import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../conformance/harness/ingot.js";
import { get, ROOT, run, type Running, start, userEnv, waitFor } from "./harness.js";
import { readmeBlock } from "./readme.js";

/**
 * The published package as a user gets it: `npm pack` of packages/ingot, then, in a fresh
 * directory outside the repository and with an empty npm cache (so only the tarball and the npm
 * registry can serve it, as on a machine that never installed this repository), `npm install` of
 * the tarball and of the official SDK. Then the README's JavaScript example runs there against
 * `npx ingot dev` and `npx ingot start`. 2-3 min on 2 cores, most of it compiling better-sqlite3
 * from source (its prebuilt binary cannot be downloaded here). Serial suite.
 */

const VERSION = jsonString(
  readFileSync(join(ROOT, "packages/ingot/package.json"), "utf8"),
  "version",
);
const SDK_VERSION = jsonString(
  readFileSync(join(ROOT, "tests/conformance/package.json"), "utf8"),
  "devDependencies",
  "inngest",
);
const SIGNING_KEY = `signkey-prod-${"5e".repeat(32)}`;
const EVENT_KEY = "install-test-event-key";

/** A string at `path` in a JSON text. */
function jsonString(text: string, ...path: string[]): string {
  let value: unknown = JSON.parse(text);
  for (const key of path)
    value = typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
  if (typeof value !== "string") throw new Error(`no string at ${path.join(".")}`);
  return value;
}

function diskBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    total += stat.isDirectory() ? diskBytes(path) : stat.size;
  }
  return total;
}

/** Packages npm installed, from its own record of the tree. */
function installedPackages(project: string): string[] {
  const lock: unknown = JSON.parse(
    readFileSync(join(project, "node_modules/.package-lock.json"), "utf8"),
  );
  const packages = typeof lock === "object" && lock !== null ? Reflect.get(lock, "packages") : {};
  return Object.keys(typeof packages === "object" && packages !== null ? packages : {}).filter(
    (path) => path.startsWith("node_modules/"),
  );
}

describe("the packed ingot package, installed alone", () => {
  let work: string;
  let project: string;
  let env: Record<string, string>;
  const running: Running[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ingot-install-"));
    project = join(work, "my-app");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), '{ "name": "my-app", "private": true }\n');
    env = userEnv({ npm_config_cache: join(work, "npm-cache") });

    const pack = await run("npm", ["pack", "--pack-destination", work], {
      cwd: join(ROOT, "packages/ingot"),
    });
    const tarball = join(work, pack.stdout.trim().split("\n").at(-1) ?? "");
    const install = await run("npm", ["install", tarball], {
      cwd: project,
      env,
      timeoutMs: 900_000,
    });
    const packages = installedPackages(project);
    console.log(
      `ingot install: ${(install.ms / 1000).toFixed(1)} s (pack ${(pack.ms / 1000).toFixed(1)} s), ` +
        `${packages.length} packages, node_modules ${(diskBytes(join(project, "node_modules")) / 2 ** 20).toFixed(1)} MiB`,
    );
    await run("npm", ["install", `inngest@${SDK_VERSION}`], { cwd: project, env });
    writeFileSync(join(project, "app.mjs"), readmeBlock("### JavaScript", "js"));
  }, 960_000);

  afterAll(async () => {
    for (const proc of running.splice(0)) await proc.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function launch(
    args: string[],
    extra: Record<string, string>,
    ready?: RegExp,
  ): Promise<Running> {
    const proc = await start(args[0] ?? "", args.slice(1), {
      cwd: project,
      env: { ...env, ...extra },
      ...(ready ? { ready } : {}),
    });
    running.push(proc);
    return proc;
  }

  /** Sends `demo/hello` and waits for its run to complete; the run's output. */
  async function helloRun(ingot: string, key: string, headers: HeadersInit = {}) {
    const sent = await fetch(`${ingot}/e/${key}`, {
      method: "POST",
      body: JSON.stringify({ name: "demo/hello", data: { name: "Ada" } }),
    });
    expect(sent.status).toBe(200);
    const { ids } = (await sent.json()) as { ids: string[] };
    return waitFor("the run to complete", async () => {
      const response = await fetch(`${ingot}/v1/events/${ids[0]}/runs`, { headers });
      const { data } = (await response.json()) as { data: { status: string; output: unknown }[] };
      return data[0]?.status === "Completed" ? data[0].output : undefined;
    });
  }

  it("has only the tarball's ingot, which knows its version", async () => {
    expect(readdirSync(join(project, "node_modules/ingot/dist"))).toContain("ingot.js");
    const version = await run("npx", ["ingot", "--version"], { cwd: project, env });
    expect(version.stdout).toBe(`${VERSION}\n`);
    const packages = installedPackages(project);
    expect(packages.filter((path) => path.includes("@ingot/"))).toEqual([]);
  });

  it("npx ingot dev: /health, the dashboard, and the README's app syncs and completes a run", async () => {
    const [ingotPort, appPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${ingotPort}`;
    const appUrl = `http://127.0.0.1:${appPort}/api/inngest`;
    await launch(["node", "app.mjs"], { INNGEST_DEV: url, PORT: String(appPort) });
    // Listening is enough: in production mode the SDK answers an unsigned GET with 401.
    await waitFor("the app to listen", async () => (await get(appUrl)).status);
    const ingot = await launch(
      ["npx", "ingot", "dev", "-u", appUrl, "--port", String(ingotPort)],
      {},
      /ready at (http:\/\/\S+)/,
    );
    expect(ingot.match[1]).toBe(url);

    expect((await get(`${url}/health`)).status).toBe(200);
    const page = await get(`${url}/`);
    expect(page.type).toContain("text/html");
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.type).toContain("javascript");

    // `ready` comes before the first sync of `-u` finishes; an event sent earlier matches nothing.
    await waitFor("the app to sync", async () => {
      const apps = (await (await fetch(`${url}/v1/apps`)).json()) as {
        data: { id: string; function_count: number }[];
      };
      return apps.data.find((app) => app.id === "my-app" && app.function_count === 1);
    });
    expect(await helloRun(url, "dev")).toEqual({ greeting: "Hello, Ada!" });
    for (const proc of running.splice(0)) await proc.stop();
  });

  it("npx ingot start with keys from the environment: signed sync, keyed events, API auth", async () => {
    const [ingotPort, appPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${ingotPort}`;
    const appUrl = `http://127.0.0.1:${appPort}/api/inngest`;
    await launch(["node", "app.mjs"], {
      INNGEST_SIGNING_KEY: SIGNING_KEY,
      INNGEST_EVENT_KEY: EVENT_KEY,
      INNGEST_BASE_URL: url,
      PORT: String(appPort),
    });
    // Listening is enough: in production mode the SDK answers an unsigned GET with 401.
    await waitFor("the app to listen", async () => (await get(appUrl)).status);
    const ingot = await launch(
      ["npx", "ingot", "start", "-u", appUrl, "--port", String(ingotPort), "--data-dir", "prod"],
      { INGOT_SIGNING_KEY: SIGNING_KEY, INGOT_EVENT_KEY: EVENT_KEY },
      /Dashboard: .*\n/,
    );
    expect(ingot.output()).toContain("Production mode");
    expect(ingot.output()).not.toContain(SIGNING_KEY);

    const auth = { Authorization: `Bearer ${SIGNING_KEY}` };
    expect((await fetch(`${url}/v1/apps`)).status).toBe(401);
    const wrongKey = await fetch(`${url}/e/not-the-key`, { method: "POST", body: "{}" });
    expect(wrongKey.status).toBe(401);
    await waitFor("the signed sync", async () => {
      const apps = (await (await fetch(`${url}/v1/apps`, { headers: auth })).json()) as {
        data: { id: string; function_count: number }[];
      };
      return apps.data.find((app) => app.id === "my-app" && app.function_count === 1);
    });
    expect(await helloRun(url, EVENT_KEY, auth)).toEqual({ greeting: "Hello, Ada!" });
  });
});
