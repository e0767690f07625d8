/**
 * Runs a dashboard's queries the way Grafana would, against real Prometheus, Jaeger and Alertmanager servers:
 * variables resolved with their label_values queries, every panel's queries with its range, step and interval,
 * repeated panels once per value, exemplars for exemplar-enabled queries, Jaeger trace searches through Jaeger's
 * HTTP API (the one Grafana's Jaeger plugin calls), and the Alertmanager API behind each alerting page a panel links
 * to. Used by test/dashboards/live.test.ts (every answer must be valid and hold data) and bench/dashboards.ts
 * (how long a dashboard takes to load).
 */
import type { Dashboard, VariableModel } from "@grafana/grafana-foundation-sdk/dashboard";
import {
  filterByRegex,
  interpolate,
  panelRange,
  parseLabelValues,
  queryTiming,
  type Selection,
  type VariableFormat,
} from "./grafana.js";
import { panelQueries, type PanelQueries, variableReferences, variablesOf } from "./model.js";
import { type Dispatcher, request } from "undici";

export interface Endpoints {
  prometheus: string;
  jaeger: string;
  alertmanager: string;
  /** The Authorization header each datasource sends (its basic auth in grafana-provisioning/datasources). */
  authorization?: { prometheus?: string; jaeger?: string; alertmanager?: string };
  /** TLS client settings for Jaeger (its datasource's client certificate, stack/tls.ts). */
  jaegerDispatcher?: Dispatcher;
}

function authHeaders(authorization: string | undefined): Record<string, string> {
  return authorization ? { authorization } : {};
}

export interface QueryRun {
  dashboard: string;
  panel: string;
  refId: string;
  kind: "prometheus" | "exemplars" | "jaeger" | "alertmanager";
  /** What was sent, with every variable filled in. */
  request: string;
  ok: boolean;
  /** Series, traces or objects in the answer. */
  items: number;
  error?: string;
  ms: number;
}

export interface Variables {
  values: Record<string, Selection>;
  formats: Record<string, VariableFormat>;
  /** Every value each variable can take (after its regex). */
  options: Record<string, string[]>;
}

interface GetInit {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  dispatcher?: Dispatcher;
}

async function getJson(url: string, init: GetInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await request(url, { ...init, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await response.body.text();
  try {
    return { status: response.statusCode, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.statusCode, body: text };
  }
}

async function prometheusApi(endpoints: Endpoints, path: string, params: Record<string, string>) {
  return getJson(`${endpoints.prometheus}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...authHeaders(endpoints.authorization?.prometheus),
    },
    body: new URLSearchParams(params).toString(),
  });
}

interface PromAnswer {
  status?: string;
  error?: string;
  data?: { result?: { values?: unknown[]; value?: unknown }[] } | { seriesLabels: unknown; exemplars: unknown[] }[];
}

/** Resolves variables in order; `pinned` fixes some to given values (the others take All, or their default). */
export async function resolveVariables(
  dashboard: Dashboard,
  endpoints: Endpoints,
  nowMs: number,
  pinned: Record<string, string> = {},
): Promise<Variables> {
  const range = panelRange(dashboard.time?.from ?? "now-6h", undefined, nowMs);
  const vars: Variables = { values: {}, formats: {}, options: {} };
  for (const v of variablesOf(dashboard)) {
    vars.formats[v.name] = { regex: Boolean(v.multi || v.includeAll) };
    const options = await variableOptions(v, endpoints, range, vars);
    vars.options[v.name] = options;
    const pin = pinned[v.name];
    const current = typeof v.current?.value === "string" ? v.current.value : undefined;
    if (pin !== undefined) vars.values[v.name] = v.multi || v.includeAll ? [pin] : pin;
    else if (v.includeAll) vars.values[v.name] = options;
    else if (current !== undefined && current !== "" && (options.length === 0 || options.includes(current)))
      vars.values[v.name] = current;
    else vars.values[v.name] = options[0] ?? "";
  }
  return vars;
}

async function variableOptions(
  v: VariableModel,
  endpoints: Endpoints,
  range: { fromMs: number; toMs: number },
  vars: Variables,
): Promise<string[]> {
  const type = String(v.type);
  const query = typeof v.query === "string" ? v.query : "";
  if (type === "custom")
    return query
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (type === "textbox" || type === "constant") return [query];
  if (type !== "query") throw new Error(`variable ${v.name}: type ${type} is not handled`);
  const { match, label } = parseLabelValues(interpolate(query, undefined, vars.values, vars.formats));
  const params = new URLSearchParams({
    start: String(Math.floor(range.fromMs / 1000)),
    end: String(Math.ceil(range.toMs / 1000)),
  });
  if (match) params.append("match[]", match);
  const { status, body } = await getJson(`${endpoints.prometheus}/api/v1/label/${label}/values?${params.toString()}`, {
    headers: authHeaders(endpoints.authorization?.prometheus),
  });
  const data = (body as { data?: string[] }).data;
  if (status !== 200 || !Array.isArray(data))
    throw new Error(`variable ${v.name}: ${query} → ${status} ${JSON.stringify(body)}`);
  return filterByRegex(data, v.regex);
}

/** Prometheus answers with data: range queries need at least one sample, instant ones one series. */
function promItems(body: PromAnswer): number {
  const result = (body.data as { result?: { values?: unknown[] }[] } | undefined)?.result ?? [];
  return result.filter((r) => r.values === undefined || r.values.length > 0).length;
}

/** Grafana's alerting page → the Alertmanager v2 API call behind it. */
export function alertmanagerApiFor(page: string): string {
  const path = new URL(page, "http://grafana").pathname;
  const api: Record<string, string> = {
    "/alerting/groups": "/api/v2/alerts/groups",
    "/alerting/silences": "/api/v2/silences",
    "/alerting/notifications": "/api/v2/status",
    "/alerting/routes": "/api/v2/status",
  };
  const found = api[path];
  if (!found) throw new Error(`no Alertmanager API known for Grafana page ${page}`);
  return found;
}

/** Panels as Grafana shows them: a repeated panel once per selected value of its variable. */
function expandRepeats(
  panels: PanelQueries[],
  vars: Variables,
): { panel: PanelQueries; values: Record<string, Selection> }[] {
  const out: { panel: PanelQueries; values: Record<string, Selection> }[] = [];
  for (const panel of panels) {
    if (!panel.repeat) {
      out.push({ panel, values: vars.values });
      continue;
    }
    const selected = vars.values[panel.repeat];
    for (const value of Array.isArray(selected) ? selected : [selected ?? ""])
      out.push({ panel, values: { ...vars.values, [panel.repeat]: [value] } });
  }
  return out;
}

/**
 * Runs every query of the dashboard (or only the panels `only` accepts) for one selection of variables, `concurrency`
 * at a time as a browser would (six connections per host).
 */
export async function runDashboard(
  dashboard: Dashboard,
  endpoints: Endpoints,
  nowMs: number,
  vars: Variables,
  options: { only?: (panel: PanelQueries) => boolean; concurrency?: number; alertmanagerLinks?: boolean } = {},
): Promise<QueryRun[]> {
  const jobs: (() => Promise<QueryRun>)[] = [];
  const uid = dashboard.uid ?? "";
  const panels = panelQueries(dashboard).filter((p) => options.only?.(p) ?? true);
  for (const { panel, values } of expandRepeats(panels, vars)) {
    const range = panelRange(dashboard.time?.from ?? "now-6h", panel.timeFrom, nowMs);
    const timing = queryTiming(range, panel.maxDataPoints, panel.interval);
    const title = interpolate(panel.title, undefined, values);
    for (const target of panel.targets) {
      if (target.kind === "prometheus") {
        const expr = interpolate(target.expr, timing, values, vars.formats);
        const step = timing.stepSeconds;
        const start = Math.floor(range.fromMs / 1000 / step) * step;
        const end = Math.floor(range.toMs / 1000 / step) * step;
        jobs.push(() =>
          timed(uid, title, target.refId, "prometheus", expr, async () => {
            const { status, body } = target.instant
              ? await prometheusApi(endpoints, "/api/v1/query", {
                  query: expr,
                  time: String(range.toMs / 1000),
                })
              : await prometheusApi(endpoints, "/api/v1/query_range", {
                  query: expr,
                  start: String(start),
                  end: String(end),
                  step: String(step),
                });
            const answer = body as PromAnswer;
            if (status !== 200 || answer.status !== "success")
              return { error: `${status} ${answer.error ?? JSON.stringify(body)}` };
            return { items: promItems(answer) };
          }),
        );
        if (target.exemplar) {
          jobs.push(() =>
            timed(uid, title, target.refId, "exemplars", expr, async () => {
              const { status, body } = await prometheusApi(endpoints, "/api/v1/query_exemplars", {
                query: expr,
                start: String(start),
                end: String(end),
              });
              const answer = body as PromAnswer;
              if (status !== 200 || answer.status !== "success") return { error: `${status} ${JSON.stringify(body)}` };
              const sets = (answer.data ?? []) as { exemplars: { labels: Record<string, string> }[] }[];
              const withTrace = sets
                .flatMap((s) => s.exemplars)
                .filter((e) => /^[0-9a-f]{32}$/.test(e.labels.trace_id ?? ""));
              return { items: withTrace.length };
            }),
          );
        }
      } else {
        const service = interpolate(target.service, undefined, values);
        const params = new URLSearchParams({
          service,
          limit: String(target.limit),
          start: String(range.fromMs * 1000),
          end: String(range.toMs * 1000),
        });
        if (target.operation) params.set("operation", target.operation);
        if (target.minDuration) params.set("minDuration", target.minDuration);
        if (target.tags) params.set("tags", target.tags);
        const url = `${endpoints.jaeger}/api/traces?${params.toString()}`;
        jobs.push(() =>
          timed(uid, title, target.refId, "jaeger", url, async () => {
            const { status, body } = await getJson(url, {
              headers: authHeaders(endpoints.authorization?.jaeger),
              dispatcher: endpoints.jaegerDispatcher,
            });
            const data = (body as { data?: unknown[] }).data;
            if (status !== 200 || !Array.isArray(data))
              return { error: `${status} ${JSON.stringify(body).slice(0, 300)}` };
            return { items: data.length };
          }),
        );
      }
    }
    if (options.alertmanagerLinks !== false) {
      for (const page of panel.links.filter((l) => l.startsWith("/alerting/"))) {
        const url = `${endpoints.alertmanager}${alertmanagerApiFor(page)}`;
        jobs.push(() =>
          timed(uid, title, page, "alertmanager", url, async () => {
            const { status, body } = await getJson(url, {
              headers: authHeaders(endpoints.authorization?.alertmanager),
            });
            if (status !== 200) return { error: `${status} ${JSON.stringify(body).slice(0, 300)}` };
            return { items: Array.isArray(body) ? body.length : body && typeof body === "object" ? 1 : 0 };
          }),
        );
      }
    }
  }
  const results: QueryRun[] = [];
  const concurrency = options.concurrency ?? 6;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        results.push(await job());
      }
    }),
  );
  return results;
}

async function timed(
  dashboard: string,
  panel: string,
  refId: string,
  kind: QueryRun["kind"],
  request: string,
  run: () => Promise<{ items?: number; error?: string }>,
): Promise<QueryRun> {
  const started = performance.now();
  try {
    const { items = 0, error } = await run();
    return { dashboard, panel, refId, kind, request, ok: !error, items, error, ms: performance.now() - started };
  } catch (error) {
    return {
      dashboard,
      panel,
      refId,
      kind,
      request,
      ok: false,
      items: 0,
      error: String(error),
      ms: performance.now() - started,
    };
  }
}

/** The variables a panel's queries depend on, directly or through a variable whose query uses them. */
export function panelDependsOn(panel: PanelQueries, dashboard: Dashboard, name: string): boolean {
  const texts = [panel.title, ...panel.targets.map((t) => (t.kind === "prometheus" ? t.expr : t.service))];
  const direct = new Set(texts.flatMap(variableReferences));
  if (panel.repeat) direct.add(panel.repeat);
  if (direct.has(name)) return true;
  return variablesOf(dashboard).some(
    (v) => direct.has(v.name) && typeof v.query === "string" && variableReferences(v.query).includes(name),
  );
}
