/**
 * Every Lookout dashboard, built from code. `lookout dashboards build` writes them to
 * grafana-provisioning/dashboards/json/ (committed, so Grafana provisions them without Node); `lookout dashboards
 * check` and dashboards/dashboards.test.ts fail when the committed JSON and these sources disagree.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { REPO_ROOT } from "../shared/index.js";
import { aiCost } from "./ai-cost.js";
import { alerts } from "./alerts.js";
import { overview } from "./overview.js";
import { performance } from "./performance.js";
import { pipeline } from "./pipeline.js";
import { uptime } from "./uptime.js";

export { DS, SCRAPE_INTERVAL_SECONDS } from "./common.js";

/** Where Grafana's file provider (grafana-provisioning/dashboards/lookout.yml) reads the JSON from. */
export const DASHBOARD_DIR = join(REPO_ROOT, "grafana-provisioning", "dashboards", "json");

/** File name → dashboard. */
export function buildDashboards(): Map<string, Dashboard> {
  const built = [overview(), performance(), aiCost(), uptime(), alerts(), pipeline()];
  return new Map(built.map((d) => [`${d.uid}.json`, d]));
}

/** The JSON text written for a dashboard: stable key order as built, two-space indent, trailing newline. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** Writes every dashboard's JSON into dir; returns the files written. */
export function writeDashboards(dir = DASHBOARD_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, dashboard] of buildDashboards()) {
    writeFileSync(join(dir, file), dashboardJson(dashboard));
    written.push(join(dir, file));
  }
  return written;
}

/** Differences between the sources and the JSON in dir: files missing, stale or not built from any source. */
export function dashboardDrift(dir = DASHBOARD_DIR): string[] {
  const problems: string[] = [];
  const expected = buildDashboards();
  for (const [file, dashboard] of expected) {
    const path = join(dir, file);
    if (!existsSync(path)) problems.push(`${path}: missing (run \`lookout dashboards build\`)`);
    else if (readFileSync(path, "utf8") !== dashboardJson(dashboard))
      problems.push(
        `${path}: differs from dashboards/${file.replace(/^lookout-|\.json$/g, "")} source (run \`lookout dashboards build\`)`,
      );
  }
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    if (file.endsWith(".json") && !expected.has(file))
      problems.push(`${join(dir, file)}: no dashboard source builds this file (delete it, or add its source)`);
  }
  return problems;
}
