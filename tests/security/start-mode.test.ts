import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";

/**
 * `ingot start` with default flags, attacked as the security review did: findings 2 (private
 * addresses through step.fetch), 3 (forged internal events), 4 (same-site bulk cancel) and 6
 * (sessions) against a real server and the official SDK.
 */

const signingKey = `signkey-prod-${randomBytes(32).toString("hex")}`;
const eventKey = `evt-${randomBytes(16).toString("hex")}`;
const dashboardToken = `dash-${randomBytes(16).toString("hex")}`;

describe("ingot start under attack", () => {
  let ingot: IngotProcess;
  let app: RunningApp;
  let api: IngotApi;
  let inngest: Inngest;
  let loopback: Server;
  let loopbackPort = 0;
  let loopbackHits = 0;

  beforeAll(async () => {
    loopback = createServer((_req, res) => {
      loopbackHits += 1;
      res.end("internal admin page");
    });
    await new Promise<void>((resolve) => loopback.listen(0, "127.0.0.1", resolve));
    loopbackPort = (loopback.address() as AddressInfo).port;

    ingot = await startIngot({
      mode: "start",
      args: [
        "--signing-key",
        signingKey,
        "--event-key",
        eventKey,
        "--dashboard-token",
        dashboardToken,
      ],
    });
    api = new IngotApi(ingot.url, { authorization: `Bearer ${signingKey}` });
    inngest = new Inngest({
      id: "sec-app",
      isDev: false,
      signingKey,
      eventKey,
      baseUrl: ingot.url,
    });
    const fetcher = inngest.createFunction(
      { id: "fetcher", retries: 0, triggers: [{ event: "sec/fetch" }] },
      async ({ event, step }) => {
        try {
          const response = await step.fetch(String(event.data.url));
          return { ok: true, body: await response.text() };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },
    );
    const child = inngest.createFunction(
      { id: "child", triggers: [{ event: "sec/child" }] },
      async ({ step }) => {
        await step.waitForEvent("release", { event: "sec/release", timeout: "30s" });
        return { from: "the real child" };
      },
    );
    const parent = inngest.createFunction(
      { id: "parent", triggers: [{ event: "sec/parent" }] },
      async ({ step }) => step.invoke("call-child", { function: child, data: {} }),
    );
    const waiter = inngest.createFunction(
      { id: "waiter", triggers: [{ event: "sec/wait" }] },
      async ({ step }) => {
        await step.waitForEvent("never", { event: "sec/never", timeout: "1h" });
        return "done";
      },
    );
    app = await serveApp({
      handler: serveV4({ client: inngest, functions: [fetcher, child, parent, waiter] }),
    });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await new Promise((resolve) => loopback?.close(resolve));
  });

  async function runFor(name: string, data: Record<string, unknown> = {}) {
    const { ids } = await inngest.send({ name, data });
    return ids[0]!;
  }

  describe("finding 2: step.fetch cannot reach loopback in any spelling", () => {
    it.each([
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "[0:0:0:0:0:ffff:7f00:1]",
      "[::127.0.0.1]",
      "2130706433",
      "0x7f.0.0.1",
      "0177.0.0.1",
      "127.1",
      "localhost",
    ])("http://%s is refused and the page is never read", async (host) => {
      const before = loopbackHits;
      const eventId = await runFor("sec/fetch", { url: `http://${host}:${loopbackPort}/admin` });
      const [run] = await api.settled(eventId);
      expect(run!.output).toMatchObject({ ok: false });
      expect(JSON.stringify(run!.output)).not.toContain("internal admin page");
      expect(loopbackHits).toBe(before);
    });
  });

  describe("finding 3: internal events cannot be forged", () => {
    it("refuses inngest/* names on /e/ with a clear 400, whatever their case", async () => {
      for (const name of [
        "inngest/function.finished",
        "inngest/function.failed",
        "inngest/function.cancelled",
        "inngest/function.invoked",
        "inngest/scheduled.timer",
        "Inngest/Function.Finished",
      ]) {
        const response = await fetch(`${ingot.url}/e/${eventKey}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([{ name: "sec/ok" }, { name, data: {} }]),
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error: string; code: string };
        expect(body.code).toBe("reserved_event_name");
        expect(body.error).toContain("events[1].name");
      }
      // Nothing of a refused batch is kept.
      const events = await api.json<{ data: { name: string }[] }>("/v1/events?name=sec/ok");
      expect(events.body.data).toEqual([]);
    });

    it("refuses them on POST /v1/events and from the SDK's send()", async () => {
      const rest = await api.json<{ code: string }>("/v1/events", {
        method: "POST",
        body: JSON.stringify({ name: "inngest/function.finished", data: {} }),
      });
      expect(rest.status).toBe(400);
      expect(rest.body.code).toBe("reserved_event_name");
      await expect(inngest.send({ name: "inngest/function.failed", data: {} })).rejects.toThrow(
        /reserved/,
      );
    });

    it("a forged function.finished does not resolve another run's step.invoke", async () => {
      const eventId = await runFor("sec/parent");
      const parentRun = await until(async () => {
        const [run] = await api.runsOf(eventId);
        return run?.status === "Running" ? run : undefined;
      });
      const detail = (
        await api.json<{ data: { correlation_id?: string } }>(`/v1/runs/${parentRun.run_id}`)
      ).body.data;
      // The attacker guesses the correlation id: the parent's run id and the step's id.
      const forged = await fetch(`${ingot.url}/e/${eventKey}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "inngest/function.finished",
          data: {
            correlation_id: detail.correlation_id ?? `${parentRun.run_id}.call-child`,
            result: { from: "the attacker" },
          },
        }),
      });
      expect(forged.status).toBe(400);
      // Release the real child once it waits (an event sent before that would not match).
      await until(async () => {
        const children = await api.json<{ data: { run_id: string }[] }>(
          "/v1/runs?function_id=sec-app-child&status=Running",
        );
        const childRun = children.body.data[0];
        if (!childRun) return undefined;
        const steps = await api.json<{ data: { status: string }[] }>(
          `/v1/runs/${childRun.run_id}/steps`,
        );
        return steps.body.data.some((step) => step.status === "waiting") ? true : undefined;
      });
      await inngest.send({ name: "sec/release" });
      const [done] = await api.settled(eventId);
      expect(done!.output).toEqual({ from: "the real child" });
    });
  });

  describe("finding 4: the bulk cancel cannot be forged from another origin", () => {
    const otherPort = () => `http://127.0.0.1:${Number(new URL(ingot.url).port) + 1}`;

    async function signIn(): Promise<string> {
      const response = await fetch(`${ingot.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ingot.url },
        body: JSON.stringify({ token: dashboardToken }),
      });
      expect(response.status).toBe(200);
      return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
    }

    async function activeRuns(): Promise<number> {
      const page = await api.json<{ data: unknown[] }>("/v1/runs?status=Running,Queued&limit=500");
      return page.body.data.length;
    }

    it("a signed-in browser's cookie does not cancel runs from a page on another port", async () => {
      for (let i = 0; i < 3; i += 1) await runFor("sec/wait");
      await until(async () => ((await activeRuns()) >= 3 ? true : undefined));
      const before = await activeRuns();
      const cookie = await signIn();
      const attempts: { headers: Record<string, string>; body: BodyInit }[] = [
        // the review's payloads: text/plain from another port, and invalid UTF-8
        { headers: { "content-type": "text/plain", origin: otherPort() }, body: '{"x":"="}' },
        {
          headers: { "content-type": "text/plain", origin: otherPort() },
          body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
        },
        // the same from a JSON request of another origin, and with no Origin at all
        { headers: { "content-type": "application/json", origin: otherPort() }, body: "{}" },
        { headers: { "content-type": "text/plain" }, body: '{"x":"="}' },
        // same origin but not JSON
        { headers: { "content-type": "text/plain", origin: ingot.url }, body: '{"all":true}' },
      ];
      for (const attempt of attempts) {
        const response = await fetch(`${ingot.url}/v1/runs/cancel`, {
          method: "POST",
          headers: { cookie, ...attempt.headers },
          body: attempt.body,
        });
        expect([403, 415]).toContain(response.status);
      }
      expect(await activeRuns()).toBe(before);
    });

    it("bulk actions refuse unknown keys, invalid UTF-8 and an empty selection", async () => {
      const before = await activeRuns();
      const cookie = await signIn();
      const post = (body: BodyInit) =>
        fetch(`${ingot.url}/v1/runs/cancel`, {
          method: "POST",
          headers: { cookie, origin: ingot.url, "content-type": "application/json" },
          body,
        });
      const unknown = await post('{"x":"="}');
      expect(unknown.status).toBe(400);
      expect(await unknown.text()).toContain("x");
      expect((await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).status).toBe(400);
      const empty = await post("{}");
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { error: string }).error).toContain('"all": true');
      expect((await post('{"status": []}')).status).toBe(400);
      expect(await activeRuns()).toBe(before);
      // The legitimate request of the dashboard still works.
      const ok = await post(
        JSON.stringify({ function_id: "sec-app-waiter", status: ["Running", "Queued"] }),
      );
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { data: { cancelled: number } }).data.cancelled).toBe(before);
    });

    it("dev-style cross-origin writes are refused even with the bearer key absent", async () => {
      const response = await fetch(`${ingot.url}/v1/runs/cancel`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: "http://evil.example" },
        body: '{"all":true}',
      });
      expect(response.status).toBe(403);
    });
  });

  describe("finding 6: sessions", () => {
    it("a cookie stops working after logout, even when replayed", async () => {
      const login = await fetch(`${ingot.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ingot.url },
        body: JSON.stringify({ token: dashboardToken }),
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
      const runs = () => fetch(`${ingot.url}/v1/runs`, { headers: { cookie } });
      expect((await runs()).status).toBe(200);
      const logout = await fetch(`${ingot.url}/auth/logout`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: ingot.url },
        body: "{}",
      });
      expect(logout.status).toBe(200);
      expect((await runs()).status).toBe(401);
    });

    it("throttles wrong tokens per client: 429 with Retry-After, even for the right token", async () => {
      const attempt = (token: string) =>
        fetch(`${ingot.url}/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: ingot.url },
          body: JSON.stringify({ token }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await attempt(`wrong-${i}`)).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const locked = await attempt(dashboardToken);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
