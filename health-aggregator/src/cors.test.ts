/**
 * CORS through the front door: only the configured origins get `Access-Control-Allow-Origin` (on replies, errors and
 * preflights, which allow the Authorization header), any other origin gets none, none is allowed by default, and a
 * reload changes the list. The browser's side of it is in api-client/example/dashboard.browser.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Aggregator } from "./aggregator.js";
import { buildApp } from "./app.js";
import { settingsFromEnv } from "./config.js";
import { parseConfig } from "./config/load.js";
import { ManualClock } from "./engine/manual-clock.js";

const DASHBOARD = "https://dash.example.com";
const targets = `
targets:
  - { id: relaycore, instances: [{ name: main, http: { url: "http://127.0.0.1:8002/health" } }] }
`;
const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: "m".repeat(20), LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });

describe("CORS", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function appWith(config: string) {
    const aggregator = new Aggregator({
      config: parseConfig(`${config}${targets}`, "c.yml", {}),
      dataDir: ":memory:",
      clock: new ManualClock(0),
    });
    const app = buildApp({ settings, aggregator });
    cleanups.push(async () => {
      await app.close();
      await aggregator.close();
    });
    return { app, aggregator };
  }

  const preflight = (origin: string, url = "/api/v1/status") => ({
    method: "OPTIONS" as const,
    url,
    headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });

  it("allows no origin by default", async () => {
    const { app } = appWith("");
    const reply = await app.inject({ url: "/api/v1/status", headers: { origin: DASHBOARD } });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    const pre = await app.inject(preflight(DASHBOARD));
    expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
    expect(pre.headers["access-control-allow-headers"]).toBeUndefined();
  });

  it("answers a configured origin's requests and preflights, allowing the Authorization header", async () => {
    const { app } = appWith(`cors: { origins: ["${DASHBOARD}", "http://127.0.0.1:3000"] }\n`);
    const reply = await app.inject({ url: "/api/v1/status", headers: { origin: DASHBOARD } });
    expect(reply.headers["access-control-allow-origin"]).toBe(DASHBOARD);
    // Caches must not hand one origin's answer to another.
    expect(reply.headers.vary).toMatch(/\bOrigin\b/i);
    // Bearer tokens, no cookies: never Allow-Credentials.
    expect(reply.headers["access-control-allow-credentials"]).toBeUndefined();

    const pre = await app.inject(preflight(DASHBOARD, "/metrics"));
    expect(pre.statusCode).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe(DASHBOARD);
    expect(String(pre.headers["access-control-allow-headers"]).toLowerCase().split(/,\s*/)).toContain("authorization");
    expect(String(pre.headers["access-control-allow-methods"]).split(/,\s*/)).toEqual(
      expect.arrayContaining(["GET", "POST", "DELETE"]),
    );
    expect(pre.headers["access-control-allow-credentials"]).toBeUndefined();

    // A refused token is readable by the page, with the reason in WWW-Authenticate.
    const refused = await app.inject({ url: "/metrics", headers: { origin: DASHBOARD } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["access-control-allow-origin"]).toBe(DASHBOARD);
    expect(refused.headers["access-control-expose-headers"]).toMatch(/WWW-Authenticate/i);
  });

  it("gives any other origin nothing, however close its name", async () => {
    const { app } = appWith(`cors: { origins: ["${DASHBOARD}"] }\n`);
    for (const origin of ["https://evil.example.com", "http://dash.example.com", "https://dash.example.com:8443"]) {
      const reply = await app.inject({ url: "/api/v1/status", headers: { origin } });
      expect(reply.headers["access-control-allow-origin"], origin).toBeUndefined();
      const pre = await app.inject(preflight(origin));
      expect(pre.headers["access-control-allow-origin"], origin).toBeUndefined();
    }
  });

  it("follows a reload", async () => {
    const { app, aggregator } = appWith("");
    aggregator.reload(parseConfig(`cors: { origins: ["${DASHBOARD}"] }\n${targets}`, "c.yml", {}));
    const reply = await app.inject({ url: "/api/v1/status", headers: { origin: DASHBOARD } });
    expect(reply.headers["access-control-allow-origin"]).toBe(DASHBOARD);
  });
});
