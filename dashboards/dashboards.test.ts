/**
 * The dashboards as code: the committed JSON matches its TypeScript source, validates against the Grafana foundation
 * SDK's dashboard and panel schemas (testkit/grafana/foundation-sdk-schemas/), and uses only datasources that
 * grafana-provisioning/ defines; every panel has a description and a unit, every $variable a query uses exists. Each
 * check is also shown to fail on a broken dashboard.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../shared/index.js";
import { ALERTMANAGER_NAME } from "./alerts.js";
import { DS } from "./common.js";
import { buildDashboards, DASHBOARD_DIR, dashboardDrift, dashboardJson } from "./index.js";
import {
  panelQueries,
  panelsOf,
  variableReferences,
  variablesOf,
  interpolate,
  dashboardSchemaErrors,
} from "../testkit/index.js";

interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  jsonData?: Record<string, unknown>;
}
const provisioned = (
  parse(readFileSync(join(REPO_ROOT, "grafana-provisioning", "datasources", "lookout.yml"), "utf8")) as {
    datasources: ProvisionedDatasource[];
  }
).datasources;
const dashboards = [...buildDashboards().values()];
const committed = readdirSync(DASHBOARD_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, f), "utf8")) as unknown }));

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function copyOfJson(): string {
  const dir = mkdtempSync(join(tmpdir(), "lookout-dashboards-"));
  scratch.push(dir);
  cpSync(DASHBOARD_DIR, dir, { recursive: true });
  return dir;
}

describe("generated JSON", () => {
  it("matches the sources (run `lookout dashboards build` after changing dashboards/*.ts)", () => {
    expect(dashboardDrift()).toEqual([]);
    expect(committed.map((c) => c.file).sort()).toEqual([...buildDashboards().keys()].sort());
  });

  it("reports a changed, a missing and a stray file", () => {
    const dir = copyOfJson();
    const [first, second] = [...buildDashboards().keys()];
    writeFileSync(join(dir, first!), dashboardJson(dashboards[0]!).replace("Lookout / ", "Lookout - "));
    rmSync(join(dir, second!));
    writeFileSync(join(dir, "hand-made.json"), "{}\n");
    const problems = dashboardDrift(dir);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(new RegExp(`${first}: differs from`));
    expect(problems[1]).toMatch(new RegExp(`${second}: missing`));
    expect(problems[2]).toMatch(/hand-made\.json: no dashboard source/);
  });

  it("are the six dashboards of the issue, with unique uids and titles", () => {
    expect(dashboards.map((d) => d.title)).toEqual([
      "Lookout / Overview",
      "Lookout / Performance",
      "Lookout / AI cost",
      "Lookout / Uptime",
      "Lookout / Alerts",
      "Lookout / Pipeline",
    ]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(6);
  });
});

describe("Grafana's dashboard schema", () => {
  it.each(committed.map((c) => [c.file, c.json]))("%s validates", (_file, json) => {
    expect(dashboardSchemaErrors(json)).toEqual([]);
  });

  it("rejects what Grafana would not load, naming where", () => {
    const broken = JSON.parse(dashboardJson(dashboards[0]!)) as Record<string, unknown> & {
      panels: Record<string, unknown>[];
      templating: unknown;
    };
    delete broken.schemaVersion;
    broken.panels[1]!.gridPos = { h: 4, w: 30, x: 0, y: 0 };
    broken.panels[2]!.titel = "typo";
    broken.templating = { list: [{ type: "query" }] };
    const errors = dashboardSchemaErrors(broken);
    expect(errors).toContain("/: must have required property 'schemaVersion'");
    expect(errors).toContain("/panels/1/gridPos/w: must be <= 24");
    expect(errors.some((e) => e.startsWith("/panels/2: must NOT have additional properties (titel)"))).toBe(true);
    expect(errors).toContain("/templating/list/0: must have required property 'name'");
  });

  it("checks each panel's options against its kind's schema, and refuses a kind without one", () => {
    const broken = JSON.parse(dashboardJson(dashboards[0]!)) as { panels: Record<string, unknown>[] };
    const stat = broken.panels.findIndex((p) => p.type === "stat");
    (broken.panels[stat]!.options as Record<string, unknown>).colorMode = "rainbow";
    const other = broken.panels.findIndex((p) => p.type === "timeseries");
    broken.panels[other]!.type = "piechart";
    const errors = dashboardSchemaErrors(broken);
    expect(errors).toContain(`/panels/${stat}/options/colorMode: must be equal to one of the allowed values`);
    expect(errors).toContain(`/panels/${other}/type: no vendored schema for panel type "piechart"`);
  });
});

describe("panels", () => {
  const all = dashboards.flatMap((d) => panelsOf(d).map((p) => ({ dashboard: d.uid!, panel: p })));

  it("have unique ids per dashboard and fit the 24-column grid", () => {
    for (const d of dashboards) {
      const ids = (d.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      for (const p of d.panels ?? []) expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0)).toBeLessThanOrEqual(24);
    }
  });

  it("each have a title and a description of what they show", () => {
    for (const { dashboard, panel } of all) {
      expect(panel.title, `${dashboard} panel ${panel.id}`).toBeTruthy();
      expect(panel.description?.length ?? 0, `${dashboard} "${panel.title}"`).toBeGreaterThan(40);
    }
  });

  it("each data panel has a unit (tables and the Jaeger table show their own columns)", () => {
    for (const { dashboard, panel } of all) {
      if (panel.type === "text" || panel.datasource?.type === "jaeger") continue;
      if (panel.type === "table" && !panel.fieldConfig?.defaults.unit) {
        expect(panel.fieldConfig?.defaults.unit ?? panel.targets?.length, `${dashboard} "${panel.title}"`).toBeTruthy();
        continue;
      }
      expect(panel.fieldConfig?.defaults.unit, `${dashboard} "${panel.title}"`).toBeTruthy();
    }
  });

  it("use only datasources provisioned in grafana-provisioning/datasources/lookout.yml, by uid and type", () => {
    const byUid = new Map(provisioned.map((d) => [d.uid, d.type]));
    let used = 0;
    for (const d of dashboards) {
      for (const q of panelQueries(d)) {
        for (const t of q.targets) {
          const ds = (
            panelsOf(d)
              .find((p) => p.id === q.panelId)!
              .targets!.find((x) => (x as { refId?: string }).refId === t.refId) as {
              datasource?: { uid: string; type: string };
            }
          ).datasource ?? { uid: q.datasourceUid, type: "" };
          expect(byUid.get(ds.uid), `${d.uid} "${q.title}" uses ${ds.uid}`).toBe(ds.type || byUid.get(ds.uid));
          used++;
        }
      }
      for (const v of variablesOf(d)) if (v.datasource) expect(byUid.has(v.datasource.uid!), v.name).toBe(true);
    }
    expect(used).toBeGreaterThan(50);
    expect(Object.values(DS).map((d) => byUid.get(d.uid))).toEqual(["prometheus", "jaeger", "alertmanager"]);
  });

  it("link to Grafana's alerting pages of the provisioned Alertmanager datasource", () => {
    const am = provisioned.find((d) => d.type === "alertmanager")!;
    expect(am.name).toBe(ALERTMANAGER_NAME);
    expect(am.jsonData?.implementation).toBe("prometheus");
    const links = dashboards
      .flatMap((d) => panelQueries(d).flatMap((q) => q.links))
      .filter((l) => l.startsWith("/alerting/"));
    expect(links.length).toBeGreaterThanOrEqual(8);
    for (const l of links) expect(new URL(l, "http://grafana").searchParams.get("alertmanager")).toBe(am.name);
  });

  it("exemplars of span metrics open traces in the Jaeger datasource", () => {
    const prometheus = provisioned.find((d) => d.uid === DS.prometheus.uid)!;
    expect(prometheus.jsonData?.exemplarTraceIdDestinations).toEqual([
      { name: "trace_id", datasourceUid: DS.jaeger.uid },
    ]);
    const exemplarQueries = dashboards.flatMap((d) =>
      panelQueries(d).flatMap((q) => q.targets.filter((t) => t.kind === "prometheus" && t.exemplar)),
    );
    expect(exemplarQueries.length).toBeGreaterThan(0);
    const jaeger = provisioned.find((d) => d.uid === DS.jaeger.uid)!;
    expect((jaeger.jsonData?.tracesToMetrics as { datasourceUid: string }).datasourceUid).toBe(DS.prometheus.uid);
  });
});

describe("template variables", () => {
  it("every $variable a query, title or variable uses is defined on its dashboard", () => {
    for (const d of dashboards) {
      const defined = new Set(variablesOf(d).map((v) => v.name));
      const texts = [
        ...panelQueries(d).flatMap((q) => [
          q.title,
          ...q.targets.map((t) => (t.kind === "prometheus" ? t.expr : t.service)),
        ]),
        ...variablesOf(d).map((v) => (typeof v.query === "string" ? v.query : "")),
      ];
      for (const text of texts)
        for (const name of variableReferences(text)) expect(defined, `${d.uid}: $${name} in ${text}`).toContain(name);
    }
  });

  it("covers service, route and model", () => {
    const names = dashboards.flatMap((d) => variablesOf(d).map((v) => v.name));
    for (const name of ["service", "route", "model"]) expect(names).toContain(name);
  });

  it("finds the names a query refers to, not Grafana's built-ins", () => {
    expect(variableReferences('rate(x{a=~"$service", b="${route}", c="${model:regex}"}[$__rate_interval])')).toEqual([
      "service",
      "route",
      "model",
    ]);
  });
});

describe("the Grafana query emulator's variable formatting", () => {
  it("escapes regex syntax twice, as Grafana does, so a FastAPI route template is a valid PromQL string", () => {
    const query = interpolate(
      'rate(http_requests_total{route=~"$route"}[1m])',
      undefined,
      { route: ["/v1/workflows/{id}", "/v1/models"] },
      { route: { regex: true } },
    );
    expect(query).toBe(String.raw`rate(http_requests_total{route=~"(/v1/workflows/\\{id\\}|/v1/models)"}[1m])`);
  });
});
