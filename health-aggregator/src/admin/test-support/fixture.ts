/**
 * What the admin API's tests share: the settings, targets and admin section of their config, HS256 and unsigned
 * tokens, and an app over an in-memory aggregator with a test clock whose close is queued on the caller's cleanups.
 */
import { SignJWT } from "jose";
import { Aggregator } from "../../aggregator.js";
import { buildApp } from "../../app.js";
import type { Status } from "../../checks/types.js";
import { settingsFromEnv } from "../../config.js";
import { parseConfig } from "../../config/load.js";
import { ManualClock } from "../../engine/manual-clock.js";

export const SECRET = "an-hs256-secret-for-tests-0123456789abcdef";
export const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  LOOKOUT_ADMIN_TOKEN: "admin-token-for-tests-0123456789",
  LOOKOUT_PORT_AGGREGATOR: "0",
});

export const TARGETS = `
defaults: { interval: 15s, timeout: 5s, failures_to_down: 1, successes_to_up: 1 }
targets:
  - { id: relaycore, name: RelayCore, system: RelayCore, depends_on: [neuroweaver], instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
  - { id: neuroweaver, name: NeuroWeaver, system: NeuroWeaver, instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
  - { id: neuroweaver-db, name: NeuroWeaver DB, system: NeuroWeaver, instances: [{ name: main, tcp: { host: 127.0.0.1, port: 1 } }] }
`;

export function adminSection(extra: { jwksUrl?: string; alertmanagerUrl?: string } = {}): string {
  return `
admin:
  jwt:
    hs256_secret_env: TEST_ADMIN_JWT_SECRET
    ${extra.jwksUrl ? `jwks_url: "${extra.jwksUrl}"` : ""}
    issuer: lookout
    audience: lookout-aggregator
    clock_skew: 5s
  ${extra.alertmanagerUrl ? `alertmanager: { url: "${extra.alertmanagerUrl}" }` : ""}
`;
}

export interface Claims {
  iss?: string;
  aud?: string;
  scope?: string;
  roles?: string[];
  expiresIn?: string | number;
  sub?: string;
}

export async function hs256(claims: Claims = {}, secret = SECRET): Promise<string> {
  const { expiresIn = "5m", ...rest } = claims;
  return new SignJWT({ scope: "lookout:admin", ...rest })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(claims.iss ?? "lookout")
    .setAudience(claims.aud ?? "lookout-aggregator")
    .setSubject(claims.sub ?? "operator-7")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** An `alg: none` token with valid claims: must never be accepted. */
export function unsigned(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const exp = Math.floor(Date.now() / 1000) + 300;
  return `${part({ alg: "none" })}.${part({ iss: "lookout", aud: "lookout-aggregator", exp, scope: "lookout:admin" })}.`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function buildAdminApp(cleanups: (() => Promise<void>)[], admin = adminSection()) {
  const clock = new ManualClock(Date.now());
  const aggregator = new Aggregator({
    config: parseConfig(`${TARGETS}${admin}`, "test.yml", {}),
    dataDir: ":memory:",
    clock,
    readCacheMs: 0,
    env: { TEST_ADMIN_JWT_SECRET: SECRET },
  });
  const app = buildApp({ settings, aggregator });
  cleanups.push(async () => {
    await app.close();
    await aggregator.close();
  });
  const feed = (targetId: string, status: Status) =>
    aggregator.engine.record({
      targetId,
      instance: "main",
      role: "primary",
      status,
      at: clock.now(),
      durationMs: 12,
    });
  return { app, aggregator, clock, feed };
}
