/**
 * The HTTP interface through the front door (inject), over a real Aggregator with an in-memory SQLite store and a
 * test clock (test-support/app.ts). Check results are fed to the engine directly: the checks themselves are tested in
 * checks/run.integration.test.ts, the scheduler in engine/scheduler.test.ts and the alert webhook in
 * alerts/webhook.test.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it, vi } from "vitest";
import { missingToolMessage, toolPaths } from "../../stack/index.js";
import { healthSchema } from "./api/schemas.js";
import { settingsFromEnv } from "./config.js";
import { statusSchema } from "./read-models/schemas.js";
import { buildTestApp, metricsToken } from "./test-support/app.js";

describe("health aggregator HTTP interface", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const build = (readCacheMs = 0) => buildTestApp(cleanups, readCacheMs);

  it("answers /health in the HealthCheckResponse shape", async () => {
    const { app, clock } = build();
    await app.ready();
    clock.advance(42_000);
    const response = await app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: "healthy",
      timestamp: "2026-11-27T10:00:42.000Z",
      uptime: 42,
      version: "0.1.0",
      dependencies: { database: { status: "healthy", responseTime: expect.any(Number) as number } },
      metrics: { requestsPerMinute: 0, errorRate: 0, avgResponseTime: 0 },
    });
  });

  it("reports itself and its database unhealthy when the database cannot be written", async () => {
    const { app, aggregator } = build();
    vi.spyOn(aggregator.store, "flush").mockImplementation(() => {
      throw new Error("SQLITE_IOERR: disk I/O error");
    });
    const body = (await app.inject({ method: "GET", url: "/health" })).json<{
      status: string;
      dependencies: { database: { status: string } };
    }>();
    expect(body.status).toBe("unhealthy");
    expect(body.dependencies.database.status).toBe("unhealthy");
  });

  it("serves /health from memory: one body per second of the clock, valid against its schema", async () => {
    const { app, clock } = build();
    const validate = new Ajv({ strict: false }).compile(healthSchema);
    const first = await app.inject({ method: "GET", url: "/health" });
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(validate(first.json())).toBe(true);
    expect((await app.inject({ method: "GET", url: "/health" })).body).toBe(first.body);
    clock.advance(1_000);
    const next = await app.inject({ method: "GET", url: "/health" });
    expect(next.json<{ timestamp: string }>().timestamp).toBe("2026-11-27T10:00:01.000Z");
  });

  it("counts requests of the last minute in the health metrics", async () => {
    const { app } = build();
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
      const { app } = build();
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
    const { app, feed, aggregator } = build();
    feed("automatrix", "healthy");
    feed("relaycore", "healthy", "primary");
    feed("relaycore", "healthy", "secondary");
    feed("relaycore", "unhealthy", "primary");
    aggregator.engine.refreshAvailability();
    const response = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(response.statusCode).toBe(200);
    for (const name of [
      "lookout_target_up",
      "lookout_target_status",
      "lookout_checks_total",
      "lookout_check_duration_seconds",
      "lookout_check_lag_seconds",
      "lookout_incidents_open",
      "lookout_failovers_total",
      "lookout_alert_notifications_received_total",
    ]) {
      expect(response.body).toContain(`# TYPE ${name} `);
    }
    expect(response.body).toContain('lookout_target_up{target="automatrix",system="AutoMatrix"} 1');
    expect(response.body).toContain('lookout_failovers_total{target="relaycore"} 1');
    const { promtool } = toolPaths();
    if (!existsSync(promtool)) throw new Error(missingToolMessage("promtool", promtool));
    const check = spawnSync(promtool, ["check", "metrics"], { input: response.body, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe("");
    expect(check.status).toBe(0);
  });

  it("needs N failures to go down and M successes to recover", async () => {
    const { app, feed, clock } = build();
    const status = async () =>
      (await app.inject({ url: "/api/v1/status" }))
        .json<{ targets: { id: string; status: string }[] }>()
        .targets.find((t) => t.id === "neuroweaver")!.status;
    expect(await status()).toBe("unknown");
    feed("neuroweaver", "healthy");
    expect(await status()).toBe("healthy");
    clock.advance(15_000);
    feed("neuroweaver", "unhealthy", "main", { error: "connection refused" });
    expect(await status()).toBe("healthy"); // one blip is not an outage
    clock.advance(15_000);
    feed("neuroweaver", "unhealthy", "main", { error: "connection refused" });
    expect(await status()).toBe("unhealthy");
    clock.advance(15_000);
    feed("neuroweaver", "healthy");
    expect(await status()).toBe("unhealthy");
    clock.advance(15_000);
    feed("neuroweaver", "healthy");
    expect(await status()).toBe("healthy");
  });

  it("names the deepest unhealthy dependency as the root cause", async () => {
    const { app, feed, clock } = build();
    for (let i = 0; i < 2; i++) {
      feed("automatrix", "unhealthy");
      feed("relaycore", "unhealthy", "primary");
      feed("relaycore", "unhealthy", "secondary");
      feed("neuroweaver", "unhealthy");
      clock.advance(15_000);
    }
    const { targets } = (await app.inject({ url: "/api/v1/status" })).json<{
      targets: { id: string; rootCause?: string }[];
    }>();
    expect(targets.filter((t) => t.rootCause).map((t) => [t.id, t.rootCause])).toEqual([
      ["automatrix", "neuroweaver"],
      ["relaycore", "neuroweaver"],
      ["neuroweaver", "neuroweaver"],
    ]);
    const { incidents } = (await app.inject({ url: "/api/v1/incidents?state=open" })).json<{
      incidents: { targetId: string; rootCause: string; affected: string[] }[];
    }>();
    expect(incidents).toHaveLength(3);
    expect(new Set(incidents.map((i) => i.rootCause))).toEqual(new Set(["neuroweaver"]));
    expect(incidents[0]!.affected.sort()).toEqual(["automatrix", "neuroweaver", "relaycore"]);
    // Recovery closes them.
    for (let i = 0; i < 2; i++) {
      for (const id of ["automatrix", "neuroweaver"]) feed(id, "healthy");
      feed("relaycore", "healthy", "primary");
      clock.advance(15_000);
    }
    expect(
      (await app.inject({ url: "/api/v1/incidents?state=open" })).json<{ incidents: unknown[] }>().incidents,
    ).toEqual([]);
    expect(
      (await app.inject({ url: "/api/v1/incidents" }))
        .json<{ incidents: { endedAt: string | null }[] }>()
        .incidents.every((i) => i.endedAt !== null),
    ).toBe(true);
  });

  it("answers /api/v1/status in the shape its schema declares", async () => {
    const { app, feed } = build();
    feed("automatrix", "healthy", "main", { dependencies: { database: { status: "healthy", responseTime: 2 } } });
    feed("relaycore", "unhealthy", "primary", { error: "HTTP 503" });
    const response = await app.inject({ url: "/api/v1/status" });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    const validate = new Ajv({ strict: false }).compile(statusSchema);
    const body: unknown = response.json();
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it("serves the status from memory for a second, then rebuilds it", async () => {
    const { app, feed, clock } = build(1_000);
    const state = async () =>
      (await app.inject({ url: "/api/v1/status" }))
        .json<{ targets: { id: string; status: string }[] }>()
        .targets.find((t) => t.id === "neuroweaver")!.status;
    expect(await state()).toBe("unknown");
    feed("neuroweaver", "healthy");
    expect(await state()).toBe("unknown");
    clock.advance(1_000);
    expect(await state()).toBe("healthy");
  });

  it("reports a failover: primary down, secondary serving, the target degraded", async () => {
    const { app, feed, aggregator } = build();
    feed("relaycore", "healthy", "primary");
    feed("relaycore", "healthy", "secondary");
    feed("relaycore", "unhealthy", "primary");
    const target = (await app.inject({ url: "/api/v1/status" }))
      .json<{ targets: { id: string; status: string; serving: string }[] }>()
      .targets.find((t) => t.id === "relaycore")!;
    expect(target).toMatchObject({ status: "degraded", serving: "secondary" });
    expect(aggregator.store.failovers.list("relaycore")).toHaveLength(1);
  });

  it("serves history for a window and refuses what it does not know", async () => {
    const { app, feed, clock } = build();
    for (let i = 0; i < 240; i++) {
      feed("automatrix", i >= 120 && i < 180 ? "unhealthy" : "healthy");
      clock.advance(15_000);
    }
    const history = (await app.inject({ url: "/api/v1/targets/automatrix/history?window=24h" })).json<{
      availability: number;
      downSeconds: number;
      noDataSeconds: number;
      latency: { checks: number; p99: number };
    }>();
    // Confirmed down from the 2nd failure (i = 121) until the 2nd success (i = 181): 60 observations of 15 s.
    expect(history.downSeconds).toBe(60 * 15);
    expect(history.availability).toBeCloseTo(1 - (60 * 15) / (239 * 15), 10);
    expect(history.noDataSeconds).toBeGreaterThan(20 * 3600); // the aggregator was not checking before T0
    // Every check took 12 ms, in the 10–25 ms bucket: p99 is interpolated inside it, like histogram_quantile.
    expect(history.latency.checks).toBe(240);
    expect(history.latency.p99).toBeCloseTo(10 + 15 * 0.99, 10);

    expect((await app.inject({ url: "/api/v1/targets/ghost/history" })).statusCode).toBe(404);
    const bad = await app.inject({ url: "/api/v1/targets/automatrix/history?window=forever" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/window must be equal to one of the allowed values/);
    const injection = await app.inject({ url: "/api/v1/targets/automatrix'%20OR%201=1--/history" });
    expect(injection.statusCode).toBe(400);
    expect(injection.json<{ message: string }>().message).toMatch(/params\/id must match pattern/);
    expect((await app.inject({ url: "/api/v1/incidents?limit=0" })).statusCode).toBe(400);
  });

  it("renders the status page without internals, escaping every name", async () => {
    const { app, feed } = build();
    feed("automatrix", "healthy");
    feed("internal", "unhealthy", "main", { error: "ECONNREFUSED 127.0.0.1:1" });
    const page = await app.inject({ url: "/status" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("<main>");
    expect(page.body).toContain("AutoMatrix");
    expect(page.body).not.toContain("Internal"); // not public
    expect(page.body).not.toContain("127.0.0.1");
    expect(page.body).not.toContain("ECONNREFUSED");
    expect((page.body.match(/class="bar /g) ?? []).length).toBe(90 * 3); // one row of bars per public system
  });

  it("refuses to start without tokens", () => {
    expect(() => settingsFromEnv({})).toThrow(/LOOKOUT_METRICS_TOKEN must be set/);
    expect(() => settingsFromEnv({ LOOKOUT_METRICS_TOKEN: metricsToken })).toThrow(/LOOKOUT_ADMIN_TOKEN must be set/);
  });
});
