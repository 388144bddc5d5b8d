import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatUsd } from "../src/lib/format";
import { Api } from "./helpers/api";
import { launchBrowser, newPage, screenshot, waitForText, waitForUrl } from "./helpers/browser";
import { ensureDashboardBuilt } from "./helpers/build";
import { AI_KEY, type DemoApp, startDemoApp, SUMMARY } from "./helpers/demo-app";
import { type IngotProcess, startIngot } from "./helpers/ingot";

/**
 * The dashboard in a real browser against a real `ingot dev` and an app on the official SDK:
 * what a user sees on each page, and that each action does what it says.
 */
describe("dashboard (ingot dev)", () => {
  let sim: LlmSim;
  let ingot: IngotProcess;
  let app: DemoApp;
  let api: Api;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    // Slow enough streaming that the run page sees tokens arrive before the call ends.
    sim = await startLlmSim({ chunkDelayMs: 300 });
    sim.setDefault({ text: SUMMARY });
    ingot = await startIngot();
    api = new Api(ingot.url);
    app = await startDemoApp({ ingotUrl: ingot.url, simUrl: sim.url });
    await api.syncApp(app.url);
    browser = await launchBrowser();
    page = await newPage(browser, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  const recentRun = (name: string) =>
    page.getByRole("table", { name: "Recent runs" }).getByRole("row").filter({ hasText: name });

  it("shows a new run live on the landing page, with its function name and status", async () => {
    await page.goto(ingot.url);
    await page.getByRole("heading", { name: "No runs yet" }).waitFor();
    await screenshot(page, "overview-empty");
    // Marks this document: if the page reloaded to show the run, the mark would be gone.
    await page.evaluate(() => document.body.setAttribute("data-test-mark", "kept"));

    const eventId = await api.send("shop/order.created", { orderId: "1042" });
    const run = await api.runOf(eventId);
    const row = recentRun("Process order");
    await row.waitFor();
    await waitForText(row, "Completed");
    expect(await row.getAttribute("data-run-id")).toBe(run.run_id);
    expect(await page.evaluate(() => document.body.getAttribute("data-test-mark"))).toBe("kept");
    await waitForText(page.getByRole("group", { name: "Last 24 hours" }), "Completed · 24 h1");
  });

  it("shows a run's steps as a timeline and its AI call with tokens, cost, prompt and answer", async () => {
    const eventId = await api.send("support/ticket.created", { ticketId: "T-77" });
    const run = await api.runOf(eventId);
    await page.goto(`${ingot.url}/runs/${run.run_id}`);
    await page.getByRole("heading", { name: "Summarize ticket" }).waitFor();

    // Tokens appear while the model is still answering (the run is not finished yet).
    const live = page.getByRole("article", { name: "Streaming output of summarize" });
    await waitForText(live, "streaming…");
    await waitForText(live, /The customer/);
    await screenshot(page, "run-streaming");

    await waitForText(page.locator(".page-subtitle"), "Completed");
    const timeline = page.getByRole("group", { name: "Step timeline" });
    for (const name of ["load-ticket", "summarize", "save-summary"])
      await timeline.locator(`[data-step-name="${name}"]`).waitFor();

    const [call] = (
      await api.json<{
        data: {
          usage: { input_tokens: number; output_tokens: number; total_tokens: number };
          cost_usd: number;
        }[];
      }>(`/v1/runs/${run.run_id}/ai`)
    ).data;
    expect(call).toBeDefined();
    const card = page.getByRole("article", { name: "AI call openai-compatible gpt-4o-mini" });
    await card.waitFor();
    const metric = (name: string) => card.locator(`[data-metric="${name}"] dd`).textContent();
    expect(await metric("input-tokens")).toBe(formatCount(call!.usage.input_tokens));
    expect(await metric("output-tokens")).toBe(formatCount(call!.usage.output_tokens));
    expect(await metric("total-tokens")).toBe(formatCount(call!.usage.total_tokens));
    expect(call!.cost_usd).toBeGreaterThan(0);
    expect(await metric("cost")).toBe(formatUsd(call!.cost_usd));
    expect(await card.textContent()).toContain("Hi, I was charged twice for order 1042");
    expect(await card.locator(".response-text").textContent()).toBe(SUMMARY);
    expect(await page.content()).not.toContain(AI_KEY);
    await screenshot(page, "run-ai");
  });

  it("shows each failed attempt of a retried step with its error", async () => {
    const eventId = await api.send("crm/contact.updated", { id: 7 });
    const run = await api.runOf(eventId);
    await api.waitForStatus(run.run_id, "Completed");
    await page.goto(`${ingot.url}/runs/${run.run_id}`);
    const detail = page.getByRole("region", { name: "Step push-contact" });
    await detail.waitFor();
    const attempts = detail.getByRole("region", { name: "Failed attempts" });
    await waitForText(attempts, "Attempt 2");
    expect(await attempts.textContent()).toContain(
      "CRM answered 503 Service Unavailable (attempt 1)",
    );
    expect(await detail.locator("dd").nth(3).textContent()).toBe("3");
    await screenshot(page, "run-retries");
  });

  it("sends an event from the JSON editor and shows the run it started", async () => {
    await page.goto(`${ingot.url}/events`);
    await page.getByRole("button", { name: "Send event" }).click();
    const dialog = page.getByRole("dialog", { name: "Send an event" });
    const editor = dialog.getByLabel("Event payload");
    await editor.fill('{"name": "shop/order.created", "data": {');
    await waitForText(dialog, /line 1, column \d+/);
    expect(await dialog.getByRole("button", { name: "Send event" }).isDisabled()).toBe(true);
    await editor.fill('{"data": {}}');
    await waitForText(dialog, '"name" is required');

    await editor.fill('{"name": "shop/order.created", "data": {"orderId": "2001"}}');
    await dialog.getByRole("button", { name: "Format" }).click();
    expect(await editor.inputValue()).toContain('\n  "name": "shop/order.created"');
    await screenshot(page, "send-event");
    await dialog.getByRole("button", { name: "Send event" }).click();

    const url = await waitForUrl(page, /\/events\/[0-9A-Z]+$/);
    const eventId = url.split("/").pop()!;
    const event = await api.json<{ data: { name: string; data: unknown } }>(
      `/v1/events/${eventId}`,
    );
    expect(event.data).toMatchObject({ name: "shop/order.created", data: { orderId: "2001" } });
    const runs = page.getByRole("table", { name: "Runs started by this event" });
    await waitForText(runs, "Process order");
    await waitForText(runs, "Completed");
    expect((await api.runOf(eventId)).function_id).toBe("shop-process-order");
    await screenshot(page, "event");
  });

  it("cancels a sleeping run from its page", async () => {
    const eventId = await api.send("user/signed.up", { userId: "u-cancel" });
    const run = await api.runOf(eventId);
    await api.until("the run to sleep", async () =>
      (await api.steps(run.run_id)).some((step) => step.status === "sleeping") ? true : undefined,
    );
    await page.goto(`${ingot.url}/runs/${run.run_id}`);
    const sleeping = page.getByRole("region", { name: "Step wait-a-day" });
    await waitForText(sleeping, "Sleeping");
    await screenshot(page, "run-sleeping");

    await page.getByRole("button", { name: "Cancel run" }).click();
    const confirm = page.getByRole("dialog", { name: "Cancel this run?" });
    await confirm.getByRole("button", { name: "Cancel run" }).click();
    await waitForText(page.locator(".page-subtitle"), "Cancelled");
    expect((await api.run(run.run_id)).status).toBe("Cancelled");
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
  });

  it("reruns a finished run as a new run of the same event", async () => {
    const eventId = await api.send("shop/order.created", { orderId: "3003" });
    const first = await api.runOf(eventId);
    await api.waitForStatus(first.run_id, "Completed");
    await page.goto(`${ingot.url}/runs/${first.run_id}`);
    await page.getByRole("button", { name: "Rerun" }).click();

    await page.waitForURL(
      (url) => url.pathname.startsWith("/runs/") && !url.pathname.endsWith(first.run_id),
    );
    const rerunId = new URL(page.url()).pathname.split("/").pop()!;
    const rerun = await api.waitForStatus(rerunId, "Completed");
    await waitForText(page.locator(".page-subtitle"), new RegExp(`Completed.*${rerunId}`));
    expect(rerun).toMatchObject({
      function_id: "shop-process-order",
      event_id: eventId,
      status: "Completed",
    });
    expect((await api.runsOf(eventId)).map((run) => run.run_id).sort()).toEqual(
      [first.run_id, rerunId].sort(),
    );
  });

  it("invokes a function with a payload from its page", async () => {
    await page.goto(`${ingot.url}/functions`);
    await page.getByRole("link", { name: "Process order" }).click();
    await page.getByRole("heading", { name: "Process order" }).waitFor();
    await screenshot(page, "function");
    await page.getByRole("button", { name: "Invoke…" }).click();
    const dialog = page.getByRole("dialog", { name: "Invoke Process order" });
    await dialog.getByLabel("Payload (event data)").fill('{"orderId": "INV-7"}');
    await dialog.getByRole("button", { name: "Invoke function" }).click();

    await waitForUrl(page, /\/runs\/[0-9A-Z]+$/);
    await waitForText(page.locator(".page-subtitle"), "Completed", 30_000);
    await waitForText(page.getByRole("region", { name: "Output" }), '"INV-7"');
    const run = await api.run(new URL(page.url()).pathname.split("/").pop()!);
    expect(run.output).toMatchObject({ order: "INV-7" });
  });

  it("bulk-cancels the running runs a filter selects", async () => {
    const ids = await Promise.all(
      ["a", "b", "c"].map((user) => api.send("user/signed.up", { userId: `bulk-${user}` })),
    );
    const runs = await Promise.all(ids.map((id) => api.runOf(id)));
    await Promise.all(runs.map((run) => api.waitForStatus(run.run_id, "Running")));
    const other = await api.runOf(await api.send("shop/order.created", { orderId: "keep" }));

    await page.goto(`${ingot.url}/runs?function=shop-onboarding-drip&status=Running`);
    const table = page.getByRole("table", { name: "Runs" });
    for (const run of runs) await table.locator(`[data-run-id="${run.run_id}"]`).waitFor();
    await screenshot(page, "runs-filtered");

    await page.getByRole("button", { name: "Bulk cancel…" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel matching runs" });
    await waitForText(dialog, "3 runs match");
    expect(await dialog.textContent()).toContain("Onboarding drip");
    await dialog.getByRole("button", { name: "Cancel 3 runs" }).click();
    await waitForText(
      page.getByRole("status").filter({ hasText: "Cancelled 3 runs" }),
      "Cancelled 3 runs",
    );
    for (const run of runs) expect((await api.run(run.run_id)).status).toBe("Cancelled");
    expect((await api.run(other.run_id)).status).not.toBe("Cancelled");

    // The list follows: with the status filter switched to Cancelled, the three are there.
    await page.goto(`${ingot.url}/runs?function=shop-onboarding-drip&status=Cancelled`);
    for (const run of runs) await table.locator(`[data-run-id="${run.run_id}"]`).waitFor();
  });

  it("filters runs by status and finds a run or an event by id", async () => {
    await page.goto(`${ingot.url}/runs`);
    const table = page.getByRole("table", { name: "Runs" });
    await waitForText(table, "Cancelled");
    await page.getByRole("group", { name: "Status" }).getByLabel("Completed").check();
    await page.waitForURL(/status=Completed/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table[aria-label="Runs"] tbody tr')];
      return rows.length > 0 && rows.every((row) => row.textContent?.includes("Completed"));
    });
    await screenshot(page, "runs");

    const eventId = await api.send("support/ticket.created", { ticketId: "T-88" });
    const run = await api.runOf(eventId);
    const search = page.getByRole("searchbox", { name: "Search by run ID or event ID" });
    await search.fill(eventId);
    await search.press("Enter");
    await waitForText(
      page.getByRole("table", { name: "Runs started by the event" }),
      "Summarize ticket",
    );

    await search.fill(run.run_id);
    await search.press("Enter");
    await waitForUrl(page, new RegExp(`/runs/${run.run_id}$`));
    await page.getByRole("heading", { name: "Summarize ticket" }).waitFor();
  });

  it("lists apps with their SDK and resyncs one; lists functions with triggers and flow control", async () => {
    await page.goto(`${ingot.url}/apps`);
    const card = page.getByRole("region", { name: "shop" });
    await waitForText(card, "js:v4.24.0");
    expect(await card.textContent()).toContain(app.url);
    await card.getByRole("button", { name: "Resync" }).click();
    await waitForText(page.getByRole("status").filter({ hasText: "Re-synced" }), "Re-synced shop");
    await screenshot(page, "apps");

    await page.goto(`${ingot.url}/functions`);
    const row = page.locator('[data-function-id="shop-sync-crm"]');
    await waitForText(row, "crm/contact.updated");
    expect(await row.textContent()).toContain("Throttle");
    expect(await page.locator('[data-function-id="shop-nightly-report"]').textContent()).toContain(
      "0 3 * * *",
    );
    await screenshot(page, "functions");

    await page.goto(`${ingot.url}/events`);
    await waitForText(page.getByRole("table", { name: "Events" }), "inngest/function.finished");
    await screenshot(page, "events");
    await page.getByLabel(/Hide Ingot's own/).check();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('table[aria-label="Events"] tbody tr')].every(
        (row) => !row.textContent?.includes("inngest/"),
      ),
    );
    await page.goto(ingot.url);
    await recentRun("Summarize ticket").first().waitFor();
    await screenshot(page, "overview");
  });

  it("pages through older runs with the server's cursor", async () => {
    const started = await Promise.all(
      Array.from({ length: 55 }, () =>
        api.json<{ data: { run_id: string } }>("/v1/functions/shop-nightly-report/invoke", {
          method: "POST",
          body: JSON.stringify({ data: {} }),
        }),
      ),
    );
    await page.goto(`${ingot.url}/runs?function=shop-nightly-report`);
    const rows = page.getByRole("table", { name: "Runs" }).locator("tbody tr");
    await page.waitForFunction(
      () => document.querySelectorAll('table[aria-label="Runs"] tbody tr').length === 50,
    );
    await page.getByRole("button", { name: "Load older runs" }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('table[aria-label="Runs"] tbody tr').length === 55,
    );
    const shown = await rows.evaluateAll((list) =>
      list.map((row) => row.getAttribute("data-run-id")),
    );
    expect(shown.sort()).toEqual(started.map((answer) => answer.data.run_id).sort());
    expect(await page.getByRole("button", { name: "Load older runs" }).count()).toBe(0);
  });

  it("raised no error in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});

const SIGNING_KEY = `signkey-test-${"ab12".repeat(16)}`;
const TOKEN = "dashboard-secret-token";

/** `ingot start`: the dashboard and its API refuse a visitor until they sign in. */
describe("dashboard (ingot start)", () => {
  let ingot: IngotProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const status = (path: string) => page.evaluate(async (url) => (await fetch(url)).status, path);

  beforeAll(async () => {
    ensureDashboardBuilt();
    ingot = await startIngot({
      mode: "start",
      args: [
        "--signing-key",
        SIGNING_KEY,
        "--event-key",
        "evt-dashboard-0123456789",
        "--dashboard-token",
        TOKEN,
      ],
    });
    browser = await launchBrowser();
    page = await newPage(browser, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await ingot?.stop();
  });

  it("shows a sign-in screen, and the API answers 401, until the visitor signs in", async () => {
    await page.goto(`${ingot.url}/runs`);
    const form = page.getByRole("form", { name: "Sign in to the dashboard" });
    await form.waitFor();
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    expect(await status("/v1/runs")).toBe(401);
    expect(await status("/v1/apps")).toBe(401);
    expect((await fetch(`${ingot.url}/v1/runs`)).status).toBe(401);
    await screenshot(page, "sign-in");

    await form.getByLabel("Dashboard token").fill("not-the-token");
    await form.getByRole("button", { name: "Sign in" }).click();
    await waitForText(form.getByRole("alert"), "That token is not right");
    expect(await status("/v1/runs")).toBe(401);

    await form.getByLabel("Dashboard token").fill(TOKEN);
    await form.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    expect(await status("/v1/runs")).toBe(200);
    // The session is a cookie the page cannot read; the token is not kept in the page either.
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage })),
    ).not.toContain(TOKEN);
  });

  it("works once signed in: sends an event through the REST API and survives a reload", async () => {
    await page.goto(`${ingot.url}/events`);
    await page.getByRole("button", { name: "Send event" }).click();
    const dialog = page.getByRole("dialog", { name: "Send an event" });
    await dialog
      .getByLabel("Event payload")
      .fill('{"name": "audit/login", "data": {"user": "ops"}}');
    await dialog.getByRole("button", { name: "Send event" }).click();
    await waitForUrl(page, /\/events\/[0-9A-Z]+$/);
    await page.getByRole("heading", { name: "audit/login" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "audit/login" }).waitFor();
  });

  it("signs out back to the sign-in screen", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("form", { name: "Sign in to the dashboard" }).waitFor();
    expect(await status("/v1/runs")).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
