/**
 * The admin API's silences against the real Alertmanager binary: created, listed and expired through the API, and
 * the silences a maintenance window creates for its targets, expired when it ends early.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, freePort, requireTools, spawnOnFreePort, terminate } from "../../../testkit/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import { parseConfig } from "../config/load.js";
import { adminSection, hs256, SECRET, settings, TARGETS } from "./test-support/fixture.js";

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
