import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

/** Debian's chromium driven by playwright-core, and the small waits the tests share. */

export const SCREENSHOTS = resolve(import.meta.dirname, "../screenshots");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
}

export async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (error) => errors.push(error.message));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let transitions and the relative times settle before the picture.
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the locator's text contains `text` (or matches it), and returns the text. */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last =
      (await locator
        .textContent({ timeout: Math.max(1, deadline - Date.now()) })
        .catch(() => "")) ?? "";
    if (typeof text === "string" ? last.includes(text) : text.test(last)) return last;
    await new Promise((resolvePause) => setTimeout(resolvePause, 100));
  }
  throw new Error(`timed out waiting for ${String(text)}; last text: ${last.slice(0, 500)}`);
}

export async function waitForUrl(page: Page, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  await page.waitForURL(pattern, { timeout: timeoutMs });
  return page.url();
}
