/**
 * Maintenance windows through the admin API's front door (inject) with real HS256 tokens, checked end to end:
 * listing by state, ending early, deleting, availability, incidents, metrics and the status page.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bearer, buildAdminApp, hs256 } from "../admin/test-support/fixture.js";
import type { Status } from "../checks/types.js";

describe("admin API", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const build = () => buildAdminApp(cleanups);

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
