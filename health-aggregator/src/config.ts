/** The aggregator's process settings, read once from the environment and validated. */
import { join } from "node:path";
import { LookoutError, REPO_ROOT } from "../../shared/index.js";

export interface AggregatorSettings {
  host: string;
  port: number;
  metricsToken: string;
  adminToken: string;
  version: string;
  /** The targets file (LOOKOUT_AGGREGATOR_CONFIG; default health-aggregator/lookout.yml). */
  configPath: string;
  /** Where uptime.db lives (LOOKOUT_AGGREGATOR_DATA_DIR). */
  dataDir: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env, version = "0.1.0"): AggregatorSettings {
  const port = Number(env.LOOKOUT_PORT_AGGREGATOR ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `LOOKOUT_PORT_AGGREGATOR=${env.LOOKOUT_PORT_AGGREGATOR} is not a port`,
    );
  }
  const metricsToken = env.LOOKOUT_METRICS_TOKEN ?? "";
  const adminToken = env.LOOKOUT_ADMIN_TOKEN ?? "";
  // Security by default: no token means the endpoints could not be protected, so refuse to start.
  if (metricsToken.length < 16) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      "LOOKOUT_METRICS_TOKEN must be set (at least 16 characters) to protect /metrics",
    );
  }
  if (adminToken.length < 16) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      "LOOKOUT_ADMIN_TOKEN must be set (at least 16 characters) to protect admin endpoints",
    );
  }
  return {
    host: env.LOOKOUT_AGGREGATOR_HOST ?? "127.0.0.1",
    port,
    metricsToken,
    adminToken,
    version,
    configPath: env.LOOKOUT_AGGREGATOR_CONFIG ?? join(REPO_ROOT, "health-aggregator", "lookout.yml"),
    dataDir: env.LOOKOUT_AGGREGATOR_DATA_DIR ?? join(process.cwd(), "data"),
  };
}
