/**
 * The unauthenticated /api/v1/status leaks nothing internal unless the config says so: only public targets, and no
 * check error text (an error names what was called — an address, a connection error).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Aggregator } from "./aggregator.js";
import { buildApp } from "./app.js";
import { settingsFromEnv } from "./config.js";
import { parseConfig } from "./config/load.js";
import { ManualClock } from "./engine/manual-clock.js";

const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  LOOKOUT_ADMIN_TOKEN: "admin-token-for-tests-0123456789",
  LOOKOUT_PORT_AGGREGATOR: "0",
});

const targets = `
defaults: { interval: 15s, timeout: 5s, failures_to_down: 1, successes_to_up: 1 }
targets:
  - id: relaycore
    name: RelayCore
    system: RelayCore
    instances: [{ name: main, http: { url: "http://10.1.2.3:8002/health" } }]
  - id: prometheus
    name: Prometheus
    system: Monitoring
    public: false
    instances: [{ name: main, http: { url: "http://10.1.2.4:9090/-/ready" } }]
`;

const ERROR = "connect ECONNREFUSED 10.1.2.3:8002";

describe("the public /api/v1/status", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function statusWith(config: string) {
    const clock = new ManualClock(Date.parse("2026-12-03T10:00:00Z"));
    const aggregator = new Aggregator({ config: parseConfig(config, "t.yml", {}), dataDir: ":memory:", clock });
    const app = buildApp({ settings, aggregator });
    cleanups.push(async () => {
      await app.close();
      await aggregator.close();
    });
    for (const targetId of ["relaycore", "prometheus"]) {
      aggregator.engine.record({
        targetId,
        instance: "main",
        role: "primary",
        status: "unhealthy",
        at: clock.now(),
        durationMs: 3,
        error: ERROR,
      });
    }
    const response = await app.inject({ url: "/api/v1/status" });
    expect(response.statusCode).toBe(200);
    return response;
  }

  it("shows only public targets, without error text, by default", async () => {
    const response = await statusWith(targets);
    const body = response.json<{ targets: { id: string; status: string }[] }>();
    expect(body.targets.map((t) => [t.id, t.status])).toEqual([["relaycore", "unhealthy"]]);
    expect(response.body).not.toContain("ECONNREFUSED");
    expect(response.body).not.toContain("10.1.2.");
  });

  it("shows every target and its errors when public_status.details allows it", async () => {
    const response = await statusWith(`public_status: { details: true }\n${targets}`);
    const body = response.json<{ targets: { id: string; error?: string }[] }>();
    expect(body.targets.map((t) => t.id).sort()).toEqual(["prometheus", "relaycore"]);
    expect(body.targets.find((t) => t.id === "relaycore")?.error).toBe(ERROR);
  });
});
