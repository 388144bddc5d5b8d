import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "../../../tests/conformance/harness/api.js";
import {
  devEnv,
  type PythonApp,
  startPythonApp,
  waitForApps,
} from "../../../tests/conformance/harness/python.js";
import { Api } from "./helpers/api";
import { launchBrowser, newPage, screenshot, waitForText } from "./helpers/browser";
import { ensureDashboardBuilt } from "./helpers/build";
import { freePort, type IngotProcess, startIngot } from "./helpers/ingot";

/**
 * The dashboard in a real browser with an app on the official Python SDK (FastAPI, async
 * functions; tests/conformance/python/async_app.py), synced by `ingot dev -u`: its runs show the
 * steps named as in the Python code, and the Apps page shows the app and a failed sync's reason.
 */
describe("dashboard with a Python app", () => {
  let ingot: IngotProcess;
  let app: PythonApp;
  let api: Api;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    const port = await freePort();
    app = await startPythonApp({
      server: "fastapi",
      module: "async_app",
      env: devEnv(`http://127.0.0.1:${port}`, "py-dash"),
    });
    ingot = await startIngot({ port, args: ["-u", app.url] });
    api = new Api(ingot.url);
    await waitForApps(new IngotApi(ingot.url), ["py-dash"]);
    browser = await launchBrowser();
    page = await newPage(browser, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await ingot?.stop();
  });

  it("shows a Python run with its steps named as in the code", async () => {
    const eventId = await api.send("py-dash/steps", { n: 3 });
    const run = await api.runOf(eventId);
    await api.waitForStatus(run.run_id, "Completed");
    await page.goto(`${ingot.url}/runs/${run.run_id}`);
    await page.getByRole("heading", { name: "steps" }).waitFor();
    await waitForText(page.locator(".page-subtitle"), "Completed");
    const timeline = page.getByRole("group", { name: "Step timeline" });
    // step.run("first"), step.run("add"), step.sleep("nap"), step.sleep_until("nap-until"),
    // step.send_event("send"), step.invoke("call-child"), group.parallel of "part-a/b/c".
    const names = [
      "first",
      "add",
      "nap",
      "nap-until",
      "send",
      "call-child",
      "part-a",
      "part-b",
      "part-c",
    ];
    for (const name of names) await timeline.locator(`[data-step-name="${name}"]`).waitFor();
    const shown = await timeline
      .locator("[data-step-name]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-step-name")));
    expect(shown.slice(0, 6)).toEqual(names.slice(0, 6));
    expect(new Set(shown)).toEqual(new Set(names));
    await screenshot(page, "python-run");
    expect(pageErrors).toEqual([]);
  });

  it("lists the Python app, and shows why a sync failed", async () => {
    await page.goto(`${ingot.url}/apps`);
    const card = page.getByRole("region", { name: "py-dash" });
    await waitForText(card, "py:v0.5.18");
    expect(await card.textContent()).toContain("fast_api");
    expect(await card.textContent()).toContain(app.url);

    const missing = `http://127.0.0.1:${await freePort()}/api/inngest`;
    await page.getByLabel("App URL").fill(missing);
    await page.getByRole("button", { name: "Sync app" }).click();
    await waitForText(page.getByRole("alert"), "could not reach the app");
    const failed = page.getByRole("region", { name: missing });
    await waitForText(failed, `Sync failed: could not reach the app at ${missing}`);
    await screenshot(page, "python-apps");
    expect(pageErrors).toEqual([]);
  });
});
