/**
 * `lookout admin token`: mints a short-lived HS256 JWT for the aggregator's admin API, with the issuer, audience and
 * write claim of the aggregator's config and the secret the native stack generated (LOOKOUT_HOME/secrets/
 * admin_jwt_secret, or LOOKOUT_ADMIN_JWT_SECRET). The token goes to stdout alone, for `TOKEN=$(lookout admin token)`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { parseConfig, parseDuration } from "../health-aggregator/index.js";
import { LookoutError, homeLayout, lookoutHome, REPO_ROOT } from "../shared/index.js";
import { aggregatorConfigPlaceholders, resolvePorts } from "../stack/index.js";

export interface TokenOptions {
  ttl: string;
  subject: string;
  readOnly: boolean;
  configPath?: string;
}

/** Longest lifetime a minted token may have: admin tokens are for a task, not for storing. */
const MAX_TTL_MS = 24 * 3_600_000;

export async function adminToken(options: TokenOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let ttlMs: number;
  try {
    ttlMs = parseDuration(options.ttl);
  } catch {
    throw new LookoutError("LOOKOUT_ERR_USAGE", `--ttl ${options.ttl} is not a duration such as 15m or 1h`);
  }
  if (ttlMs <= 0 || ttlMs > MAX_TTL_MS)
    throw new LookoutError("LOOKOUT_ERR_USAGE", `--ttl must be between 1s and 24h (got ${options.ttl})`);
  const file =
    options.configPath ?? env.LOOKOUT_AGGREGATOR_CONFIG ?? join(REPO_ROOT, "health-aggregator", "lookout.yml");
  // Placeholders the token does not depend on (ports, connection URLs) get harmless values.
  const placeholders = { ...aggregatorConfigPlaceholders(resolvePorts(env)), ...env };
  const jwt = parseConfig(readFileSync(file, "utf8"), file, placeholders).admin.jwt;
  if (!jwt) throw new LookoutError("LOOKOUT_ERR_CONFIG", `${file} has no admin.jwt section: the admin API is off`);
  let secret = jwt.hs256SecretEnv ? env[jwt.hs256SecretEnv]?.trim() : undefined;
  if (!secret && jwt.hs256SecretFile && existsSync(jwt.hs256SecretFile))
    secret = readFileSync(jwt.hs256SecretFile, "utf8").trim();
  const stored = join(homeLayout(lookoutHome(env)).secrets, "admin_jwt_secret");
  if (!secret && existsSync(stored)) secret = readFileSync(stored, "utf8").trim();
  if (!secret) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `no HS256 secret: set ${jwt.hs256SecretEnv ?? "LOOKOUT_ADMIN_JWT_SECRET"} or start the stack once so it generates ${stored}`,
    );
  }
  const claims: Record<string, unknown> = options.readOnly
    ? {}
    : { [jwt.writeClaim]: jwt.writeClaim === "scope" ? jwt.writeValue : [jwt.writeValue] };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000))
    .sign(new TextEncoder().encode(secret));
}
