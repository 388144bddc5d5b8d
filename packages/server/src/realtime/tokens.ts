import { createHmac, randomUUID } from "node:crypto";
import { ErrorCode, IngotError } from "@ingot/protocol";
import { errors, jwtVerify, SignJWT } from "jose";
import { TokenClaims, type TokenTopic } from "./schemas.js";

const ISSUER = "ingot";
/** As Inngest's: a token only has to be valid when the subscriber connects. */
export const DEFAULT_TOKEN_TTL_MS = 60_000;

/**
 * Subscription tokens: HS256 JWTs naming the channel and topics they may read, with an expiry
 * (`exp`). The HMAC key is derived from the signing key (`dev` in dev mode), so every node of a
 * cluster verifies the tokens of every other, and a token never reveals the key. Tokens made
 * with the fallback signing key still verify during a key rotation.
 */
export class RealtimeTokens {
  private readonly keys: Uint8Array[];

  constructor(
    signingKeys: readonly string[],
    private readonly now: () => number,
    private readonly ttlMs = DEFAULT_TOKEN_TTL_MS,
  ) {
    const sources = signingKeys.length > 0 ? signingKeys : ["dev"];
    this.keys = sources.map((key) => deriveKey(key));
  }

  async mint(topics: readonly TokenTopic[]): Promise<string> {
    const now = this.now();
    return new SignJWT({ topics: [...topics] })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor((now + this.ttlMs) / 1000))
      .setJti(randomUUID())
      .sign(this.keys[0]!);
  }

  /** The token's topics; `401 unauthorized` for a bad, foreign or expired token. */
  async verify(token: string | undefined): Promise<TokenClaims> {
    if (!token) {
      throw new IngotError(
        ErrorCode.Unauthorized,
        "missing subscription token; pass ?token=<jwt from POST /v1/realtime/token>",
      );
    }
    let failure: unknown;
    for (const key of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          algorithms: ["HS256"],
          requiredClaims: ["exp", "iat"],
          currentDate: new Date(this.now()),
        });
        const claims = TokenClaims.safeParse(payload);
        if (!claims.success) throw new Error("the token's claims are not a subscription token's");
        return claims.data;
      } catch (error) {
        failure = error;
        if (error instanceof errors.JWTExpired) break;
      }
    }
    throw new IngotError(ErrorCode.Unauthorized, describe(failure), { cause: failure });
  }
}

function deriveKey(signingKey: string): Uint8Array {
  return createHmac("sha256", "ingot realtime subscription token v1").update(signingKey).digest();
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    return "subscription token expired; ask for a new one (POST /v1/realtime/token) and connect within its lifetime";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "subscription token was not signed by this server (or its signing key changed); ask this server for one";
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `invalid subscription token (${reason}); expected a JWT from POST /v1/realtime/token`;
}
