/**
 * Alert history through the front door (inject): Alertmanager's webhook (admin token), what is kept of a
 * notification and what is dropped, the list, the status page and the metrics; malformed bodies answered 400.
 */
import { afterEach, describe, expect, it } from "vitest";
import { adminToken, buildTestApp, metricsToken } from "../test-support/app.js";

describe("alert history", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const build = () => buildTestApp(cleanups);

  it("keeps alert history from Alertmanager notifications, only with the admin token", async () => {
    const { app, clock } = build();
    const alert = (status: "firing" | "resolved", endsAt: string) => ({
      status,
      labels: {
        alertname: "ServiceDown",
        severity: "critical",
        service: "relaycore",
        instance: "10.0.0.5:8002",
        user_email: "jane@example.com",
      },
      annotations: {
        summary: "RelayCore is down",
        description: "see runbook",
        internal_url: "http://10.0.0.5:8002/health",
      },
      startsAt: "2026-11-27T09:59:30Z",
      endsAt,
      fingerprint: "a1b2c3d4e5f60718",
    });
    const post = (payload: unknown, authorization?: string) =>
      app.inject({
        method: "POST",
        url: "/api/v1/alerts/webhook",
        payload: payload as object,
        headers: authorization ? { authorization } : {},
      });
    const firing = {
      version: "4",
      status: "firing",
      receiver: "lookout-aggregator",
      alerts: [alert("firing", "0001-01-01T00:00:00Z")],
    };
    expect((await post(firing)).statusCode).toBe(401);
    const accepted = await post(firing, `Bearer ${adminToken}`);
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toEqual({ accepted: 1 });
    const open = (await app.inject({ url: "/api/v1/alerts?state=firing" })).json<{ alerts: unknown[] }>();
    expect(open.alerts).toEqual([
      {
        fingerprint: "a1b2c3d4e5f60718",
        status: "firing",
        alertname: "ServiceDown",
        severity: "critical",
        service: "relaycore",
        summary: "RelayCore is down",
        startsAt: "2026-11-27T09:59:30.000Z",
        endsAt: null,
      },
    ]);
    expect(JSON.stringify(open)).not.toMatch(/jane@example\.com|10\.0\.0\.5/);
    expect((await app.inject({ url: "/status" })).body).toContain("RelayCore is down");
    clock.advance(60_000);
    await post(
      { ...firing, status: "resolved", alerts: [alert("resolved", "2026-11-27T10:00:45Z")] },
      `Bearer ${adminToken}`,
    );
    expect((await app.inject({ url: "/api/v1/alerts?state=firing" })).json<{ alerts: unknown[] }>().alerts).toEqual([]);
    const all = (await app.inject({ url: "/api/v1/alerts" })).json<{ alerts: { status: string; endsAt: string }[] }>();
    expect(all.alerts).toMatchObject([{ status: "resolved", endsAt: "2026-11-27T10:00:45.000Z" }]);
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
    [
      "an alert without a name",
      JSON.stringify({
        status: "firing",
        alerts: [{ status: "firing", labels: {}, startsAt: "2026-11-27T10:00:00Z" }],
      }),
      /alertname/,
    ],
  ])("answers 400 with a reason to a webhook body that is %s", async (_what, body, reason) => {
    const { app } = build();
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/webhook",
      body,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(reason);
  });
});
