import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngotServer, type IngotServer, resolveConfig } from "@ingot/server";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../packages/server/src/logger.js";

/** Finding 6: dashboard sessions — expiry, the Secure flag behind a proxy, per-client throttling. */

const SIGNING_KEY = `signkey-test-${"5a".repeat(32)}`;
const TOKEN = "a-dashboard-token-of-some-length";
const servers: IngotServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

function server(options: { trustProxy?: boolean; now?: () => number } = {}): IngotServer {
  const config = resolveConfig(
    "start",
    {
      dataDir: mkdtempSync(join(tmpdir(), "ingot-sec-sessions-")),
      signingKey: SIGNING_KEY,
      eventKeys: ["evt-0123456789abcdef"],
      dashboardToken: TOKEN,
      trustProxy: options.trustProxy ?? false,
    },
    {},
  );
  const created = createIngotServer(config, {
    logger: silentLogger(),
    ...(options.now ? { clock: { now: options.now } } : {}),
  });
  servers.push(created);
  return created;
}

function login(
  s: IngotServer,
  options: { url?: string; token?: string; headers?: Record<string, string> } = {},
) {
  const url = options.url ?? "http://ingot.internal/auth/login";
  return s.app.request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: new URL(url).origin,
      ...options.headers,
    },
    body: JSON.stringify({ token: options.token ?? TOKEN }),
  });
}

const cookieOf = (response: Response) => response.headers.get("set-cookie") ?? "";

describe("dashboard sessions", () => {
  it("the cookie is Secure when the client came over HTTPS", async () => {
    const direct = await login(server(), { url: "https://ingot.example/auth/login" });
    expect(direct.status).toBe(200);
    expect(cookieOf(direct)).toMatch(/; Secure/);
  });

  it("believes X-Forwarded-Proto only with --trust-proxy", async () => {
    const forwarded = { "x-forwarded-proto": "https" };
    const untrusted = await login(server(), { headers: forwarded });
    expect(untrusted.status).toBe(200);
    expect(cookieOf(untrusted)).not.toMatch(/Secure/);
    const trusted = await login(server({ trustProxy: true }), { headers: forwarded });
    expect(cookieOf(trusted)).toMatch(/; Secure/);
    expect(cookieOf(trusted)).toMatch(/HttpOnly/);
    expect(cookieOf(trusted)).toMatch(/SameSite=Strict/);
  });

  it("expires 12 hours after sign-in", async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = server({ now: () => now });
    const cookie = cookieOf(await login(s)).split(";")[0]!;
    const runs = () => s.app.request("/v1/runs", { headers: { cookie } });
    expect((await runs()).status).toBe(200);
    now += 12 * 3_600_000 - 1;
    expect((await runs()).status).toBe(200);
    now += 1;
    expect((await runs()).status).toBe(401);
  });

  it("throttles per client: behind a trusted proxy, the address the proxy saw", async () => {
    const s = server({ trustProxy: true });
    const from = (client: string, token = "wrong-token-guess") =>
      login(s, { token, headers: { "x-forwarded-for": client } });
    for (let i = 0; i < 10; i += 1) expect((await from("203.0.113.7")).status).toBe(401);
    const limited = await from("203.0.113.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // A forged first entry does not make a new client: the proxy appends what it saw.
    expect((await from("1.2.3.4, 203.0.113.7")).status).toBe(429);
    // Another client is not affected.
    expect((await from("198.51.100.9", TOKEN)).status).toBe(200);
  });

  it("the throttle window passes", async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = server({ now: () => now });
    for (let i = 0; i < 10; i += 1) await login(s, { token: "wrong-token-guess" });
    expect((await login(s)).status).toBe(429);
    now += 5 * 60_000 + 1;
    expect((await login(s)).status).toBe(200);
  });

  it("sign-in needs a same-origin JSON request", async () => {
    const s = server();
    const form = await s.app.request("http://ingot.internal/auth/login", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "http://ingot.internal" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(form.status).toBe(415);
    const foreign = await s.app.request("http://ingot.internal/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://ingot.internal:8080" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(foreign.status).toBe(403);
  });
});
