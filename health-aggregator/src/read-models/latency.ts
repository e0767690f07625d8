/**
 * The status page's last 24 hours of latency per system: the hour rollups' histograms of its public targets, summed.
 * Finished hours are read once an hour (kept in PastHours); each request reads only the current hour's rows.
 */
import type { TargetConfig } from "../config/load.js";
import type { LatencyPoint } from "../status-page/response-chart.js";
import { addHistogram, emptyHistogram } from "../store/histogram.js";
import type { LatencyRepository } from "../store/types.js";

const HOUR = 3_600_000;
const HOURS = 24;

/** The 23 finished hours before the current one, per system; undefined until read, or after a reload. */
export interface PastHours {
  cache: { hour: number; systems: Map<string, LatencyPoint[]> } | undefined;
}

export function latencyBySystem(
  repository: LatencyRepository,
  past: PastHours,
  now: number,
  publicTargets: { config: TargetConfig }[],
): Map<string, LatencyPoint[]> {
  const current = Math.floor(now / HOUR) * HOUR;
  if (past.cache?.hour !== current) {
    const rows = repository.hourLatency(current - (HOURS - 1) * HOUR, current);
    const systems = new Map<string, LatencyPoint[]>();
    for (const { config } of publicTargets) {
      let points = systems.get(config.system);
      if (!points) {
        points = Array.from({ length: HOURS - 1 }, (_, i) => ({
          hour: current - (HOURS - 1 - i) * HOUR,
          histogram: emptyHistogram(),
        }));
        systems.set(config.system, points);
      }
      const perHour = rows.get(config.id);
      if (perHour) for (const p of points) addHistogram(p.histogram, perHour.get(p.hour) ?? []);
    }
    past.cache = { hour: current, systems };
  }
  const live = repository.hourLatency(current, now + 1);
  const out = new Map<string, LatencyPoint[]>();
  for (const { config } of publicTargets) {
    let points = out.get(config.system);
    if (!points) {
      points = [...(past.cache.systems.get(config.system) ?? []), { hour: current, histogram: emptyHistogram() }];
      out.set(config.system, points);
    }
    addHistogram(points[points.length - 1]!.histogram, live.get(config.id)?.get(current) ?? []);
  }
  return out;
}
