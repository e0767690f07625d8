/**
 * Reads a built dashboard the way Grafana does before it queries anything: every panel's queries with the panel's
 * time range and width, the template variables, and the links into Grafana's alerting pages. The live test
 * (test/dashboards/live.test.ts) and the benchmark (bench/dashboards.ts) both execute what this returns, so what they
 * prove is what the JSON holds.
 */
import type { Dashboard, Panel, RowPanel, VariableModel } from "@grafana/grafana-foundation-sdk/dashboard";

export interface PromTarget {
  kind: "prometheus";
  refId: string;
  expr: string;
  instant: boolean;
  exemplar: boolean;
}

export interface JaegerTarget {
  kind: "jaeger";
  refId: string;
  service: string;
  operation?: string;
  minDuration?: string;
  tags?: string;
  limit: number;
}

export interface PanelQueries {
  dashboard: string;
  panelId: number;
  title: string;
  datasourceUid: string;
  /** Relative override of the dashboard range (`now/d`, `now/M`, `24h`…), if any. */
  timeFrom?: string;
  maxDataPoints: number;
  /** The panel's own minimum interval, if set. */
  interval?: string;
  /** The variable the panel repeats for. */
  repeat?: string;
  targets: (PromTarget | JaegerTarget)[];
  links: string[];
}

type AnyPanel = Panel | RowPanel;
const isRow = (p: AnyPanel): p is RowPanel => p.type === "row";

/** Every non-row panel, rows' nested panels included. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const p of dashboard.panels ?? []) {
    if (isRow(p)) out.push(...p.panels);
    else out.push(p);
  }
  return out;
}

/** The queries of every panel that has any, with what Grafana needs to run them. */
export function panelQueries(dashboard: Dashboard): PanelQueries[] {
  const result: PanelQueries[] = [];
  for (const panel of panelsOf(dashboard)) {
    const targets = (panel.targets ?? []) as unknown as Record<string, unknown>[];
    const links = (panel.links ?? []).map((l) => l.url ?? "").filter(Boolean);
    const content = (panel.options as { content?: string } | undefined)?.content ?? "";
    for (const m of content.matchAll(/\]\((\/[^)]+)\)/g)) links.push(m[1]!);
    const datasourceUid = panel.datasource?.uid ?? (targets[0]?.datasource as { uid?: string } | undefined)?.uid ?? "";
    result.push({
      dashboard: dashboard.uid ?? "",
      panelId: panel.id ?? 0,
      title: panel.title ?? "",
      datasourceUid,
      timeFrom: panel.timeFrom,
      maxDataPoints: panel.maxDataPoints ?? 1000,
      interval: panel.interval,
      repeat: panel.repeat,
      links,
      targets: targets.map((t) => {
        const ds = (t.datasource as { type?: string } | undefined)?.type ?? panel.datasource?.type;
        if (ds === "jaeger") {
          return {
            kind: "jaeger",
            refId: String(t.refId),
            service: String(t.service),
            operation: t.operation as string | undefined,
            minDuration: t.minDuration as string | undefined,
            tags: t.tags as string | undefined,
            limit: Number(t.limit ?? 20),
          } satisfies JaegerTarget;
        }
        return {
          kind: "prometheus",
          refId: String(t.refId),
          expr: String(t.expr),
          instant: t.instant === true,
          exemplar: t.exemplar === true,
        } satisfies PromTarget;
      }),
    });
  }
  return result;
}

export function variablesOf(dashboard: Dashboard): VariableModel[] {
  return dashboard.templating.list ?? [];
}

/** Names a query refers to as $name, ${name} or ${name:format}, without Grafana's built-ins ($__…). */
export function variableReferences(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))/g)) {
    const name = m[1] ?? m[2]!;
    if (!name.startsWith("__")) names.add(name);
  }
  return [...names];
}
