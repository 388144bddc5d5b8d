import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, tempDir } from "./helpers/ingot.js";

const START = resolve(import.meta.dirname, "../dist/start.js");
const PROVIDER_KEYS =
  /^(OPENROUTER|OPENAI|ANTHROPIC|GEMINI|XAI|DEEPSEEK)_|^(INGOT|CHAT)_|^(PORT|DATABASE_URL|INNGEST_.*)$/;

/**
 * `npm start` as a user runs it: `node examples/chat/dist/start.js` in an empty directory with no
 * provider key. It must boot Ingot, the chat and the simulator, print the URLs and say that
 * answers are simulated, answer a question, and stop everything on SIGTERM.
 */
describe("npm start (examples/chat/dist/start.js)", () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("boots Ingot, the chat and the simulator within seconds, answers, and shuts down cleanly", async () => {
    expect(existsSync(START), `${START} is missing: run "npm run build -w @ingot/chat" first`).toBe(
      true,
    );
    const [port, ingotPort] = [await freePort(), await freePort()];
    const cwd = tempDir("chat-start-");
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !PROVIDER_KEYS.test(k)),
    );
    const startedAt = Date.now();
    const proc = spawn(process.execPath, [START], {
      cwd,
      env: { ...env, PORT: String(port), INGOT_PORT: String(ingotPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let out = "";
    let err = "";
    proc.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready in 30 s:\n${out}\n${err}`)), 30_000);
      proc.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Press Ctrl-C to stop.")) {
          clearTimeout(timer);
          ready();
        }
      });
      proc.once("exit", (code) => fail(new Error(`exited with ${code}:\n${out}\n${err}`)));
    });
    const readyMs = Date.now() - startedAt;
    console.log(`npm start was ready in ${readyMs} ms`);
    expect(readyMs).toBeLessThan(15_000);
    const chatUrl = `http://127.0.0.1:${port}`;
    const ingotUrl = `http://127.0.0.1:${ingotPort}`;
    expect(out).toContain(`Chat UI           ${chatUrl}`);
    expect(out).toContain(`Ingot dashboard   ${ingotUrl}`);
    expect(out).toMatch(/answers are SIMULATED/);
    expect(existsSync(join(cwd, ".ingot"))).toBe(true);
    expect(readFileSync(join(cwd, ".chat", ".gitignore"), "utf8")).toBe("*\n");

    expect((await fetch(`${ingotUrl}/health`)).status).toBe(200);
    const page = await (await fetch(`${chatUrl}/`)).text();
    expect(page).toContain("Ingot Chat");
    const info = await (await fetch(`${chatUrl}/api/v1/info`)).json();
    expect(info).toMatchObject({ simulated: true, dashboard_url: ingotUrl });

    const posted = await fetch(`${chatUrl}/api/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "What does npm start run?" }),
    });
    expect(posted.status).toBe(202);
    const { request_id } = await posted.json();
    const askedAt = Date.now();
    let result: any;
    do {
      result = await (await fetch(`${chatUrl}/api/v1/chat/result/${request_id}?wait=10`)).json();
    } while (result.status === "pending" && Date.now() - askedAt < 30_000);
    expect(result).toMatchObject({
      status: "done",
      content: expect.stringContaining("Simulated answer"),
    });
    console.log(`first answer in ${Date.now() - askedAt} ms`);

    proc.kill("SIGTERM");
    const code = await new Promise<number | null>((done) => proc.once("exit", (c) => done(c)));
    expect(code).toBe(0);
    // Ingot went down with it.
    await expect(fetch(`${ingotUrl}/health`)).rejects.toThrow();
  });
});
