import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "./app.js";
import { settingsFromEnv } from "./config.js";
import { missingToolMessage, toolPaths } from "../../stack/tools.js";

const metricsToken = "metrics-token-for-tests-0123456789";
const adminToken = "admin-token-for-tests-0123456789";
const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: metricsToken,
  LOOKOUT_ADMIN_TOKEN: adminToken,
  LOOKOUT_PORT_AGGREGATOR: "0",
});

describe("health aggregator app", () => {
  const apps: ReturnType<typeof buildApp>[] = [];
  const build = (now?: () => Date) => {
    const app = buildApp({ settings, now });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it("answers /health in the HealthCheckResponse shape", async () => {
    let t = Date.parse("2026-11-27T10:00:00Z");
    const app = build(() => new Date(t));
    await app.ready();
    t += 42_000;
    const response = await app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: "healthy",
      timestamp: "2026-11-27T10:00:42.000Z",
      uptime: 42,
      version: "0.1.0",
      dependencies: {},
      metrics: { requestsPerMinute: 0, errorRate: 0, avgResponseTime: 0 },
    });
  });

  it("counts requests of the last minute in the health metrics", async () => {
    const app = build();
    await app.inject({ method: "GET", url: "/metrics" }); // 401, counted
    await app.inject({ method: "GET", url: "/nope" }); // 404, counted
    const body = (await app.inject({ method: "GET", url: "/health" })).json<{
      metrics: { requestsPerMinute: number; errorRate: number };
    }>();
    expect(body.metrics.requestsPerMinute).toBe(2);
    expect(body.metrics.errorRate).toBe(0);
  });

  it.each([[undefined], ["Bearer wrong-token"], [`Basic ${metricsToken}`], [metricsToken]])(
    "refuses /metrics with Authorization %j",
    async (authorization) => {
      const app = build();
      const response = await app.inject({
        method: "GET",
        url: "/metrics",
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="metrics"');
      expect(response.body).not.toContain("lookout_");
    },
  );

  it("serves /metrics with the token, and promtool check metrics finds nothing to report", async () => {
    const app = build();
    const response = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("lookout_alert_notifications_received_total");
    const { promtool } = toolPaths();
    if (!existsSync(promtool)) throw new Error(missingToolMessage("promtool", promtool));
    const check = spawnSync(promtool, ["check", "metrics"], { input: response.body, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe("");
    expect(check.status).toBe(0);
  });

  it("takes Alertmanager notifications only with the admin token", async () => {
    const app = build();
    const payload = { status: "firing", alerts: [{ status: "firing" }, { status: "resolved" }] };
    expect((await app.inject({ method: "POST", url: "/api/v1/alerts/webhook", payload })).statusCode).toBe(401);
    const accepted = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/webhook",
      payload,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toEqual({ accepted: 2 });
    const metrics = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(metrics.body).toContain('lookout_alert_notifications_received_total{status="firing"} 1');
    expect(metrics.body).toContain('lookout_alert_notifications_received_total{status="resolved"} 1');
  });

  it.each([
    ["not JSON", "{status: firing", /JSON/i],
    ["the wrong shape", JSON.stringify({ status: "exploded", alerts: [] }), /status/],
    ["no alerts", JSON.stringify({ status: "firing" }), /alerts/],
  ])("answers 400 with a reason to a webhook body that is %s", async (_what, body, reason) => {
    const app = build();
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/webhook",
      body,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(reason);
  });

  it("refuses to start without tokens", () => {
    expect(() => settingsFromEnv({})).toThrow(/LOOKOUT_METRICS_TOKEN must be set/);
    expect(() => settingsFromEnv({ LOOKOUT_METRICS_TOKEN: metricsToken })).toThrow(/LOOKOUT_ADMIN_TOKEN must be set/);
  });
});
