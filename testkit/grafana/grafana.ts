/**
 * What Grafana does to a panel's query before it reaches the datasource, so the tests and the benchmark can send the
 * same requests: the panel's time range (dashboard range or the panel's relative override), its interval
 * ($__interval: range ÷ max data points, rounded like Grafana, never below the datasource's 15 s), the Prometheus
 * step and $__rate_interval, $__range, and template variables formatted the way the Prometheus datasource formats
 * them (one value as is, several as a regex alternation, each regex-escaped).
 */
import { SCRAPE_INTERVAL_SECONDS } from "../../dashboards/index.js";

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** "15s", "5m", "24h", "30d" → milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/.exec(text.trim());
  if (!m) throw new Error(`not a Grafana duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Start of the UTC day or month containing t (Grafana's `now/d`, `now/M` with the dashboard in UTC). */
function startOf(unit: "d" | "M", t: number): number {
  const d = new Date(t);
  return unit === "d"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** A relative time like "now-6h", "now/d", "now/M" or "now" → epoch ms. */
export function relativeTime(text: string, nowMs: number): number {
  if (text === "now") return nowMs;
  const rounded = /^now\/([dM])$/.exec(text);
  if (rounded) return startOf(rounded[1] as "d" | "M", nowMs);
  const minus = /^now-(.+)$/.exec(text);
  if (minus) return nowMs - durationMs(minus[1]!);
  throw new Error(`unsupported relative time ${JSON.stringify(text)}`);
}

/** The range a panel queries: the dashboard's, or the panel's `timeFrom` override ("24h" or "now/d"). */
export function panelRange(dashboardFrom: string, timeFrom: string | undefined, nowMs: number): TimeRange {
  if (!timeFrom) return { fromMs: relativeTime(dashboardFrom, nowMs), toMs: nowMs };
  const from = timeFrom.startsWith("now") ? timeFrom : `now-${timeFrom}`;
  return { fromMs: relativeTime(from, nowMs), toMs: nowMs };
}

/** Grafana's interval rounding (kbn.roundInterval): a raw interval → the "nice" interval shown as $__interval. */
export function roundInterval(ms: number): number {
  const table: [number, number][] = [
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1_500, 1_000],
    [3_500, 2_000],
    [7_500, 5_000],
    [12_500, 10_000],
    [17_500, 15_000],
    [25_000, 20_000],
    [45_000, 30_000],
    [90_000, 60_000],
    [210_000, 120_000],
    [450_000, 300_000],
    [750_000, 600_000],
    [1_050_000, 900_000],
    [1_500_000, 1_200_000],
    [2_700_000, 1_800_000],
    [5_400_000, 3_600_000],
    [9_000_000, 7_200_000],
    [16_200_000, 10_800_000],
    [32_400_000, 21_600_000],
    [86_400_000, 43_200_000],
    [604_800_000, 86_400_000],
    [1_814_400_000, 604_800_000],
    [3_628_800_000, 2_592_000_000],
  ];
  for (const [below, value] of table) if (ms < below) return value;
  return 31_536_000_000;
}

export interface QueryTiming {
  range: TimeRange;
  /** $__interval, and the Prometheus step of a range query. */
  intervalMs: number;
  stepSeconds: number;
  rateIntervalMs: number;
}

/** Grafana's interval, step and $__rate_interval for a panel of maxDataPoints over range. */
export function queryTiming(range: TimeRange, maxDataPoints: number, minInterval?: string): QueryTiming {
  const minMs = minInterval ? durationMs(minInterval) : SCRAPE_INTERVAL_SECONDS * 1_000;
  const span = range.toMs - range.fromMs;
  const intervalMs = Math.max(minMs, roundInterval(span / maxDataPoints));
  // The Prometheus datasource never asks for more than 11,000 points per series.
  const stepSeconds = Math.max(intervalMs / 1_000, Math.ceil(span / 1_000 / 11_000));
  const scrapeMs = SCRAPE_INTERVAL_SECONDS * 1_000;
  const rateIntervalMs = Math.max(intervalMs + scrapeMs, 4 * scrapeMs);
  return { range, intervalMs, stepSeconds, rateIntervalMs };
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1_000))}s`;

/** A variable's selected value(s): one string, several, or "all" (with its options). */
export type Selection = string | string[];

export interface VariableFormat {
  /** multi or includeAll variables are formatted as regexes, like Grafana's Prometheus datasource does. */
  regex: boolean;
}

/**
 * Escapes what a Prometheus regex would take as syntax, as Grafana's Prometheus datasource does: the value lands inside
 * a PromQL string literal, whose own escaping takes one backslash away, so a special character gets two (`{` → `\\{`,
 * which the regex sees as `\{`) and a backslash four. FastAPI's route templates (`/v1/workflows/{id}`) need it.
 */
function regexEscape(value: string): string {
  return value.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");
}

/** Fills $__ built-ins and template variables into a PromQL expression (or any other query text). */
export function interpolate(
  text: string,
  timing: QueryTiming | undefined,
  values: Record<string, Selection>,
  formats: Record<string, VariableFormat> = {},
): string {
  let out = text;
  if (timing) {
    const span = timing.range.toMs - timing.range.fromMs;
    out = out
      .replaceAll("$__rate_interval", seconds(timing.rateIntervalMs))
      .replaceAll("$__interval_ms", String(timing.intervalMs))
      .replaceAll("$__interval", seconds(timing.intervalMs))
      .replaceAll("$__range_ms", String(span))
      .replaceAll("$__range_s", String(Math.round(span / 1_000)))
      .replaceAll("$__range", seconds(span));
  }
  return out.replace(/\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = values[name];
    if (value === undefined) return whole;
    if (!formats[name]?.regex) return Array.isArray(value) ? value.join(",") : value;
    const list = Array.isArray(value) ? value : [value];
    return list.length === 1 ? regexEscape(list[0]!) : `(${list.map(regexEscape).join("|")})`;
  });
}

/** `label_values(metric{selector}, label)` or `label_values(label)` → its parts. */
export function parseLabelValues(query: string): { match?: string; label: string } {
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?([A-Za-z_]\w*)\s*\)\s*$/.exec(query);
  if (!m) throw new Error(`unsupported variable query ${JSON.stringify(query)} (only label_values(...) is used)`);
  return m[1] ? { match: m[1], label: m[2]! } : { label: m[2]! };
}

/** Applies a Grafana variable regex ("/pattern/flags") to the values a query returned. */
export function filterByRegex(values: string[], regex: string | undefined): string[] {
  if (!regex) return values;
  const m = /^\/(.*)\/([gimsuy]*)$/.exec(regex);
  const pattern = m ? new RegExp(m[1]!, m[2]!.replace("g", "")) : new RegExp(regex);
  return values.filter((v) => pattern.test(v));
}
