/**
 * The status page's response-time chart: one inline SVG per system, drawn on the server from hourly latency
 * histograms (hour rollups), so it reads without JavaScript. It carries a <title> and <desc>, and the figures it
 * shows are also written out as text (p50 and p95 over the window, and the slowest hour) for screen readers and
 * text browsers; the SVG itself is aria-labelled by them.
 */
import { emptyHistogram, histogramQuantile } from "../store/histogram.js";
import { escapeHtml } from "./html.js";

export interface LatencyPoint {
  /** Start of the hour (ms). */
  hour: number;
  /** Bucket counts as stored in the rollups (store/histogram.ts's LATENCY_BUCKETS_MS, then everything above). */
  histogram: number[];
}

function sum(histograms: number[][]): number[] {
  const out = emptyHistogram();
  for (const h of histograms) for (let i = 0; i < out.length; i++) out[i]! += h[i] ?? 0;
  return out;
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const hourLabel = (t: number) => new Date(t).toISOString().slice(11, 16);

const WIDTH = 600;
const HEIGHT = 120;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

/** The chart as an HTML <figure>; `points` are the window's hours, oldest first (hours without checks are gaps). */
export function responseTimeChart(system: string, index: number, points: LatencyPoint[]): string {
  const hours = points.map((p) => ({
    hour: p.hour,
    p50: histogramQuantile(p.histogram, 0.5),
    p95: histogramQuantile(p.histogram, 0.95),
  }));
  const all = sum(points.map((p) => p.histogram));
  const p50 = histogramQuantile(all, 0.5);
  const p95 = histogramQuantile(all, 0.95);
  const label = `Response time of ${system}, last ${points.length} hours`;
  if (p50 === null || p95 === null) {
    return `<figure class="chart"><figcaption>${escapeHtml(label)}: no checks yet.</figcaption></figure>`;
  }
  const slowest = hours.reduce((a, b) => ((b.p95 ?? -1) > (a.p95 ?? -1) ? b : a));
  const summary = `p50 ${ms(p50)}, p95 ${ms(p95)}; slowest hour ${hourLabel(slowest.hour)} UTC (p95 ${ms(slowest.p95 ?? 0)})`;
  const top = Math.max(10, ...hours.map((h) => h.p95 ?? 0)) * 1.1;
  const x = (i: number) => PAD.left + ((WIDTH - PAD.left - PAD.right) * i) / Math.max(1, points.length - 1);
  const y = (v: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - v / top);
  // A line per quantile, broken where an hour had no checks.
  const path = (key: "p50" | "p95") => {
    let d = "";
    let pen = false;
    hours.forEach((h, i) => {
      const v = h[key];
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const grid = [0, top / 2 / 1.1, top / 1.1]
    .map(
      (v) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/><text x="${PAD.left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${ms(v)}</text>`,
    )
    .join("");
  const ticks = [0, Math.floor((points.length - 1) / 2), points.length - 1]
    .map(
      // First and last labels anchored inward, so neither is clipped at the edge.
      (i, n, all) =>
        `<text x="${x(i).toFixed(1)}" y="${HEIGHT - 4}" text-anchor="${n === 0 ? "start" : n === all.length - 1 ? "end" : "middle"}">${hourLabel(points[i]!.hour)}</text>`,
    )
    .join("");
  const id = `rt-${index}`;
  return `<figure class="chart">
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" preserveAspectRatio="none">
        <title id="${id}-title">${escapeHtml(label)}</title>
        <desc id="${id}-desc">${escapeHtml(summary)}</desc>
        ${grid}${ticks}
        <path d="${path("p95")}" class="p95"/><path d="${path("p50")}" class="p50"/>
      </svg>
      <figcaption>Response time, last ${points.length} h: <span class="key p50">p50 ${ms(p50)}</span> · <span class="key p95">p95 ${ms(p95)}</span> · slowest hour ${hourLabel(slowest.hour)} UTC (p95 ${ms(slowest.p95 ?? 0)})</figcaption>
    </figure>`;
}
