/** Settings every demo service reads from its environment, once, at start. */
import { readFileSync } from "node:fs";
import { LookoutError } from "../../shared/index.js";

export interface DemoSettings {
  host: string;
  port: number;
  adminToken: string;
  /** PostgreSQL connection string to the `postgres` database; each service creates and uses its own database. */
  postgresUrl: string;
  redisUrl: string;
  version: string;
}

function required(env: NodeJS.ProcessEnv, name: string, minLength = 1): string {
  const value = env[name] ?? "";
  if (value.length < minLength) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      minLength > 1 ? `${name} must be set (at least ${minLength} characters)` : `${name} must be set`,
    );
  }
  return value;
}

export function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const port = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `${name}=${JSON.stringify(raw)} is not a port`);
  }
  return port;
}

/** Tokens a demo service may read from a file named by `<NAME>_FILE` (compose mounts its secrets as files). */
export const FILE_SECRETS = ["LOOKOUT_ADMIN_TOKEN", "LOOKOUT_METRICS_TOKEN", "LOOKOUT_OTLP_TOKEN"] as const;

function secretFile(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const path = env[variable];
  if (!path) return undefined;
  let value: string;
  try {
    value = readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `${variable}=${path}: ${(error as Error).message}`);
  }
  if (value === "") throw new LookoutError("LOOKOUT_ERR_CONFIG", `${variable}=${path}: the file is empty`);
  return value;
}

/**
 * Fills each FILE_SECRETS variable that is unset from the file its `_FILE` variable names, so secrets need not pass
 * through the environment (where `docker inspect` shows them). Call before instrument(), which reads the tokens.
 */
export function loadSecretFiles(env: NodeJS.ProcessEnv): void {
  for (const name of FILE_SECRETS) {
    const value = env[name] ? undefined : secretFile(env, `${name}_FILE`);
    if (value !== undefined) env[name] = value;
  }
}

/** url with the password read from passwordFileVariable's file, when that variable is set. */
function withPasswordFile(env: NodeJS.ProcessEnv, urlVariable: string, passwordFileVariable: string): string {
  const raw = required(env, urlVariable);
  const password = secretFile(env, passwordFileVariable);
  if (password === undefined) return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `${urlVariable} is not a URL`);
  }
  url.password = password; // percent-encoded by the setter; pg and ioredis decode it
  return url.toString();
}

export function demoSettings(env: NodeJS.ProcessEnv, portVariable: string, defaultPort: number): DemoSettings {
  return {
    host: env.LOOKOUT_DEMO_HOST ?? "127.0.0.1",
    port: portFrom(env, portVariable, defaultPort),
    adminToken: required(env, "LOOKOUT_ADMIN_TOKEN", 16),
    postgresUrl: withPasswordFile(env, "LOOKOUT_POSTGRES_URL", "LOOKOUT_POSTGRES_PASSWORD_FILE"),
    redisUrl: withPasswordFile(env, "LOOKOUT_REDIS_URL", "LOOKOUT_REDIS_PASSWORD_FILE"),
    version: "0.1.0",
  };
}

/** An upstream service's base URL (no trailing slash). */
export function upstreamUrl(env: NodeJS.ProcessEnv, name: string): string {
  return required(env, name).replace(/\/+$/, "");
}
