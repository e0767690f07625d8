/** Settings every demo service reads from its environment, once, at start. */
import { LookoutError } from "../../stack/errors.js";

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

export function demoSettings(env: NodeJS.ProcessEnv, portVariable: string, defaultPort: number): DemoSettings {
  return {
    host: env.LOOKOUT_DEMO_HOST ?? "127.0.0.1",
    port: portFrom(env, portVariable, defaultPort),
    adminToken: required(env, "LOOKOUT_ADMIN_TOKEN", 16),
    postgresUrl: required(env, "LOOKOUT_POSTGRES_URL"),
    redisUrl: required(env, "LOOKOUT_REDIS_URL"),
    version: "0.1.0",
  };
}

/** An upstream service's base URL (no trailing slash). */
export function upstreamUrl(env: NodeJS.ProcessEnv, name: string): string {
  return required(env, name).replace(/\/+$/, "");
}
