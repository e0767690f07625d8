/**
 * JWT verification for the admin API (jose). Two key sources, either or both:
 * - an HS256 shared secret, read from a file or an environment variable named in config (never from the config
 *   itself), for the native stack and `lookout admin token`;
 * - a JWKS URL of an identity provider — the same one Grafana's `[auth.jwt] jwk_set_url` points at — for RS256,
 *   ES256, PS256 or EdDSA tokens. Keys are fetched on demand and cached by jose (re-fetched for an unknown `kid`).
 * Every token must carry the configured issuer and audience and be within its validity, give or take the clock skew.
 * Writes also need the configured claim (e.g. `scope` containing `lookout:admin`, or `roles` listing it).
 */
import { readFileSync } from "node:fs";
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import { LookoutError } from "../../../shared/index.js";
import type { JwtConfig } from "../config/load.js";

export interface AdminIdentity {
  /** The token's `sub` (or "unknown"): recorded as who created a window or silence. */
  subject: string;
  canWrite: boolean;
}

/** Why a token was refused; the message is safe to return to the caller. */
export class TokenError extends Error {}

const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"] as const;

/** Reads the HS256 secret named by the config; errors name the config location. */
function readSecret(config: JwtConfig, env: NodeJS.ProcessEnv): Uint8Array | undefined {
  let secret: string | undefined;
  if (config.hs256SecretFile) {
    try {
      secret = readFileSync(config.hs256SecretFile, "utf8").trim();
    } catch (error) {
      throw new LookoutError(
        "LOOKOUT_ERR_CONFIG",
        `${config.location}: /admin/jwt/hs256_secret_file: cannot read ${config.hs256SecretFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  } else if (config.hs256SecretEnv) {
    secret = env[config.hs256SecretEnv]?.trim();
    if (!secret) {
      throw new LookoutError(
        "LOOKOUT_ERR_CONFIG",
        `${config.location}: /admin/jwt/hs256_secret_env: environment variable ${config.hs256SecretEnv} is not set`,
      );
    }
  }
  if (secret === undefined) return undefined;
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).
  if (Buffer.byteLength(secret) < 32) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `${config.location}: /admin/jwt: the HS256 secret is ${Buffer.byteLength(secret)} bytes; it needs at least 32`,
    );
  }
  return new TextEncoder().encode(secret);
}

function hasClaimValue(payload: JWTPayload, claim: string, value: string): boolean {
  const raw = payload[claim];
  // OAuth 2.0 `scope` is one space-separated string (RFC 8693 §4.2); role claims are usually arrays.
  if (typeof raw === "string") return raw.split(" ").includes(value);
  if (Array.isArray(raw)) return raw.includes(value);
  return false;
}

export class JwtVerifier {
  private readonly secret: Uint8Array | undefined;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly config: JwtConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.secret = readSecret(config, env);
    this.jwks = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
      : undefined;
  }

  /** Verifies a compact JWS; throws TokenError with a reason a caller may see. */
  async verify(token: string, currentDate?: Date): Promise<AdminIdentity> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new TokenError("the bearer token is not a JWT");
    }
    const options = {
      issuer: this.config.issuer,
      audience: this.config.audience,
      clockTolerance: this.config.clockSkewSeconds,
      requiredClaims: ["exp"],
      ...(currentDate ? { currentDate } : {}),
    };
    let payload: JWTPayload;
    try {
      if (alg === "HS256" && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: ["HS256"] }));
      } else if (alg !== "HS256" && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...options, algorithms: [...ASYMMETRIC] }));
      } else {
        throw new TokenError(`tokens signed with ${alg ?? "no algorithm"} are not accepted here`);
      }
    } catch (error) {
      if (error instanceof TokenError) throw error;
      throw new TokenError(reason(error));
    }
    return {
      subject: typeof payload.sub === "string" ? payload.sub.slice(0, 120) : "unknown",
      canWrite: hasClaimValue(payload, this.config.writeClaim, this.config.writeValue),
    };
  }
}

/** jose's error codes, in words a caller can act on (never the key or the token). */
function reason(error: unknown): string {
  const e = error as { code?: string; claim?: string };
  switch (e.code) {
    case "ERR_JWT_EXPIRED":
      return "the token has expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return e.claim === "aud"
        ? "the token is for another audience"
        : e.claim === "iss"
          ? "the token is from another issuer"
          : e.claim === "nbf"
            ? "the token is not valid yet"
            : `the token's "${e.claim ?? "?"}" claim is missing or invalid`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "the token's signature does not verify";
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "no key of the identity provider matches the token";
    case "ERR_JWKS_TIMEOUT":
    case "ERR_JOSE_GENERIC":
      return "the identity provider's keys could not be fetched";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "the token's algorithm is not accepted";
    default:
      return "the token is not valid";
  }
}
