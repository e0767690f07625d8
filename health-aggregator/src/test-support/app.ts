/**
 * What the HTTP interface's tests share: the tokens and settings, a config of four targets (a dependency chain, a
 * target with a secondary instance, a non-public one with markup in its name), and an app over an in-memory
 * aggregator with a test clock whose close is queued on the caller's cleanups. feed() records a check result.
 */
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import type { CheckResult, Status } from "../checks/types.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";
import { ManualClock } from "../engine/manual-clock.js";

export const metricsToken = "metrics-token-for-tests-0123456789";
export const adminToken = "admin-token-for-tests-0123456789";
export const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: metricsToken,
  LOOKOUT_ADMIN_TOKEN: adminToken,
  LOOKOUT_PORT_AGGREGATOR: "0",
});

export const CONFIG = `
defaults: { interval: 15s, timeout: 5s, failures_to_down: 2, successes_to_up: 2 }
targets:
  - id: automatrix
    name: AutoMatrix
    system: AutoMatrix
    depends_on: [relaycore]
    instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }]
  - id: relaycore
    name: RelayCore
    system: RelayCore
    depends_on: [neuroweaver]
    instances:
      - { name: primary, role: primary, http: { url: "http://127.0.0.1:1/health" } }
      - { name: secondary, role: secondary, http: { url: "http://127.0.0.1:2/health" } }
  - id: neuroweaver
    name: NeuroWeaver
    system: NeuroWeaver
    instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }]
  - id: internal
    name: Internal <thing>
    system: Monitoring
    public: false
    instances: [{ name: main, tcp: { host: 127.0.0.1, port: 1 } }]
`;

export const T0 = Date.parse("2026-11-27T10:00:00Z");

export function buildTestApp(cleanups: (() => Promise<void>)[], readCacheMs = 0) {
  const clock = new ManualClock(T0);
  const aggregator = new Aggregator({
    config: parseConfig(CONFIG, "test.yml", {}),
    dataDir: ":memory:",
    clock,
    readCacheMs,
  });
  const app = buildApp({ settings, aggregator });
  cleanups.push(async () => {
    await app.close();
    await aggregator.close();
  });
  const feed = (targetId: string, status: Status, instance = "main", extra: Partial<CheckResult> = {}) =>
    aggregator.engine.record({
      targetId,
      instance,
      role: instance === "secondary" ? "secondary" : "primary",
      status,
      at: clock.now(),
      durationMs: 12,
      ...extra,
    });
  return { app, aggregator, clock, feed };
}
