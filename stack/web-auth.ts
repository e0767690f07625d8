/**
 * Basic auth for the components that speak the Prometheus exporter-toolkit web configuration (`--web.config.file`):
 * Prometheus, Alertmanager, the node and PostgreSQL exporters. One user, `lookout`, whose password is the stack's
 * `web_password` secret; the file those components read holds only its bcrypt hash, written at each start (a changed
 * LOOKOUT_WEB_PASSWORD takes effect on the next start). Clients send `webAuthorization(...)`.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import bcrypt from "bcryptjs";

export const WEB_USER = "lookout";

/** bcrypt cost: the exporter toolkit caches a verified password, so only the first request of a client pays it. */
const BCRYPT_COST = 10;

/** The `Authorization` header value for WEB_USER with password. */
export function webAuthorization(password: string): string {
  return `Basic ${Buffer.from(`${WEB_USER}:${password}`).toString("base64")}`;
}

/** The exporter-toolkit web configuration (https://prometheus.io/docs/prometheus/latest/configuration/https/). */
export function webConfigYaml(password: string): string {
  const hash = bcrypt.hashSync(password, BCRYPT_COST);
  return [
    "# Written by the stack at start (stack/web-auth.ts); the password is LOOKOUT_HOME/secrets/web_password.",
    "basic_auth_users:",
    `  ${WEB_USER}: ${JSON.stringify(hash)}`,
    "",
  ].join("\n");
}

/**
 * Writes the web configuration to file, replacing it in one step: its reader never sees half a file. Mode 0600 for
 * the native stack (its components run as the stack's user); compose's renderer passes 0644, because Prometheus,
 * Alertmanager and the exporters run as other users in their containers and the file holds only a bcrypt hash.
 */
export function writeWebConfig(file: string, password: string, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, webConfigYaml(password), { mode });
  chmodSync(staging, mode);
  renameSync(staging, file);
}
