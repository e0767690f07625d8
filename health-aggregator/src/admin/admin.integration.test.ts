/**
 * The admin API through the front door (inject), with real tokens: HS256 signed with the configured secret, and
 * RS256 signed by a key published as a JWKS by a real HTTP server on port 0 (the identity provider's role). Silences
 * go to the real Alertmanager binary; maintenance windows are checked end to end — availability, incidents,
 * metrics, the status page, and the matching Alertmanager silences.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { request } from "undici";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setUpSuite, freePort, requireTools, spawnOnFreePort, terminate } from "../../../testkit/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import type { Status } from "../checks/types.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";
import { ManualClock } from "../engine/manual-clock.js";

const SECRET = "an-hs256-secret-for-tests-0123456789abcdef";
const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  LOOKOUT_ADMIN_TOKEN: "admin-token-for-tests-0123456789",
  LOOKOUT_PORT_AGGREGATOR: "0",
});

const TARGETS = `
defaults: { interval: 15s, timeout: 5s, failures_to_down: 1, successes_to_up: 1 }
targets:
  - { id: relaycore, name: RelayCore, system: RelayCore, depends_on: [neuroweaver], instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
  - { id: neuroweaver, name: NeuroWeaver, system: NeuroWeaver, instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
  - { id: neuroweaver-db, name: NeuroWeaver DB, system: NeuroWeaver, instances: [{ name: main, tcp: { host: 127.0.0.1, port: 1 } }] }
`;

function adminSection(extra: { jwksUrl?: string; alertmanagerUrl?: string } = {}): string {
  return `
admin:
  jwt:
    hs256_secret_env: TEST_ADMIN_JWT_SECRET
    ${extra.jwksUrl ? `jwks_url: "${extra.jwksUrl}"` : ""}
    issuer: lookout
    audience: lookout-aggregator
    clock_skew: 5s
  ${extra.alertmanagerUrl ? `alertmanager: { url: "${extra.alertmanagerUrl}" }` : ""}
`;
}

interface Claims {
  iss?: string;
  aud?: string;
  scope?: string;
  roles?: string[];
  expiresIn?: string | number;
  sub?: string;
}

async function hs256(claims: Claims = {}, secret = SECRET): Promise<string> {
  const { expiresIn = "5m", ...rest } = claims;
  return new SignJWT({ scope: "lookout:admin", ...rest })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(claims.iss ?? "lookout")
    .setAudience(claims.aud ?? "lookout-aggregator")
    .setSubject(claims.sub ?? "operator-7")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("admin API", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function build(admin = adminSection()) {
    const clock = new ManualClock(Date.now());
    const aggregator = new Aggregator({
      config: parseConfig(`${TARGETS}${admin}`, "test.yml", {}),
      dataDir: ":memory:",
      clock,
      readCacheMs: 0,
      env: { TEST_ADMIN_JWT_SECRET: SECRET },
    });
    const app = buildApp({ settings, aggregator });
    cleanups.push(async () => {
      await app.close();
      await aggregator.close();
    });
    const feed = (targetId: string, status: Status) =>
      aggregator.engine.record({
        targetId,
        instance: "main",
        role: "primary",
        status,
        at: clock.now(),
        durationMs: 12,
      });
    return { app, aggregator, clock, feed };
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe("authentication", () => {
    it.each([
      ["no Authorization header", () => Promise.resolve(undefined), "requires an Authorization: Bearer"],
      ["a token that is not a JWT", () => Promise.resolve("Bearer not-a-jwt"), "not a JWT"],
      ["a token signed with another secret", async () => `Bearer ${await hs256({}, "x".repeat(40))}`, "signature"],
      [
        "an expired token",
        async () => `Bearer ${await hs256({ expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
        "expired",
      ],
      ["a token for another audience", async () => `Bearer ${await hs256({ aud: "grafana" })}`, "another audience"],
      ["a token from another issuer", async () => `Bearer ${await hs256({ iss: "someone-else" })}`, "another issuer"],
      ["an unsigned token", () => Promise.resolve(`Bearer ${unsigned()}`), "not accepted"],
    ])("answers 401 to %s", async (_what, header, reason) => {
      const { app } = build();
      const authorization = await header();
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/admin/maintenance",
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="lookout-admin"/);
      expect(response.json()).toEqual({ error: "unauthorized", message: expect.stringContaining(reason) as string });
    });

    it("accepts a token expired by less than the clock skew", async () => {
      const { app } = build();
      const token = await hs256({ expiresIn: Math.floor(Date.now() / 1000) - 2 });
      const response = await app.inject({ method: "GET", url: "/api/v1/admin/maintenance", headers: bearer(token) });
      expect(response.statusCode).toBe(200);
    });

    it("answers 403 to a write without the write scope, and lets it read", async () => {
      const { app } = build();
      const token = await hs256({ scope: "openid profile" });
      const read = await app.inject({ method: "GET", url: "/api/v1/admin/maintenance", headers: bearer(token) });
      expect(read.statusCode).toBe(200);
      const write = await app.inject({
        method: "POST",
        url: "/api/v1/admin/maintenance",
        headers: bearer(token),
        payload: { targets: ["relaycore"], end: new Date(Date.now() + 3_600_000).toISOString(), reason: "upgrade" },
      });
      expect(write.statusCode).toBe(403);
      expect(write.headers["www-authenticate"]).toContain('error="insufficient_scope"');
      expect(write.json<{ message: string }>().message).toContain('"lookout:admin" in the token\'s "scope" claim');
    });

    it("answers 503 when no admin.jwt is configured", async () => {
      const { app } = build("");
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/admin/maintenance",
        headers: bearer(await hs256()),
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: "admin_disabled" });
    });

    it("verifies RS256 tokens against a JWKS served over HTTP, with a roles claim", async () => {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
      let fetches = 0;
      const idp: Server = createServer((req, res) => {
        fetches++;
        res.writeHead(req.url === "/.well-known/jwks.json" ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => idp.listen(0, "127.0.0.1", () => r()));
      cleanups.push(() => new Promise((r) => idp.close(() => r())));
      const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
      const { app } = build(
        adminSection({ jwksUrl }).replace("clock_skew: 5s", "clock_skew: 5s\n    write_claim: roles"),
      );
      const sign = (roles: string[], aud = "lookout-aggregator") =>
        new SignJWT({ roles })
          .setProtectedHeader({ alg: "RS256", kid: "key-1" })
          .setIssuer("lookout")
          .setAudience(aud)
          .setSubject("idp-user-1")
          .setExpirationTime("5m")
          .sign(privateKey);
      const create = async (token: string) =>
        app.inject({
          method: "POST",
          url: "/api/v1/admin/maintenance",
          headers: bearer(token),
          payload: {
            systems: ["NeuroWeaver"],
            end: new Date(Date.now() + 3_600_000).toISOString(),
            reason: "db upgrade",
          },
        });
      const created = await create(await sign(["viewer", "lookout:admin"]));
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        state: "active",
        targets: ["neuroweaver", "neuroweaver-db"],
        systems: ["NeuroWeaver"],
        createdBy: "idp-user-1",
      });
      expect(fetches).toBeGreaterThan(0);
      expect((await create(await sign(["viewer"]))).statusCode).toBe(403);
      expect((await create(await sign(["lookout:admin"], "other"))).statusCode).toBe(401);
      // A key the JWKS does not hold: the same claims, signed by a stranger.
      const stranger = await generateKeyPair("RS256");
      const forged = await new SignJWT({ roles: ["lookout:admin"] })
        .setProtectedHeader({ alg: "RS256", kid: "key-1" })
        .setIssuer("lookout")
        .setAudience("lookout-aggregator")
        .setExpirationTime("5m")
        .sign(stranger.privateKey);
      const refused = await create(forged);
      expect(refused.statusCode).toBe(401);
      expect(refused.json<{ message: string }>().message).toContain("signature");
    });
  });

  describe("maintenance windows", () => {
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

    it("creates, lists by state, ends early and deletes windows", async () => {
      const { app, clock } = build();
      const headers = bearer(await hs256());
      const post = (payload: object) =>
        app.inject({ method: "POST", url: "/api/v1/admin/maintenance", headers, payload });
      const active = await post({ targets: ["relaycore"], end: soon(3_600_000), reason: "router upgrade" });
      expect(active.statusCode).toBe(201);
      const upcoming = await post({
        systems: ["NeuroWeaver"],
        start: soon(7_200_000),
        end: soon(10_800_000),
        reason: "database migration",
      });
      expect(upcoming.json()).toMatchObject({ state: "upcoming", targets: ["neuroweaver", "neuroweaver-db"] });
      const list = async (state: string) =>
        (await app.inject({ method: "GET", url: `/api/v1/admin/maintenance?state=${state}`, headers }))
          .json<{ windows: { id: number; reason: string }[] }>()
          .windows.map((w) => w.reason);
      expect(await list("active")).toEqual(["router upgrade"]);
      expect(await list("upcoming")).toEqual(["database migration"]);
      expect(await list("past")).toEqual([]);

      const id = active.json<{ id: number }>().id;
      expect((await app.inject({ method: "DELETE", url: `/api/v1/admin/maintenance/${id}`, headers })).statusCode).toBe(
        409,
      );
      clock.advance(60_000);
      const ended = await app.inject({ method: "POST", url: `/api/v1/admin/maintenance/${id}/end`, headers });
      expect(ended.statusCode).toBe(200);
      expect(ended.json()).toMatchObject({ state: "past", endedEarly: true, end: new Date(clock.now()).toISOString() });
      expect(await list("past")).toEqual(["router upgrade"]);
      expect(
        (await app.inject({ method: "POST", url: `/api/v1/admin/maintenance/${id}/end`, headers })).statusCode,
      ).toBe(409);

      const upcomingId = upcoming.json<{ id: number }>().id;
      const deleted = await app.inject({ method: "DELETE", url: `/api/v1/admin/maintenance/${upcomingId}`, headers });
      expect(deleted.json()).toEqual({ deleted: upcomingId });
      expect(
        (await app.inject({ method: "GET", url: `/api/v1/admin/maintenance/${upcomingId}`, headers })).statusCode,
      ).toBe(404);
    });

    it.each([
      [{ targets: ["nope"], end: "2099-01-01T00:00:00Z", reason: "x" }, 'unknown target "nope"'],
      [{ systems: ["Nope"], end: "2099-01-01T00:00:00Z", reason: "x" }, 'unknown system "Nope"'],
      [{ end: "2099-01-01T00:00:00Z", reason: "x" }, "at least one target or system"],
      [{ targets: ["relaycore"], end: "2000-01-01T00:00:00Z", reason: "x" }, "end must be after start"],
      [
        { targets: ["relaycore"], start: "2001-01-01T00:00:00Z", end: "2099-01-01T00:00:00Z", reason: "x" },
        "not be in the past",
      ],
      [{ targets: ["relaycore"], end: "tomorrow", reason: "x" }, "end"],
      [{ targets: ["relaycore"], end: "2099-01-01T00:00:00Z" }, "reason"],
    ])("refuses %j with 400", async (payload, message) => {
      const { app } = build();
      const response = await app.inject({
        method: "POST",
        url: "/api/v1/admin/maintenance",
        headers: bearer(await hs256()),
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toContain(message);
    });

    it("does not count maintenance as downtime, marks its incidents, exports it and shows it on /status", async () => {
      const { app, aggregator, clock, feed } = build();
      const headers = bearer(await hs256());
      const t0 = clock.now();
      const every15s = (minutes: number, status: (id: string) => Status) => {
        for (let i = 0; i < minutes * 4; i++) {
          for (const id of ["relaycore", "neuroweaver", "neuroweaver-db"]) feed(id, status(id));
          clock.advance(15_000);
        }
      };
      every15s(10, () => "healthy");
      const created = await app.inject({
        method: "POST",
        url: "/api/v1/admin/maintenance",
        headers,
        payload: {
          targets: ["neuroweaver"],
          end: new Date(clock.now() + 20 * 60_000).toISOString(),
          reason: "reindex",
        },
      });
      expect(created.statusCode).toBe(201);
      // The upcoming window is on the page before it starts, too.
      await app.inject({
        method: "POST",
        url: "/api/v1/admin/maintenance",
        headers,
        payload: {
          targets: ["relaycore"],
          start: new Date(clock.now() + 86_400_000).toISOString(),
          end: new Date(clock.now() + 90_000_000).toISOString(),
          reason: "router upgrade",
        },
      });
      every15s(19, (id) => (id === "neuroweaver" ? "unhealthy" : "healthy"));
      const metrics = await aggregator.metrics.registry.metrics();
      const during = (await app.inject({ method: "GET", url: "/status" })).body;
      every15s(1, (id) => (id === "neuroweaver" ? "unhealthy" : "healthy"));
      every15s(10, () => "healthy");

      const history = await app.inject({ method: "GET", url: "/api/v1/targets/neuroweaver/history?window=24h" });
      const h = history.json<{
        availability: number;
        downSeconds: number;
        maintenanceSeconds: number;
        incidents: { maintenance: boolean }[];
      }>();
      expect(h.maintenanceSeconds).toBe(20 * 60);
      expect(h.downSeconds).toBe(0);
      expect(h.availability).toBe(1);
      expect(h.incidents).toHaveLength(1);
      expect(h.incidents[0]!.maintenance).toBe(true);
      expect(aggregator.store.uptime.availability("relaycore", t0, clock.now()).maintenanceMs).toBe(0);

      expect(metrics).toContain('lookout_target_in_maintenance{target="neuroweaver"} 1');
      expect(metrics).toContain('lookout_target_in_maintenance{target="relaycore"} 0');
      expect(metrics).toContain("lookout_maintenance_windows_active 1");
      const after = await aggregator.metrics.registry.metrics();
      expect(after).toContain('lookout_target_in_maintenance{target="neuroweaver"} 0');
      expect(after).toContain("lookout_maintenance_windows_active 0");

      expect(during).toMatch(/Under maintenance<\/strong> until <time[^>]*>[^<]*<\/time>: reindex/);
      expect(during).toContain("Scheduled maintenance");
      expect(during).toContain("router upgrade");
      const page = (await app.inject({ method: "GET", url: "/status" })).body;
      expect(page).not.toContain("reindex");
      expect(page).toContain("router upgrade");
    });
  });
});

/** An `alg: none` token with valid claims: must never be accepted. */
function unsigned(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const exp = Math.floor(Date.now() / 1000) + 300;
  return `${part({ alg: "none" })}.${part({ iss: "lookout", aud: "lookout-aggregator", exp, scope: "lookout:admin" })}.`;
}

describe("silences through the real Alertmanager", () => {
  let alertmanager: ChildProcess;
  let amUrl = "";
  let dir = "";
  const cleanups: (() => Promise<void>)[] = [];

  setUpSuite(async () => {
    const tools = requireTools("alertmanager");
    dir = mkdtempSync(join(tmpdir(), "lookout-am-"));
    writeFileSync(join(dir, "alertmanager.yml"), "route: { receiver: nobody }\nreceivers: [{ name: nobody }]\n");
    const started = await spawnOnFreePort(
      tools.alertmanager,
      (port) => [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      "/-/ready",
    );
    alertmanager = started.child;
    amUrl = `http://127.0.0.1:${started.port}`;
  }, 40_000);

  afterAll(async () => {
    for (const c of cleanups.splice(0)) await c();
    // Alertmanager writes on the way out: remove its data only once it has exited.
    await terminate(alertmanager);
    rmSync(dir, { recursive: true, force: true });
  });

  function build() {
    const aggregator = new Aggregator({
      config: parseConfig(`${TARGETS}${adminSection({ alertmanagerUrl: amUrl })}`, "test.yml", {}),
      dataDir: ":memory:",
      env: { TEST_ADMIN_JWT_SECRET: SECRET },
    });
    const app = buildApp({ settings, aggregator });
    cleanups.push(async () => {
      await app.close();
      await aggregator.close();
    });
    return { app, aggregator };
  }

  async function amSilence(id: string) {
    const response = await request(`${amUrl}/api/v2/silence/${id}`);
    return (await response.body.json()) as {
      status: { state: string };
      matchers: { name: string; value: string; isRegex: boolean }[];
    };
  }

  /** Posts an alert to Alertmanager and returns the ids of the silences muting it. */
  async function silencedBy(labels: Record<string, string>): Promise<string[]> {
    await request(`${amUrl}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ labels: { alertname: "TestAlert", ...labels } }]),
    });
    const response = await request(`${amUrl}/api/v2/alerts?filter=alertname%3D%22TestAlert%22`);
    const alerts = (await response.body.json()) as {
      labels: Record<string, string>;
      status: { silencedBy: string[] };
    }[];
    const match = alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
    return match?.status.silencedBy ?? [];
  }

  it("creates, lists and expires silences", async () => {
    const { app } = build();
    const headers = { authorization: `Bearer ${await hs256()}` };
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/admin/silences",
      headers,
      payload: {
        matchers: [{ name: "alertname", value: "NoisyAlert" }],
        end: new Date(Date.now() + 3_600_000).toISOString(),
        comment: "known issue, fix deploying",
      },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect((await amSilence(id)).status.state).toBe("active");
    const listed = await app.inject({ method: "GET", url: "/api/v1/admin/silences?state=active", headers });
    expect(listed.json<{ silences: { id: string; createdBy: string }[] }>().silences).toContainEqual(
      expect.objectContaining({ id, createdBy: "lookout admin (operator-7)" }),
    );
    const expired = await app.inject({ method: "DELETE", url: `/api/v1/admin/silences/${id}`, headers });
    expect(expired.json()).toEqual({ expired: id });
    expect((await amSilence(id)).status.state).toBe("expired");
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/admin/silences",
      headers,
      payload: {
        matchers: [{ name: "x", value: "(", isRegex: true }],
        end: "2099-01-01T00:00:00Z",
        comment: "bad regex",
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain("Alertmanager answered 400");
  });

  it("silences a maintenance window's targets in Alertmanager and expires them when it ends early", async () => {
    const { app } = build();
    const headers = { authorization: `Bearer ${await hs256()}` };
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/admin/maintenance",
      headers,
      payload: {
        systems: ["NeuroWeaver"],
        end: new Date(Date.now() + 3_600_000).toISOString(),
        reason: "db failover test",
      },
    });
    expect(created.statusCode).toBe(201);
    const window = created.json<{ id: number; silenceIds: string[] }>();
    expect(window.silenceIds).toHaveLength(2);
    const silences = await Promise.all(window.silenceIds.map(amSilence));
    expect(silences.map((s) => s.matchers)).toEqual([
      [{ name: "target", value: "neuroweaver|neuroweaver-db", isRegex: true, isEqual: true }],
      [{ name: "service", value: "neuroweaver|neuroweaver-db", isRegex: true, isEqual: true }],
    ]);
    // Alertmanager itself says which alerts the silences mute.
    expect(await silencedBy({ target: "neuroweaver-db" })).toEqual([window.silenceIds[0]]);
    expect(await silencedBy({ service: "neuroweaver" })).toEqual([window.silenceIds[1]]);
    expect(await silencedBy({ target: "relaycore" })).toEqual([]);

    const ended = await app.inject({ method: "POST", url: `/api/v1/admin/maintenance/${window.id}/end`, headers });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).not.toHaveProperty("warnings");
    for (const id of window.silenceIds) expect((await amSilence(id)).status.state).toBe("expired");
  });

  it("stores no window when Alertmanager cannot be reached", async () => {
    const port = await freePort();
    const aggregator = new Aggregator({
      config: parseConfig(`${TARGETS}${adminSection({ alertmanagerUrl: `http://127.0.0.1:${port}` })}`, "test.yml", {}),
      dataDir: ":memory:",
      env: { TEST_ADMIN_JWT_SECRET: SECRET },
    });
    const app = buildApp({ settings, aggregator });
    cleanups.push(async () => {
      await app.close();
      await aggregator.close();
    });
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/admin/maintenance",
      headers: { authorization: `Bearer ${await hs256()}` },
      payload: { targets: ["relaycore"], end: new Date(Date.now() + 3_600_000).toISOString(), reason: "x" },
    });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ error: "alertmanager_unavailable" });
    expect(aggregator.maintenance.list("all")).toEqual([]);
  });
});
