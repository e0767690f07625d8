/**
 * The typed client against the real aggregator app listening on a port: the status and a target's history come back
 * typed from the document (the expectTypeOf lines are checked by `tsc --noEmit`), errors are typed too, and the token
 * option reaches a protected route.
 */
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { Aggregator, buildApp, ManualClock, parseConfig, settingsFromEnv } from "../health-aggregator/index.js";
import { setUpSuite } from "../testkit/index.js";
import { createLookoutClient, type HistoryReply, type LookoutClient, type TargetStatus } from "./index.js";

const CONFIG = `
defaults: { interval: 15s, timeout: 5s, failures_to_down: 1, successes_to_up: 1 }
targets:
  - { id: relaycore, name: RelayCore router, system: RelayCore, instances: [{ name: main, http: { url: "http://10.1.2.3:8002/health" } }] }
  - { id: neuroweaver, name: NeuroWeaver inference, system: NeuroWeaver, instances: [{ name: main, http: { url: "http://10.1.2.3:8003/health" } }] }
`;
const METRICS_TOKEN = "metrics-token-for-client-tests";

describe("the api-client package against the aggregator", () => {
  let baseUrl = "";
  let client: LookoutClient;
  let close = async () => {};

  setUpSuite(async () => {
    const clock = new ManualClock(Date.parse("2026-12-04T00:00:00Z"));
    const aggregator = new Aggregator({ config: parseConfig(CONFIG, "t.yml", {}), dataDir: ":memory:", clock });
    for (let i = 0; i < 8; i++) {
      for (const targetId of ["relaycore", "neuroweaver"]) {
        const down = targetId === "neuroweaver" && i >= 6;
        aggregator.engine.record({
          targetId,
          instance: "main",
          role: "primary",
          status: down ? "unhealthy" : "healthy",
          at: clock.now(),
          durationMs: 20 + i,
        });
      }
      clock.advance(15_000);
    }
    const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: METRICS_TOKEN, LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });
    const app = buildApp({ settings, aggregator });
    await app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    client = createLookoutClient({ baseUrl });
    close = async () => {
      await app.close();
      await aggregator.close();
    };
  });
  afterAll(async () => close());

  it("reads the status, typed", async () => {
    const { data, error, response } = await client.GET("/api/v1/status");
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expectTypeOf(data!.targets).toEqualTypeOf<TargetStatus[]>();
    expectTypeOf(data!.targets[0]!.status).toEqualTypeOf<"healthy" | "degraded" | "unhealthy" | "unknown">();
    const byId = new Map(data!.targets.map((t) => [t.id, t]));
    expect(byId.get("relaycore")).toMatchObject({ name: "RelayCore router", system: "RelayCore", status: "healthy" });
    expect(byId.get("neuroweaver")?.status).toBe("unhealthy");
  });

  it("reads a target's history with typed path and query parameters", async () => {
    const { data, response } = await client.GET("/api/v1/targets/{id}/history", {
      params: { path: { id: "neuroweaver" }, query: { window: "7d" } },
    });
    expect(response.status).toBe(200);
    expectTypeOf(data).toEqualTypeOf<HistoryReply | undefined>();
    expectTypeOf(data!.availability).toEqualTypeOf<number | null>();
    expect(data).toMatchObject({ targetId: "neuroweaver", window: "7d" });
    expect(data!.availability).toBeGreaterThan(0);
    expect(data!.availability).toBeLessThan(1);
    expect(data!.incidents).toHaveLength(1);
  });

  it("returns the typed error of an unknown target", async () => {
    const { data, error, response } = await client.GET("/api/v1/targets/{id}/history", {
      params: { path: { id: "nope" } },
    });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expectTypeOf(error).toEqualTypeOf<{ error: string; message: string } | undefined>();
    expect(error).toEqual({ error: "not_found", message: 'no target with id "nope"' });
  });

  it("sends the token as a bearer credential", async () => {
    const anonymous = await client.GET("/metrics", { parseAs: "text" });
    expect(anonymous.response.status).toBe(401);
    const withToken = await createLookoutClient({ baseUrl, token: METRICS_TOKEN }).GET("/metrics", { parseAs: "text" });
    expect(withToken.response.status).toBe(200);
    expect(withToken.data).toContain("lookout_");
  });
});
