/**
 * Every query of every dashboard, run the way Grafana would against the live native stack (the real Prometheus,
 * Jaeger and Alertmanager, with the demo services under the load generator, the health aggregator and its synthetic
 * flows): each variable resolved through its label_values query and each of its values substituted; each panel at the
 * dashboard's default range with its step, $__interval and $__rate_interval; exemplars; Jaeger searches; the
 * Alertmanager API behind every alerting page a panel links to. Every answer must be valid and hold data.
 *
 * One answer is legitimately empty in a healthy stack and is asserted as a successful empty list: Alertmanager's
 * silences (nobody has silenced anything).
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  setUpSuite,
  panelQueries,
  variablesOf,
  type Endpoints,
  panelDependsOn,
  type QueryRun,
  resolveVariables,
  runDashboard,
  startPartialStack,
  type PartialStack,
  eventually,
  getJson,
  jaegerEndpoint,
  requireTools,
} from "../../testkit/index.js";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildDashboards } from "../../dashboards/index.js";
import { webAuthorization } from "../../stack/index.js";

requireTools(
  "collector",
  "jaeger",
  "prometheus",
  "alertmanager",
  "nodeExporter",
  "postgresExporter",
  "redisExporter",
  "postgresBin",
  "redisServer",
);

const COMPONENTS = [
  "postgres",
  "redis",
  "jaeger",
  "prometheus",
  "alertmanager",
  "collector",
  "node-exporter",
  "postgres-exporter",
  "redis-exporter",
  "health-aggregator",
  "neuroweaver",
  "relaycore",
  "automatrix",
  "loadgen",
];

const dashboards = [...buildDashboards().values()];
let stack: PartialStack;
let endpoints: Endpoints;

/** Successful but empty answers that are right for a healthy stack. */
function legitimatelyEmpty(run: QueryRun): boolean {
  return run.kind === "alertmanager" && run.request.endsWith("/api/v2/silences");
}

const problems = (runs: QueryRun[]) =>
  runs
    .filter((r) => !r.ok || (r.items === 0 && !legitimatelyEmpty(r)))
    .map((r) => `${r.dashboard} "${r.panel}" ${r.refId} [${r.kind}] ${r.error ?? "no data"}: ${r.request}`);

async function runAll(
  dashboard: Dashboard,
  pinned: Record<string, string> = {},
  only?: Parameters<typeof runDashboard>[4],
) {
  const now = Date.now();
  const vars = await resolveVariables(dashboard, endpoints, now, pinned);
  return { vars, runs: await runDashboard(dashboard, endpoints, now, vars, only) };
}

const queryVariables = (dashboard: Dashboard) =>
  variablesOf(dashboard).filter((v) => ["query", "custom"].includes(String(v.type)));

/** Each value of each variable in turn (the others at All or their default): the queries that depend on it. */
async function perValueProblems(dashboard: Dashboard): Promise<{ failures: string[]; runs: number }> {
  const { options } = await resolveVariables(dashboard, endpoints, Date.now());
  const failures: string[] = [];
  let runs = 0;
  for (const v of queryVariables(dashboard)) {
    if ((options[v.name]?.length ?? 0) === 0) failures.push(`variable ${v.name} resolves to no value`);
    for (const value of options[v.name] ?? []) {
      const result = await runAll(
        dashboard,
        { [v.name]: value },
        { only: (p) => panelDependsOn(p, dashboard, v.name), alertmanagerLinks: false },
      );
      runs += result.runs.length;
      failures.push(...problems(result.runs).map((p) => `${v.name}=${value}: ${p}`));
    }
  }
  return { failures, runs };
}

setUpSuite(async () => {
  stack = await startPartialStack(COMPONENTS);
  const p = stack.ctx.ports;
  const webAuth = webAuthorization(stack.ctx.secrets.web_password.value);
  const jaeger = jaegerEndpoint(p.JAEGER_QUERY, stack.ctx.layout.secrets);
  endpoints = {
    prometheus: `http://127.0.0.1:${p.PROMETHEUS}`,
    jaeger: jaeger.url,
    jaegerDispatcher: jaeger.dispatcher,
    alertmanager: `http://127.0.0.1:${p.ALERTMANAGER}`,
    // As the provisioned datasources send it (basic auth, user lookout).
    authorization: { prometheus: webAuth, alertmanager: webAuth },
  };
  // Load runs until every default query has data: rates need two scrapes, the aggregator's availability refresh a
  // minute, synthetic flows a couple of scheduled runs, span metrics a flush, Jaeger a sampled trace per service.
  // A flow scheduled every 5 minutes has its first series only after its first run.
  await eventually(
    async () => {
      const pending: string[] = [];
      for (const d of dashboards)
        pending.push(...problems((await runAll(d)).runs), ...(await perValueProblems(d)).failures);
      if (pending.length > 0) throw new Error(`still without data:\n${pending.join("\n")}`);
      return true;
    },
    660_000,
    "every dashboard query returning data for every variable value",
  );
}, 1_000_000);

afterAll(async () => {
  await stack?.stop();
});

describe.each(dashboards.map((d) => [d.title!, d] as const))("%s", (_title, dashboard) => {
  it("answers every query with data at the default range and variables", async () => {
    const { runs } = await runAll(dashboard);
    expect(problems(runs)).toEqual([]);
    const queries = panelQueries(dashboard).reduce((n, p) => n + p.targets.length, 0);
    expect(runs.filter((r) => r.kind !== "alertmanager" && r.kind !== "exemplars").length).toBeGreaterThanOrEqual(
      queries,
    );
    const slowest = [...runs].sort((a, b) => b.ms - a.ms)[0];
    process.stdout.write(
      `${dashboard.uid}: ${runs.length} requests, slowest ${slowest?.ms.toFixed(0)} ms (${slowest?.panel})\n`,
    );
  });

  if (queryVariables(dashboard).length > 0) {
    it("answers every query that uses a variable with data for each of its values", async () => {
      const { failures, runs } = await perValueProblems(dashboard);
      expect(failures).toEqual([]);
      expect(runs).toBeGreaterThan(0);
    });
  }
});

describe("Alertmanager datasource", () => {
  const amHeaders = () => ({ authorization: endpoints.authorization!.alertmanager! });

  it("serves what the alerting pages show: groups with the Watchdog, receivers and routes, silences", async () => {
    const groups = await getJson<{ alerts: { labels: Record<string, string> }[] }[]>(
      `${endpoints.alertmanager}/api/v2/alerts/groups`,
      amHeaders(),
    );
    expect(groups.status).toBe(200);
    expect(groups.body.flatMap((g) => g.alerts.map((a) => a.labels.alertname))).toContain("Watchdog");
    const status = await getJson<{ config: { original: string } }>(
      `${endpoints.alertmanager}/api/v2/status`,
      amHeaders(),
    );
    expect(status.status).toBe(200);
    expect(status.body.config.original).toMatch(/receivers:/);
    expect(status.body.config.original).toMatch(/route:/);
    const silences = await getJson<unknown[]>(`${endpoints.alertmanager}/api/v2/silences`, amHeaders());
    expect(silences.status).toBe(200);
    // A healthy stack has no silences: the answer is a valid, empty list.
    expect(silences.body).toEqual([]);
  });
});
