import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_COOKIE, safeEqual } from "../sessions.js";
import { readJson } from "./body.js";
import type { HttpDeps } from "./context.js";

const Login = z.object({
  token: z.string({ error: 'expected {"token": "<dashboard token>"}' }).min(1),
});

/**
 * Dashboard sign-in. `ingot dev` on loopback is open; `ingot start` asks for the dashboard token
 * (`--dashboard-token`, else the signing key) and answers with an HttpOnly session cookie.
 */
export function authRoutes(app: Hono, deps: HttpDeps): void {
  const { config, sessions } = deps;
  const token = config.dashboardToken ?? config.signingKey;

  app.get("/auth/session", (c) =>
    c.json({
      mode: config.mode,
      required: config.mode === "start",
      authenticated: config.mode !== "start" || sessions.valid(getCookie(c, SESSION_COOKIE)),
    }),
  );

  app.post("/auth/login", async (c) => {
    if (config.mode !== "start") return c.json({ authenticated: true });
    const parsed = Login.safeParse(await readJson(c, 4096));
    if (!parsed.success)
      throw new IngotError(
        ErrorCode.InvalidRequest,
        parsed.error.issues[0]?.message ?? "invalid body",
      );
    if (token === undefined || !safeEqual(parsed.data.token, token)) {
      throw new IngotError(ErrorCode.Unauthorized, "wrong dashboard token");
    }
    const session = sessions.issue();
    setCookie(c, SESSION_COOKIE, session.value, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: session.maxAgeSeconds,
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.json({ authenticated: true });
  });

  app.post("/auth/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ authenticated: false });
  });
}
