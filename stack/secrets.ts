/**
 * The stack's secrets. Each comes from its environment variable when set; otherwise it is generated once, stored in
 * LOOKOUT_HOME/secrets/<name> (mode 0600) and reused, so tokens survive a restart of the stack. Nothing here is ever
 * written into the clone.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LookoutError } from "../shared/index.js";

export const SECRET_SPECS = [
  { name: "otlp_token", env: "LOOKOUT_OTLP_TOKEN", purpose: "bearer token for OTLP ingress (collector 4317/4318)" },
  { name: "metrics_token", env: "LOOKOUT_METRICS_TOKEN", purpose: "bearer token for every Lookout /metrics" },
  { name: "admin_token", env: "LOOKOUT_ADMIN_TOKEN", purpose: "bearer token for the aggregator's alert webhook" },
  {
    name: "admin_jwt_secret",
    env: "LOOKOUT_ADMIN_JWT_SECRET",
    purpose: "HS256 key of the aggregator's admin API tokens (lookout admin token)",
  },
  { name: "postgres_password", env: "LOOKOUT_POSTGRES_PASSWORD", purpose: "password of the stack's PostgreSQL user" },
  { name: "redis_password", env: "LOOKOUT_REDIS_PASSWORD", purpose: "password of the stack's Redis" },
  {
    name: "web_password",
    env: "LOOKOUT_WEB_PASSWORD",
    purpose: "password of the user lookout for Prometheus, Alertmanager and the exporters (basic auth)",
  },
  {
    name: "synthetic_password",
    env: "LOOKOUT_SYNTHETIC_PASSWORD",
    purpose: "password of the synthetic user the AutoMatrix flow signs in as",
  },
] as const;

export type SecretName = (typeof SECRET_SPECS)[number]["name"];

export interface Secret {
  readonly value: string;
  /** A file holding the value, for components that read secrets from files (Prometheus, Alertmanager). */
  readonly file: string;
  readonly source: "env" | "generated" | "stored";
}

export type Secrets = Readonly<Record<SecretName, Secret>>;

/** Loads or creates every secret under dir. */
export function loadSecrets(dir: string, env: NodeJS.ProcessEnv = process.env): Secrets {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const secrets = {} as Record<SecretName, Secret>;
  for (const spec of SECRET_SPECS) {
    const file = join(dir, spec.name);
    const fromEnv = env[spec.env];
    let value: string;
    let source: Secret["source"];
    if (fromEnv) {
      value = fromEnv.trim();
      source = "env";
    } else if (existsSync(file)) {
      value = readFileSync(file, "utf8").trim();
      source = "stored";
    } else {
      // URL-safe, so the value can sit in a DSN or header without escaping.
      value = randomBytes(24).toString("base64url");
      source = "generated";
    }
    // The file always holds the value in force, so file-reading components see the env value too.
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    secrets[spec.name] = { value, file, source };
  }
  return secrets;
}

/** HMAC-SHA256 keys shorter than the hash are refused by the redaction processor. */
const MIN_HASH_KEY_BYTES = 32;

/** The user-id hash key: from the environment, else generated once and stored with the stack's other secrets. */
export function userIdHashKey(secretsDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LOOKOUT_USER_ID_HASH_KEY?.trim();
  const file = join(secretsDir, "user_id_hash_key");
  let key: string;
  if (fromEnv) key = fromEnv;
  else if (existsSync(file)) key = readFileSync(file, "utf8").trim();
  else key = randomBytes(32).toString("hex");
  if (Buffer.byteLength(key) < MIN_HASH_KEY_BYTES) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `LOOKOUT_USER_ID_HASH_KEY must be at least ${MIN_HASH_KEY_BYTES} bytes (HMAC-SHA256 key); ` +
        `generate one with \`openssl rand -hex 32\``,
    );
  }
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
