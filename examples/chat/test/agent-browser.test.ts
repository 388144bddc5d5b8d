import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { type IngotProcess, startIngot } from "./helpers/ingot.js";

const UI = resolve(import.meta.dirname, "../web/dist/index.html");
const SHOTS = resolve(import.meta.dirname, "screenshots");

/**
 * The chat's Agent mode in Debian's chromium: the page follows the agent over Inngest Realtime
 * (`useRealtime`, a WebSocket straight to Ingot): tokens show while the run is still going, the
 * agent's `search_docs` call shows as it happens, and the answer ends with its sources.
 */
describe("agent mode in chromium", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const sockets: string[] = [];

  beforeAll(async () => {
    expect(existsSync(UI), `${UI} is missing: run "npm run build -w @ingot/chat" first`).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    [ingot, sim] = await Promise.all([startIngot(), startLlmSim({ chunkDelayMs: 60 })]);
    chat = await startChat({ ingotUrl: ingot.url, sim });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("websocket", (socket) => sockets.push(socket.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it("streams tokens before the run ends, shows the search_docs call and the sources", async () => {
    await page.goto(chat.url);
    await page.getByTestId("mode-agent").click();
    expect(await page.getByTestId("mode-agent").getAttribute("aria-checked")).toBe("true");
    await page.getByTestId("question").fill("What is Ingot?");
    await page.getByTestId("question").press("Enter");

    const turn = page.locator('[data-testid="turn"][data-mode="agent"]');
    // Tokens while the turn is still streaming, i.e. before the run has ended.
    await page.waitForFunction(
      () => {
        const live = document.querySelector(
          '[data-testid="turn"][data-mode="agent"][data-status="streaming"] .content',
        );
        return (live?.textContent ?? "").length > 20;
      },
      undefined,
      { timeout: 20_000 },
    );
    expect(await turn.getAttribute("data-status")).toBe("streaming");
    expect(await turn.getByTestId("tool-call").first().textContent()).toContain("search_docs");
    await page.screenshot({ path: resolve(SHOTS, "5-agent-streaming.png") });

    await page
      .locator('[data-testid="turn"][data-mode="agent"][data-status="done"]')
      .waitFor({ timeout: 30_000 });
    const answer = (await turn.getByTestId("answer").textContent()) ?? "";
    expect(answer).toContain("Durable execution for AI workloads.");
    const sources = turn.getByTestId("sources").locator("li");
    expect(await sources.count()).toBeGreaterThanOrEqual(1);
    expect(await sources.first().textContent()).toContain("README.md");
    expect(await turn.getByTestId("tool-call").first().textContent()).toContain(
      'query: "What is Ingot?"',
    );
    expect(await turn.getByTestId("run-link").getAttribute("href")).toMatch(
      new RegExp(`^${ingot.url}/runs/01`),
    );
    // The page read Ingot's Realtime WebSocket itself (nothing polled the chat).
    expect(
      sockets.some((url) =>
        url.startsWith(`${ingot.url.replace("http", "ws")}/v1/realtime/connect`),
      ),
    ).toBe(true);
    expect(await page.getByTestId("latency-agent").textContent()).toMatch(
      /[\d.]+ (ms|s) \/ [\d.]+ (ms|s)/,
    );
    await page.screenshot({ path: resolve(SHOTS, "6-agent-answer.png") });
    expect(errors).toEqual([]);
  });

  it("lists the agent path in the monitoring panel", async () => {
    await page.reload();
    // The table lists every path at once; the counts come with the stats request.
    const row = page.locator("table tr", { hasText: "agent" }).first();
    await expect
      .poll(() => row.textContent(), { timeout: 10_000 })
      .toMatch(/agent\s*1\s*0\s*[\d.]+ (ms|s)\s*[\d.]+ (ms|s)/);
  });
});
