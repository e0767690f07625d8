/**
 * The instrumentation benchmark's figures for one language, from its interleaved runs (bench/load.ts): per variant
 * the medians and the ratios to that language's baseline under the keys bench/results/instrumentation.json promises,
 * Lookout's added CPU against the stock OpenTelemetry setup's, and a printed table.
 */
import { availableParallelism } from "node:os";
import { median } from "../testkit/index.js";
import { MEASURES, type Measure, medianOf, pairedRatio, type Phase, round3, type VariantRuns } from "./load.js";

export const VARIANTS = ["baseline", "metrics-only", "unexported", "instrumented", "stock"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantFigures {
  medians: Record<Measure, number> & { spansPerRequest?: number; saturationSpansPerRequest?: number };
  cpuPerRequestRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  saturationCpuPerRequestRatio: number;
  throughputRatio: number;
  /** Instrumented: its added CPU per request over the stock setup's (median of the per-run quotients). */
  addedCpuPerRequestVsStock?: number;
  /** Traced variants: CPU added per request over the baseline, and per span counted at the collector. */
  addedCpuPerRequestMs?: number;
  addedCpuPerSpanMicroseconds?: number;
  /** Share of the fixed-rate CPU on the main thread (median): the rest is GC and compiler threads, which profiles miss. */
  mainThreadShare: number;
}

export interface LanguageFigures {
  service: string;
  loadAverage1m: { min: number; median: number; max: number };
  discardedRuns: VariantRuns<Variant>["discarded"];
  variants: Record<Variant, VariantFigures>;
  runs: Record<Variant, Phase[]>;
}

const ratioKeys: Record<Exclude<Measure, "throughput">, keyof VariantFigures> = {
  cpuPerRequestMs: "cpuPerRequestRatio",
  p50Ms: "p50Ratio",
  p99Ms: "p99Ratio",
  saturationCpuPerRequestMs: "saturationCpuPerRequestRatio",
};

export function summarize(service: string, measured: VariantRuns<Variant>): LanguageFigures {
  const { phases } = measured;
  const base = phases.baseline;
  const added = (v: Variant, i: number) => phases[v][i]!.cpuPerRequestMs - base[i]!.cpuPerRequestMs;
  const figures = (v: Variant): VariantFigures => {
    const runs = phases[v];
    const medians = Object.fromEntries(MEASURES.map((m) => [m, medianOf(runs, m)])) as VariantFigures["medians"];
    const traced = runs.some((p) => p.spansPerRequest !== undefined);
    if (traced) {
      medians.spansPerRequest = medianOf(runs, "spansPerRequest");
      medians.saturationSpansPerRequest = medianOf(runs, "saturationSpansPerRequest");
    }
    const f = {
      medians,
      ...(Object.fromEntries(
        Object.entries(ratioKeys).map(([m, key]) => [key, pairedRatio(runs, base, m as Measure)]),
      ) as Pick<VariantFigures, "cpuPerRequestRatio" | "p50Ratio" | "p99Ratio" | "saturationCpuPerRequestRatio">),
      throughputRatio: pairedRatio(runs, base, "throughput"),
      mainThreadShare: round3(median(runs.map((p) => p.mainThreadShare))),
    } as VariantFigures;
    if (v === "instrumented" || v === "unexported" || v === "stock") {
      f.addedCpuPerRequestMs = round3(median(runs.map((_, i) => added(v, i))));
      if (traced && medians.spansPerRequest) {
        f.addedCpuPerSpanMicroseconds = Math.round(
          median(runs.map((p, i) => (added(v, i) * 1000) / (p.spansPerRequest ?? NaN))),
        );
      }
    }
    if (v === "instrumented") {
      f.addedCpuPerRequestVsStock = round3(median(runs.map((_, i) => added("instrumented", i) / added("stock", i))));
    }
    return f;
  };
  const loads = Object.values<Phase[]>(phases).flatMap((runs) => runs.map((p) => p.loadAverage1m));
  return {
    service,
    loadAverage1m: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
    discardedRuns: measured.discarded,
    variants: Object.fromEntries(VARIANTS.map((v) => [v, figures(v)])) as Record<Variant, VariantFigures>,
    runs: phases,
  };
}

/** The table: medians, and each variant's ratio to the baseline beside it. */
export function printTable(
  language: string,
  f: LanguageFigures,
  settings: { runs: number; seconds: number; rate: number; concurrency: number },
): void {
  const v = f.variants;
  console.log(
    `\n${language} (${f.service}), medians of ${settings.runs} kept runs (${settings.seconds}s phases, ${settings.rate} req/s ` +
      `fixed, ${settings.concurrency} in flight at saturation; ratios: median of the per-run ratios); load average ` +
      `${f.loadAverage1m.min}–${f.loadAverage1m.max} (median ${f.loadAverage1m.median}) on ${availableParallelism()} ` +
      `cores; ${f.discardedRuns.length} runs discarded`,
  );
  console.log(`  ${"".padEnd(30)}${VARIANTS.map((name) => name.padStart(14) + "ratio".padStart(7)).join("")}`);
  const row = (name: string, m: Measure, unit: string, digits: number) =>
    console.log(
      `  ${name.padEnd(30)}` +
        VARIANTS.map((name) => {
          const ratio = name === "baseline" ? 1 : m === "throughput" ? v[name].throughputRatio : v[name][ratioKeys[m]];
          return v[name].medians[m].toFixed(digits).padStart(14) + (ratio as number).toFixed(3).padStart(7);
        }).join("") +
        `  ${unit}`,
    );
  row("CPU per request", "cpuPerRequestMs", "ms", 3);
  row(`p50 at ${settings.rate} req/s`, "p50Ms", "ms", 2);
  row(`p99 at ${settings.rate} req/s`, "p99Ms", "ms", 2);
  row("CPU per request, saturated", "saturationCpuPerRequestMs", "ms", 3);
  row("max throughput", "throughput", "req/s", 0);
  const spans = (name: Variant) => v[name].medians.spansPerRequest?.toFixed(2) ?? "–";
  console.log(
    `  spans per request: instrumented ${spans("instrumented")}, stock ${spans("stock")}; added CPU per request ` +
      `instrumented ${v.instrumented.addedCpuPerRequestMs} ms (${v.instrumented.addedCpuPerSpanMicroseconds} µs/span), ` +
      `stock ${v.stock.addedCpuPerRequestMs} ms (${v.stock.addedCpuPerSpanMicroseconds} µs/span); ` +
      `instrumented/stock ${v.instrumented.addedCpuPerRequestVsStock}`,
  );
  console.log(
    `  main thread's share of the fixed-rate CPU: ` +
      VARIANTS.map((name) => `${name} ${Math.round(v[name].mainThreadShare * 100)} %`).join(", "),
  );
}
