import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { type IngotProcess, startIngot } from "./helpers/ingot.js";

const UI = resolve(import.meta.dirname, "../web/dist/index.html");
const SHOTS = resolve(import.meta.dirname, "screenshots");
const README_SHOT = resolve(import.meta.dirname, "../../../docs/chat.png");

/**
 * The web chat in Debian's chromium, driven by playwright-core: ask, watch the answer stream,
 * see its sources and the run link, flip to the direct path, see an error plainly, reload and
 * find the conversation again. Screenshots go to test/screenshots/; one becomes docs/chat.png.
 */
describe("web chat in chromium", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(UI), `${UI} is missing: run "npm run build -w @ingot/chat" first`).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    [ingot, sim] = await Promise.all([
      startIngot(),
      startLlmSim({ chunkDelayMs: 45, latencyMs: 150 }),
    ]);
    chat = await startChat({ ingotUrl: ingot.url, sim });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on("pageerror", (error) => errors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
    await ingot?.stop();
    await sim?.close();
  });

  const shot = (name: string) => page.screenshot({ path: resolve(SHOTS, name) });
  const turn = (n: number) => page.getByTestId("turn").nth(n);

  async function ask(question: string): Promise<void> {
    await page.getByTestId("question").fill(question);
    await page.getByTestId("question").press("Enter");
  }

  it("says that answers are simulated", async () => {
    await page.goto(chat.url);
    await expect
      .poll(() => page.getByTestId("sim-banner").textContent())
      .toMatch(/Simulated answers/);
    expect(await page.getByTestId("model-badge").textContent()).toBe("simulated model");
  });

  it("streams a durable answer, then shows its sources, latency and the run in Ingot", async () => {
    await ask("How does Ingot stream tokens from step.ai.infer?");
    const answer = turn(0).getByTestId("answer");
    await page.getByTestId("caret").waitFor({ timeout: 15_000 });
    const early = (await answer.textContent()) ?? "";
    await page.waitForTimeout(400);
    const later = (await answer.textContent()) ?? "";
    expect(await turn(0).getAttribute("data-status")).toBe("streaming");
    expect(later.length).toBeGreaterThan(early.length);
    await shot("1-streaming.png");

    await page
      .locator('[data-testid="turn"][data-status="done"]')
      .first()
      .waitFor({ timeout: 20_000 });
    expect(await answer.textContent()).toContain("Simulated answer");
    expect(await turn(0).getByTestId("sources").locator("li").count()).toBeGreaterThanOrEqual(2);
    expect(await turn(0).getByTestId("latency").textContent()).toMatch(
      /first token \d+ ms · total [\d.]+ (ms|s)/,
    );
    expect(await turn(0).getByTestId("run-link").getAttribute("href")).toMatch(
      new RegExp(`^${ingot.url}/runs/01`),
    );
    expect(await page.getByTestId("latency-durable").textContent()).toMatch(
      /\d+ ms \/ [\d.]+ (ms|s)/,
    );
    await shot("2-durable-answer.png");
  });

  it("flips the toggle to the direct path and shows both paths' latency", async () => {
    await page.getByTestId("mode-direct").click();
    expect(await page.getByTestId("mode-direct").getAttribute("aria-checked")).toBe("true");
    await ask("What happens when the server is killed with kill -9?");
    await page
      .locator('[data-testid="turn"][data-status="done"][data-mode="direct"]')
      .waitFor({ timeout: 20_000 });
    expect(await turn(1).getByTestId("run-link").count()).toBe(0);
    expect(await turn(1).getByTestId("sources").locator("li").count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId("latency-direct").textContent()).toMatch(
      /\d+ ms \/ [\d.]+ (ms|s)/,
    );
    expect(await page.getByTestId("latency-durable").textContent()).toMatch(
      /\d+ ms \/ [\d.]+ (ms|s)/,
    );
    await page.getByTestId("turn").first().scrollIntoViewIfNeeded();
    await shot("3-both-paths.png");
    mkdirSync(resolve(README_SHOT, ".."), { recursive: true });
    copyFileSync(resolve(SHOTS, "3-both-paths.png"), README_SHOT);
  });

  it("shows a failed model call plainly", async () => {
    await page.getByTestId("mode-durable").click();
    await ask("This one fails [[sim: status=401]]");
    const error = turn(2).getByTestId("answer-error");
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toMatch(/Could not answer\. The model call failed: .*401/);
    await shot("4-error.png");
  });

  it("finds the conversation again after a reload", async () => {
    await page.reload();
    await page
      .getByRole("button", {
        name: "How does Ingot stream tokens from step.ai.infer?",
        exact: true,
      })
      .click();
    await expect.poll(() => page.getByTestId("turn").count()).toBe(3);
    expect(await turn(0).getAttribute("data-status")).toBe("done");
    expect(await turn(1).getAttribute("data-mode")).toBe("direct");
    expect(await turn(2).getAttribute("data-status")).toBe("error");
  });

  it("keeps streaming an answer across a reload", async () => {
    await ask("How does the AI gateway retry a 429 with Retry-After?");
    await page.getByTestId("caret").waitFor({ timeout: 15_000 });
    await page.reload();
    await page
      .getByRole("button", {
        name: "How does Ingot stream tokens from step.ai.infer?",
        exact: true,
      })
      .click();
    await expect.poll(() => page.getByTestId("turn").count()).toBe(4);
    await expect.poll(() => turn(3).getAttribute("data-status"), { timeout: 20_000 }).toBe("done");
    expect(await turn(3).getByTestId("answer").textContent()).toContain("Simulated answer");
    expect(await turn(3).getByTestId("latency").textContent()).toMatch(/total [\d.]+ (ms|s)/);
    expect(errors).toEqual([]);
  });
});
