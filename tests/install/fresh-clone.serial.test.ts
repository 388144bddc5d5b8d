import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../conformance/harness/ingot.js";
import { get, ROOT, run, start, userEnv } from "./harness.js";

/**
 * The README's commands on a fresh clone, as a newcomer types them: `npm install`, then
 * `npm start` and `npx ingot dev`. It clones the committed HEAD (uncommitted changes are not
 * part of it), reuses the user's npm cache (`--prefer-offline`), and takes 2-4 min on 2 cores:
 * most of it compiles better-sqlite3 from source and builds the workspace. Serial suite.
 */
describe("fresh clone: the README's commands", () => {
  let clone: string;

  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), "ingot-clone-"));
    await run("git", ["clone", "--quiet", "--depth", "1", `file://${ROOT}`, clone], { cwd: ROOT });
    await run("npm", ["install", "--prefer-offline"], { cwd: clone, timeoutMs: 900_000 });
  }, 960_000);

  afterAll(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it("npx ingot dev serves /health and the dashboard", async () => {
    const port = await freePort();
    const ingot = await start("npx", ["ingot", "dev", "--port", String(port), "--no-discovery"], {
      cwd: clone,
      ready: /ready at (http:\/\/\S+)/,
    });
    try {
      const url = ingot.match[1] ?? "";
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect((await get(`${url}/health`)).status).toBe(200);
      const page = await get(`${url}/`);
      expect(page.type).toContain("text/html");
      expect(page.body).toMatch(/<script[^>]+src="\/assets\/[^"]+\.js"/);
    } finally {
      await ingot.stop();
    }
  });

  it("npm start serves the chat demo and its Ingot", async () => {
    const [ingotPort, chatPort] = [await freePort(), await freePort()];
    const demo = await start("npm", ["start"], {
      cwd: clone,
      ready: /Chat UI\s+(http:\/\/\S+)/,
      env: userEnv({ INGOT_PORT: String(ingotPort), PORT: String(chatPort) }),
      timeoutMs: 120_000,
    });
    try {
      expect(demo.match[1]).toBe(`http://127.0.0.1:${chatPort}`);
      const page = await get(`http://127.0.0.1:${chatPort}/`);
      expect(page.type).toContain("text/html");
      expect((await get(`http://127.0.0.1:${ingotPort}/health`)).status).toBe(200);
    } finally {
      await demo.stop();
    }
  });
});
