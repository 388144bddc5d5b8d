import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { secretEqual } from "../security/keys.js";
import { SESSION_COOKIE } from "../security/sessions.js";
import { readJson } from "./body.js";
import type { HttpDeps } from "./context.js";
import { requireSameOriginJson } from "./request-facts.js";

const Login = z.strictObject(
  { token: z.string({ error: 'expected {"token": "<dashboard token>"}' }).min(1) },
  { error: 'expected {"token": "<dashboard token>"} and nothing else' },
);

/**
 * Dashboard sign-in. `ingot dev` is open; `ingot start` asks for the dashboard token
 * (`--dashboard-token`, else the signing key), throttles failed attempts per client and answers
 * with an HttpOnly, SameSite=Strict session cookie (`Secure` when the client came over HTTPS).
 * Logout deletes the session on the server.
 */
export function authRoutes(app: Hono, deps: HttpDeps): void {
  const { config, sessions, facts, loginThrottle } = deps;
  const token = config.dashboardToken ?? config.signingKey;

  app.get("/auth/session", async (c) =>
    c.json({
      mode: config.mode,
      required: config.mode === "start",
      authenticated:
        config.mode !== "start" || (await sessions.valid(getCookie(c, SESSION_COOKIE))),
    }),
  );

  app.post("/auth/login", async (c) => {
    if (config.mode !== "start") return c.json({ authenticated: true });
    requireSameOriginJson(c, facts);
    const client = facts.client(c);
    const wait = loginThrottle.retryAfterSeconds(client);
    if (wait > 0) {
      throw new IngotError(
        ErrorCode.TooManyRequests,
        `too many failed sign-in attempts from this client; try again in ${wait} s`,
        { details: { retryAfterSeconds: wait } },
      );
    }
    const parsed = Login.safeParse(await readJson(c, 4096, ""));
    if (!parsed.success)
      throw new IngotError(
        ErrorCode.InvalidRequest,
        parsed.error.issues[0]?.message ?? "invalid body",
      );
    if (token === undefined || !secretEqual(parsed.data.token, token)) {
      loginThrottle.failed(client);
      throw new IngotError(ErrorCode.Unauthorized, "wrong dashboard token");
    }
    loginThrottle.succeeded(client);
    const session = await sessions.issue();
    setCookie(c, SESSION_COOKIE, session.value, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: session.maxAgeSeconds,
      secure: facts.https(c),
    });
    return c.json({ authenticated: true });
  });

  app.post("/auth/logout", async (c) => {
    if (config.mode === "start") {
      requireSameOriginJson(c, facts);
      await sessions.revoke(getCookie(c, SESSION_COOKIE));
    }
    clearCookie(c, facts.https(c));
    return c.json({ authenticated: false });
  });
}

function clearCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Strict" });
}
