// The sentinel's HTTP API through the front door (Fastify inject): tokens, malformed bodies, /health, /metrics.
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../health-aggregator/index.js";
import { createSentinel } from "./service.js";
import type { Message } from "./notify.js";
import type { SentinelConfig } from "./types.js";

const config: SentinelConfig = {
  name: "test-sentinel",
  listen: { host: "127.0.0.1", port: 0 },
  heartbeat: { intervalMs: 60_000, graceMs: 30_000, alertname: "Watchdog", token: "hb-token" },
  probe: undefined,
  notify: { withinMs: 30_000, renotifyMs: 3_600_000, receivers: [{ kind: "chat", name: "chat", url: "http://c" }] },
  metricsToken: "m-token",
};
const sent: Message[] = [];
const clock = new ManualClock(1_700_000_000_000);
const sentinel = createSentinel(config, { clock, send: (_r, m) => Promise.resolve(void sent.push(m)) });
afterAll(() => sentinel.close());

const watchdog = (status: "firing" | "resolved", alertname = "Watchdog") => ({
  version: "4",
  status,
  receiver: "lookout-sentinel",
  alerts: [{ status, labels: { alertname, severity: "none" }, startsAt: "2026-01-01T00:00:00Z" }],
});
const beat = (body: unknown, token: string | null = "hb-token", contentType = "application/json") =>
  sentinel.app.inject({
    method: "POST",
    url: "/api/v1/heartbeat",
    headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /api/v1/heartbeat", () => {
  it("accepts the Watchdog with the token", async () => {
    const response = await beat(watchdog("firing"));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ firing: true });
  });

  it.each([
    ["no token", null],
    ["a wrong token", "nope"],
  ])("refuses %s with 401, before reading the body", async (_what, token) => {
    const response = await beat("{not json", token);
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  it.each([
    ["invalid JSON", "{not json", /JSON/],
    ["no alerts", { status: "firing" }, /body must have required property 'alerts'/],
    ["alerts not a list", { status: "firing", alerts: {} }, /body\/alerts must be array/],
    [
      "an alert without labels",
      { status: "firing", alerts: [{ status: "firing" }] },
      /body\/alerts\/0 must have required property 'labels'/,
    ],
    [
      "an unknown status",
      { status: "firing", alerts: [{ status: "on", labels: { alertname: "Watchdog" } }] },
      /body\/alerts\/0\/status must be equal to one of the allowed values/,
    ],
    [
      "another alert than the Watchdog",
      watchdog("firing", "ServiceDown"),
      /no alert named "Watchdog" \(found "ServiceDown"\)/,
    ],
  ])("refuses %s with 400 naming what was wrong", async (_what, body, message) => {
    const response = await beat(body);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(message);
  });

  it("takes a resolved Watchdog as a missed heartbeat: notifies at once", async () => {
    expect((await beat(watchdog("resolved"))).json()).toEqual({ firing: false });
    await sentinel.idle();
    expect(sent.map((m) => m.subject)).toEqual([
      "[FIRING] test-sentinel: the Watchdog heartbeat from Alertmanager is missing",
    ]);
    expect((await sentinel.app.inject({ url: "/health" })).json()).toMatchObject({ checks: { heartbeat: "down" } });
    await beat(watchdog("firing"));
    await sentinel.idle();
    expect(sent.map((m) => m.json.status)).toEqual(["firing", "resolved"]);
  });
});

describe("GET /metrics", () => {
  it("needs its own token", async () => {
    expect((await sentinel.app.inject({ url: "/metrics" })).statusCode).toBe(401);
    expect(
      (await sentinel.app.inject({ url: "/metrics", headers: { authorization: "Bearer hb-token" } })).statusCode,
    ).toBe(401);
  });

  it("exports heartbeats, rejections, notifications and each check's state", async () => {
    const response = await sentinel.app.inject({ url: "/metrics", headers: { authorization: "Bearer m-token" } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('lookout_sentinel_check_up{check="heartbeat"} 1');
    expect(response.body).toContain('lookout_sentinel_heartbeats_total{status="resolved"} 1');
    expect(response.body).toMatch(/lookout_sentinel_heartbeats_rejected_total\{reason="unauthorized"\} 2/);
    expect(response.body).toMatch(/lookout_sentinel_heartbeats_rejected_total\{reason="malformed"\} 6/);
    expect(response.body).toContain(
      'lookout_sentinel_notifications_total{receiver="chat",status="firing",result="sent"} 1',
    );
  });
});
