import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { IngotApi } from "./harness/api.js";
import { freePort, type IngotProcess, startIngot, tempDir } from "./harness/ingot.js";
import { type PythonApp, startPythonApp, waitForApps } from "./harness/python.js";

/**
 * README.md's Python example ("Use Ingot with your app" → "### Python"), run as printed: its
 * `app.py` byte for byte, its commands with free ports instead of 8000 and 8288.
 */

const README = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");

function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

function block(text: string, language: string): string {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(text);
  if (!match?.[1]) throw new Error(`no ${language} block`);
  return match[1];
}

describe("README: Python example", () => {
  const python = section("### Python");
  const code = block(python, "python");
  const shell = block(python, "sh").split("\n").filter(Boolean);
  let app: PythonApp | undefined;
  let ingot: IngotProcess | undefined;

  afterAll(async () => {
    await app?.stop();
    await ingot?.stop();
  });

  it("is about 15 lines", () => {
    expect(code.trim().split("\n").length).toBeLessThanOrEqual(17);
  });

  it("runs as printed: the app, ingot dev -u, and the curl that starts a run", async () => {
    const [serve, dev, send] = shell;
    expect(serve).toMatch(/^INNGEST_DEV=1 uvicorn app:app --port 8000\b/);
    expect(dev).toMatch(
      /^npx ingot dev -u http:\/\/127\.0\.0\.1:8000\/api\/inngest --no-discovery\b/,
    );
    expect(send).toMatch(/^curl .*localhost:8288\/e\//);

    const dir = tempDir("readme-python-");
    writeFileSync(join(dir, "app.py"), code);
    const port = await freePort();
    app = await startPythonApp({
      server: "fastapi",
      module: "app",
      dir,
      // INNGEST_DEV=1 as printed; the base URL only because Ingot is not on 8288 here.
      env: { INNGEST_DEV: "1", INNGEST_BASE_URL: `http://127.0.0.1:${port}` },
    });
    ingot = await startIngot({ port, args: ["-u", app.url] });
    const api = new IngotApi(ingot.url);
    await waitForApps(api, ["hello-app"]);

    const curl = send!.replace(/#.*$/, "").replace("localhost:8288", `127.0.0.1:${port}`);
    const { stdout } = await promisify(execFile)("bash", ["-c", curl]);
    const { ids } = JSON.parse(stdout) as { ids: string[] };
    const [run] = await api.settled(ids[0]!);
    expect(run).toMatchObject({ status: "Completed", output: "Hello, Ada!" });
    expect((await api.steps(run!.run_id)).map((step) => step.name)).toEqual([
      "load-name",
      "pause",
      "say-hello",
    ]);
    expect(python).toContain('"Hello, Ada!"');
  });
});
