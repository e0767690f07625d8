/**
 * What every Lookout dashboard shares: the datasource references (the fixed uids of
 * grafana-provisioning/datasources/lookout.yml), query builders for the three datasources, panel helpers that insist
 * on a unit and a description, and `finish()`, which turns a DashboardBuilder into the JSON Grafana provisions.
 *
 * Panels are built with Grafana's foundation SDK (`@grafana/grafana-foundation-sdk`); Jaeger and Alertmanager have no
 * query type in the SDK, so their queries are small builders here with the fields Grafana's own plugins store.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type * as common from "@grafana/grafana-foundation-sdk/common";
import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type DashboardLink,
  type Panel,
  type RowPanel,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  MappingType,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as Stat } from "@grafana/grafana-foundation-sdk/stat";

/** Datasource uids: fixed in grafana-provisioning/datasources/lookout.yml, referenced by every panel. */
export const DS = {
  prometheus: { type: "prometheus", uid: "lookout-prometheus" },
  jaeger: { type: "jaeger", uid: "lookout-jaeger" },
  alertmanager: { type: "alertmanager", uid: "lookout-alertmanager" },
} as const satisfies Record<string, common.DataSourceRef>;

/** Prometheus' scrape interval (prometheus/prometheus.yml), also the datasource's `timeInterval`. */
export const SCRAPE_INTERVAL_SECONDS = 15;

/** Pixels of a 1920-wide screen per grid column: Grafana asks for one point per pixel of a panel's width. */
const PIXELS_PER_COLUMN = 80;

export interface PromOptions {
  legend?: string;
  /** An instant query (stat, table, gauge): evaluated once, at the end of the range. */
  instant?: boolean;
  /** Table format (instant tables). */
  table?: boolean;
  /** Ask for exemplars (span-metrics histograms carry trace ids). */
  exemplar?: boolean;
  refId?: string;
}

/** A PromQL query against the Lookout Prometheus datasource. */
export function prom(expr: string, options: PromOptions = {}): DataqueryBuilder {
  const query = new DataqueryBuilder()
    .datasource(DS.prometheus)
    .expr(expr)
    .refId(options.refId ?? "A")
    .legendFormat(options.legend ?? "__auto");
  if (options.instant) query.instant();
  else query.range();
  if (options.table) query.format("table" as never);
  if (options.exemplar) query.exemplar(true);
  return query;
}

/** Several queries with refIds A, B, C… */
export function queries(...builders: DataqueryBuilder[]): DataqueryBuilder[] {
  return builders.map((b, i) => b.refId(String.fromCharCode(65 + i)));
}

/** The fields Grafana's Jaeger datasource stores for a trace search (its query editor's "Search" tab). */
export interface JaegerSearch {
  service: string;
  operation?: string;
  /** Jaeger duration syntax, e.g. "500ms". */
  minDuration?: string;
  /** logfmt tags, e.g. `error=true`. */
  tags?: string;
  limit: number;
}

/** A Jaeger trace search, as Grafana's Jaeger plugin stores it (queryType "search"). */
export function jaegerSearch(search: JaegerSearch, refId = "A"): cog.Builder<cog.Dataquery> {
  return {
    build: () =>
      ({
        refId,
        datasource: DS.jaeger,
        queryType: "search",
        ...search,
      }) as unknown as cog.Dataquery,
  };
}

/** Reduces each series to its newest non-null value: what a Stat panel of a current state or count shows. */
export function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false);
}

/**
 * A Stat panel of each series' newest value, without a sparkline — every Stat on Lookout's dashboards. The colour
 * fills the background by default (states and alarm counts read from across the room); `BigValueColorMode.Value`
 * colours only the number.
 */
export function latestStat(colorMode: BigValueColorMode = BigValueColorMode.Background): Stat {
  return new Stat().colorMode(colorMode).graphMode(BigValueGraphMode.None).reduceOptions(lastValue());
}

/** Threshold steps from [color, value] pairs; the first step's base is -Infinity (written null, as Grafana does). */
export function thresholds(base: string, ...steps: [number, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Value → text/color mappings for a state encoded as a number. */
export function states(map: Record<string, [string, string]>): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(map).forEach(([value, [text, color]], index) => (options[value] = { text, color, index }));
  return [{ type: MappingType.ValueToText, options }];
}

/** A link shown in a panel's header menu, or at the top of a dashboard. */
export function link(title: string, url: string, tooltip = title): cog.Builder<DashboardLink> {
  return { build: () => linkModel(title, url, tooltip) };
}

/** The DashboardLink model behind link(). */
export function linkModel(title: string, url: string, tooltip = title): DashboardLink {
  return {
    title,
    type: "link" as DashboardLink["type"],
    url,
    icon: "external link",
    tooltip,
    tags: [],
    asDropdown: false,
    targetBlank: false,
    includeVars: true,
    keepTime: true,
  };
}

/** Links to the other Lookout dashboards (by tag), on every dashboard. */
export function lookoutLinks(): cog.Builder<DashboardLink> {
  return {
    build: () => ({
      title: "Lookout",
      type: "dashboards" as DashboardLink["type"],
      icon: "external link",
      tooltip: "Other Lookout dashboards",
      tags: ["lookout"],
      asDropdown: true,
      targetBlank: false,
      includeVars: false,
      keepTime: true,
    }),
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Default time range, relative to now (e.g. "now-6h"). */
  from: string;
  refresh: string;
  tags?: string[];
}

/** A DashboardBuilder with Lookout's common settings: UTC, read-only, shared crosshair, links to its siblings. */
export function dashboard(spec: DashboardSpec): DashboardBuilder {
  return new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["lookout", ...(spec.tags ?? [])])
    .timezone("utc")
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: spec.from, to: "now" })
    .refresh(spec.refresh)
    .link(lookoutLinks());
}

function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === "row";
}

/**
 * Builds the dashboard and fills in what the SDK leaves to Grafana's UI: a unique id per panel, the maxDataPoints
 * Grafana would request for the panel's width, an empty variable and annotation list where there is none. A panel
 * without a description is an error: every panel says what it shows.
 */
export function finish(builder: DashboardBuilder): Dashboard {
  const built = builder.build();
  let id = 1;
  for (const panel of built.panels ?? []) {
    panel.id = id++;
    if (isRow(panel)) continue;
    if (!panel.description) throw new Error(`dashboard ${built.uid}: panel "${panel.title}" has no description`);
    if (panel.type !== "text" && panel.gridPos) panel.maxDataPoints = panel.gridPos.w * PIXELS_PER_COLUMN;
  }
  built.templating = { list: built.templating.list ?? [] };
  built.annotations = { list: built.annotations.list ?? [] };
  built.editable = false;
  return built;
}
