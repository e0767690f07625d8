/**
 * Benchmark: what the instrumentation costs a Python FastAPI service, and what the stock OpenTelemetry setup costs
 * the same service. Five NeuroWeaver processes (bench/python-variants.ts: the same app and environment, uvicorn with
 * one worker, the real PostgreSQL and Redis, the simulated model latency 0) in front of the real gateway collector:
 * baseline, metrics-only, unexported, instrumented and stock. For each run, the variants one after another in
 * alternating order, each measured for:
 *
 * - fixed rate: `rate` requests/s (open loop) for `seconds` → CPU-seconds per request (the service process and any
 *   children, all threads, from /proc) and p50/p99 latency;
 * - saturation: `concurrency` requests always in flight for `seconds` → maximum throughput and CPU per request there.
 *
 * Each CPU window closes after the batch span processor's next export, so serialising and sending the phase's spans
 * is counted; the collector's accepted-span counter read around each phase shows every span arrived. A run during
 * which the 1-minute load average exceeded `maxLoad` is discarded and repeated (up to `maxAttempts` runs in all);
 * before each run the bench waits up to `quietWaitSeconds` for the load to fall below it.
 *
 * Ratios are the median over runs of each run's variant/baseline ratio (variants measured within minutes of each other,
 * under the same background load). `addedCpuPerRequestVsStock` is, per run, (instrumented − baseline CPU/request) /
 * (stock − baseline CPU/request).
 *
 * `benchPython(options)` is called by bench/instrumentation.ts; alone, `node dist/bench/instrumentation-python.js`
 * (BENCH_RUNS, BENCH_SECONDS, BENCH_RATE, BENCH_CONCURRENCY, BENCH_MAX_LOAD) prints the table and writes
 * bench/results/instrumentation-python.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type PartialStack, startPartialStack } from "../stack/partial.js";
import { REPO_ROOT } from "../stack/paths.js";
import {
  acceptedSpans,
  cpuSeconds,
  fixedRate,
  loadAverage1m,
  median,
  quantile,
  saturate,
  SETTLE_MS,
  sleep,
} from "./measure.js";
import {
  deployBenchModel,
  EXPORTING,
  INFERENCE_PATH,
  PYTHON_VARIANTS,
  type PythonService,
  type PythonVariant,
  startPythonService,
} from "./python-variants.js";

export interface PythonBenchOptions {
  /** Accepted runs wanted (default BENCH_RUNS, else 5). */
  runs?: number;
  /** Seconds of each fixed-rate and saturation phase (default BENCH_SECONDS, else 15). */
  seconds?: number;
  /** Requests per second of the fixed-rate phase (default BENCH_RATE, else 40). */
  rate?: number;
  /** Requests in flight at saturation (default BENCH_CONCURRENCY, else 32). */
  concurrency?: number;
  /** A run whose 1-minute load average went above this is discarded and repeated (default BENCH_MAX_LOAD, else 1.5). */
  maxLoad?: number;
  /** Runs attempted at most, discarded ones included (default BENCH_MAX_ATTEMPTS, else 2 × runs + 2). */
  maxAttempts?: number;
  /** How long to wait before a run for the load to fall below maxLoad (default BENCH_QUIET_WAIT_SECONDS, else 120). */
  quietWaitSeconds?: number;
  /** A partial stack with postgres, redis and the collector (and jaeger) already running; else one is started. */
  stack?: PartialStack;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

/** One variant's figures in one run. */
export interface PythonPhase {
  cpuPerRequestMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered per second with `concurrency` in flight. */
  throughput: number;
  saturationCpuPerRequestMs: number;
  /** Spans the collector accepted per request (exporting variants only). */
  spansPerRequest?: number;
  saturationSpansPerRequest?: number;
  failed: number;
  /** The highest 1-minute load average seen during the variant's phases. */
  loadAverage1m: number;
}

export interface PythonRatios {
  cpuPerRequestRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  saturationCpuPerRequestRatio: number;
  maxThroughputRatio: number;
  /** instrumented only: (instrumented − baseline) / (stock − baseline) CPU per request at the fixed rate. */
  addedCpuPerRequestVsStock?: number;
  /** instrumented only: the same at saturation. */
  saturationAddedCpuPerRequestVsStock?: number;
}

export interface PythonAdded {
  /** Variant − baseline CPU per request (median over runs), at the fixed rate and at saturation. */
  cpuPerRequestMs: number;
  saturationCpuPerRequestMs: number;
  /** The same per exported span, in microseconds (exporting variants only). */
  cpuPerSpanUs?: number;
  saturationCpuPerSpanUs?: number;
}

type Key = "baseline" | "metricsOnly" | "unexported" | "instrumented" | "stock";
type Compared = Exclude<Key, "baseline">;
const KEY: Record<PythonVariant, Key> = {
  baseline: "baseline",
  "metrics-only": "metricsOnly",
  unexported: "unexported",
  instrumented: "instrumented",
  stock: "stock",
};

export interface PythonBenchResult {
  language: "python";
  service: "neuroweaver";
  request: string;
  settings: Required<Pick<PythonBenchOptions, "runs" | "seconds" | "rate" | "concurrency" | "maxLoad">>;
  /** Over the accepted runs' phases. */
  loadAverage1m: { min: number; median: number; max: number };
  /** The highest load average of each discarded run. */
  discardedRuns: number[];
  /** False when fewer than `runs` runs stayed under maxLoad within maxAttempts (the figures then include loaded runs). */
  quiet: boolean;
  medians: Record<Key, Omit<PythonPhase, "failed" | "loadAverage1m">>;
  ratios: Record<Compared, PythonRatios>;
  added: Record<Compared, PythonAdded>;
  runs: Record<Key, PythonPhase[]>;
}

const WARMUP_SECONDS = 3;
/** Waits out the batch span processor's schedule (OTEL_BSP_SCHEDULE_DELAY=1000 in the demo environment) and one export. */
const drain = () => sleep(2_500);
const envNumber = (name: string, fallback: number) => {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? fallback : Number(raw);
};

async function measure(service: PythonService, options: Resolved, collector: Collector): Promise<PythonPhase> {
  const { send, pid } = service;
  const exporting = EXPORTING.has(service.variant);
  // Spans are counted for the exporting variants only, each count read once the collector's own telemetry caught up.
  const spans = async () => {
    if (!exporting) return 0;
    await sleep(SETTLE_MS);
    return acceptedSpans(collector.metricsPort, collector.metricsToken);
  };
  await fixedRate(send, WARMUP_SECONDS, options.rate);
  await drain();
  const spans0 = await spans();
  const loads = [loadAverage1m()];
  // Each CPU window closes after the drain, so the CPU of serialising and exporting the phase's last batch is
  // counted (the other variants idle through the same wait).
  const cpu0 = cpuSeconds(pid);
  const fixed = await fixedRate(send, options.seconds, options.rate);
  await drain();
  const cpu1 = cpuSeconds(pid);
  loads.push(loadAverage1m());
  const spans1 = await spans();
  const cpu2 = cpuSeconds(pid);
  const saturation = await saturate(send, options.seconds, options.concurrency);
  await drain();
  const cpu3 = cpuSeconds(pid);
  loads.push(loadAverage1m());
  const spans2 = await spans();
  return {
    cpuPerRequestMs: ((cpu1 - cpu0) / fixed.ok) * 1000,
    p50Ms: quantile(fixed.latencies, 0.5),
    p99Ms: quantile(fixed.latencies, 0.99),
    throughput: saturation.ok / saturation.seconds,
    saturationCpuPerRequestMs: ((cpu3 - cpu2) / saturation.ok) * 1000,
    ...(exporting && {
      spansPerRequest: (spans1 - spans0) / fixed.ok,
      saturationSpansPerRequest: (spans2 - spans1) / saturation.ok,
    }),
    failed: fixed.failed + saturation.failed,
    loadAverage1m: Math.max(...loads),
  };
}

interface Collector {
  metricsPort: number;
  metricsToken: string;
}

type Resolved = Required<Omit<PythonBenchOptions, "stack">>;
type Run = Record<PythonVariant, PythonPhase>;

function resolve(options: PythonBenchOptions): Resolved {
  const runs = options.runs ?? envNumber("BENCH_RUNS", 5);
  return {
    runs,
    seconds: options.seconds ?? envNumber("BENCH_SECONDS", 15),
    rate: options.rate ?? envNumber("BENCH_RATE", 40),
    concurrency: options.concurrency ?? envNumber("BENCH_CONCURRENCY", 32),
    maxLoad: options.maxLoad ?? envNumber("BENCH_MAX_LOAD", 1.5),
    maxAttempts: options.maxAttempts ?? envNumber("BENCH_MAX_ATTEMPTS", 2 * runs + 2),
    quietWaitSeconds: options.quietWaitSeconds ?? envNumber("BENCH_QUIET_WAIT_SECONDS", 120),
    log: options.log ?? ((line) => console.log(line)),
  };
}

/** Measures every variant BENCH_RUNS times, interleaved; see the file's header. */
export async function benchPython(options: PythonBenchOptions = {}): Promise<PythonBenchResult> {
  const settings = resolve(options);
  const { log } = settings;
  const own = options.stack ? undefined : await startPartialStack(["postgres", "redis", "jaeger", "collector"]);
  const stack = (options.stack ?? own)!;
  const services = new Map<PythonVariant, PythonService>();
  try {
    for (const variant of PYTHON_VARIANTS)
      services.set(variant, await startPythonService(stack, variant, settings.concurrency));
    await deployBenchModel(services.get("baseline")!.url);
    const collector = {
      metricsPort: stack.ctx.ports.COLLECTOR_METRICS,
      metricsToken: stack.ctx.secrets.metrics_token.value,
    };
    const accepted: Run[] = [];
    const discarded: { run: Run; load: number }[] = [];
    for (let attempt = 0; accepted.length < settings.runs && attempt < settings.maxAttempts; attempt++) {
      for (let waited = 0; loadAverage1m() > settings.maxLoad && waited < settings.quietWaitSeconds; waited += 5) {
        await sleep(5_000);
      }
      const order = attempt % 2 === 0 ? PYTHON_VARIANTS : [...PYTHON_VARIANTS].reverse();
      const run = {} as Run;
      for (const variant of order) {
        const phase = await measure(services.get(variant)!, settings, collector);
        run[variant] = phase;
        log(`  python run ${attempt + 1} ${describe(variant, phase)}`);
      }
      const load = Math.max(...Object.values(run).map((p) => p.loadAverage1m));
      if (load > settings.maxLoad) {
        discarded.push({ run, load });
        log(`  python run ${attempt + 1} discarded: load average reached ${load} (> ${settings.maxLoad})`);
      } else accepted.push(run);
    }
    const quiet = accepted.length >= settings.runs;
    // Not enough quiet runs: the least loaded of the others make up the number, and `quiet` says so.
    const used = [...accepted, ...[...discarded].sort((a, b) => a.load - b.load).map((d) => d.run)].slice(
      0,
      Math.max(accepted.length, settings.runs),
    );
    return summarise(
      used,
      settings,
      discarded.map((d) => d.load),
      quiet,
    );
  } finally {
    await Promise.all([...services.values()].map((s) => s.close()));
    await own?.stop();
  }
}

function describe(variant: PythonVariant, p: PythonPhase): string {
  const spans =
    p.spansPerRequest === undefined
      ? ""
      : `  spans/req ${p.spansPerRequest.toFixed(2)} / ${p.saturationSpansPerRequest!.toFixed(2)}`;
  return (
    `${variant.padEnd(13)} cpu/req ${p.cpuPerRequestMs.toFixed(3)} ms  p50 ${p.p50Ms.toFixed(2)} ms  p99 ${p.p99Ms.toFixed(1)} ms  ` +
    `max ${p.throughput.toFixed(0)} req/s (cpu/req ${p.saturationCpuPerRequestMs.toFixed(3)} ms)${spans}` +
    `${p.failed ? `  failed ${p.failed}` : ""}  load ${p.loadAverage1m}`
  );
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function summarise(runs: Run[], settings: Resolved, discardedRuns: number[], quiet: boolean): PythonBenchResult {
  const of = (v: PythonVariant, f: (p: PythonPhase) => number) => runs.map((run) => f(run[v]));
  const med = (v: PythonVariant, f: (p: PythonPhase) => number) => round(median(of(v, f)), 4);
  const perRun = (f: (run: Run) => number) => round(median(runs.map(f)));
  const ratio = (v: PythonVariant, f: (p: PythonPhase) => number) => perRun((run) => f(run[v]) / f(run.baseline));
  const medians = {} as PythonBenchResult["medians"];
  const ratios = {} as PythonBenchResult["ratios"];
  const added = {} as PythonBenchResult["added"];
  const byVariant = {} as PythonBenchResult["runs"];
  const fixedAdded = (run: Run, v: PythonVariant) => run[v].cpuPerRequestMs - run.baseline.cpuPerRequestMs;
  const saturationAdded = (run: Run, v: PythonVariant) =>
    run[v].saturationCpuPerRequestMs - run.baseline.saturationCpuPerRequestMs;
  for (const v of PYTHON_VARIANTS) {
    const key = KEY[v];
    byVariant[key] = runs.map((run) => run[v]);
    medians[key] = {
      cpuPerRequestMs: med(v, (p) => p.cpuPerRequestMs),
      p50Ms: med(v, (p) => p.p50Ms),
      p99Ms: med(v, (p) => p.p99Ms),
      throughput: med(v, (p) => p.throughput),
      saturationCpuPerRequestMs: med(v, (p) => p.saturationCpuPerRequestMs),
      ...(EXPORTING.has(v) && {
        spansPerRequest: med(v, (p) => p.spansPerRequest!),
        saturationSpansPerRequest: med(v, (p) => p.saturationSpansPerRequest!),
      }),
    };
    if (key === "baseline") continue;
    ratios[key] = {
      cpuPerRequestRatio: ratio(v, (p) => p.cpuPerRequestMs),
      p50Ratio: ratio(v, (p) => p.p50Ms),
      p99Ratio: ratio(v, (p) => p.p99Ms),
      saturationCpuPerRequestRatio: ratio(v, (p) => p.saturationCpuPerRequestMs),
      maxThroughputRatio: ratio(v, (p) => p.throughput),
      ...(v === "instrumented" && {
        addedCpuPerRequestVsStock: perRun((run) => fixedAdded(run, "instrumented") / fixedAdded(run, "stock")),
        saturationAddedCpuPerRequestVsStock: perRun(
          (run) => saturationAdded(run, "instrumented") / saturationAdded(run, "stock"),
        ),
      }),
    };
    added[key] = {
      cpuPerRequestMs: perRun((run) => fixedAdded(run, v)),
      saturationCpuPerRequestMs: perRun((run) => saturationAdded(run, v)),
      ...(EXPORTING.has(v) && {
        cpuPerSpanUs: round(median(runs.map((run) => (fixedAdded(run, v) * 1000) / run[v].spansPerRequest!)), 1),
        saturationCpuPerSpanUs: round(
          median(runs.map((run) => (saturationAdded(run, v) * 1000) / run[v].saturationSpansPerRequest!)),
          1,
        ),
      }),
    };
  }
  const loads = runs.flatMap((run) => Object.values(run).map((p) => p.loadAverage1m));
  return {
    language: "python",
    service: "neuroweaver",
    request: `POST ${INFERENCE_PATH}`,
    settings: {
      runs: settings.runs,
      seconds: settings.seconds,
      rate: settings.rate,
      concurrency: settings.concurrency,
      maxLoad: settings.maxLoad,
    },
    loadAverage1m: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
    discardedRuns,
    quiet,
    medians,
    ratios,
    added,
    runs: byVariant,
  };
}

/** The table of medians and ratios, as the standalone run prints it. */
export function pythonTable(result: PythonBenchResult): string {
  const { settings, loadAverage1m: load } = result;
  const keys = Object.values(KEY);
  const header =
    `NeuroWeaver (FastAPI, ${result.request}), medians of ${result.runs.baseline.length} runs (${settings.seconds}s phases, ` +
    `${settings.rate} req/s fixed, ${settings.concurrency} in flight at saturation; ratios: median of the per-run ` +
    `ratios to baseline); load average ${load.min}–${load.max} (median ${load.median}) on ${availableParallelism()} ` +
    `cores; ${result.discardedRuns.length} run(s) discarded above ${settings.maxLoad}${result.quiet ? "" : " — NOT QUIET"}`;
  const cell = (text: string, width: number) => text.padStart(width);
  const lines = [header, `  ${"".padEnd(28)}${keys.map((k) => cell(k, 13) + cell("ratio", 7)).join("")}`];
  type Measure = "cpuPerRequestMs" | "p50Ms" | "p99Ms" | "throughput" | "saturationCpuPerRequestMs";
  const ratioKey: Record<Measure, keyof PythonRatios> = {
    cpuPerRequestMs: "cpuPerRequestRatio",
    p50Ms: "p50Ratio",
    p99Ms: "p99Ratio",
    throughput: "maxThroughputRatio",
    saturationCpuPerRequestMs: "saturationCpuPerRequestRatio",
  };
  const row = (name: string, m: Measure, unit: string, digits: number) =>
    `  ${name.padEnd(28)}` +
    keys
      .map((k) => {
        const r = k === "baseline" ? 1 : result.ratios[k][ratioKey[m]]!;
        return cell(result.medians[k][m].toFixed(digits), 13) + cell(r.toFixed(3), 7);
      })
      .join("") +
    `  ${unit}`;
  lines.push(row("CPU per request", "cpuPerRequestMs", "ms", 3));
  lines.push(row(`p50 at ${settings.rate} req/s`, "p50Ms", "ms", 2));
  lines.push(row(`p99 at ${settings.rate} req/s`, "p99Ms", "ms", 2));
  lines.push(row("max throughput", "throughput", "req/s", 0));
  lines.push(row("CPU per request, saturated", "saturationCpuPerRequestMs", "ms", 3));
  const { instrumented, stock } = result.added;
  lines.push(
    `  added CPU per request (fixed / saturated): instrumented ${instrumented.cpuPerRequestMs} / ` +
      `${instrumented.saturationCpuPerRequestMs} ms, stock ${stock.cpuPerRequestMs} / ${stock.saturationCpuPerRequestMs} ms, ` +
      `metrics-only ${result.added.metricsOnly.cpuPerRequestMs} / ${result.added.metricsOnly.saturationCpuPerRequestMs} ms`,
    `  added CPU per span (fixed / saturated): instrumented ${instrumented.cpuPerSpanUs} / ` +
      `${instrumented.saturationCpuPerSpanUs} µs, stock ${stock.cpuPerSpanUs} / ${stock.saturationCpuPerSpanUs} µs`,
    `  spans per request at the collector (fixed / saturated): instrumented ${result.medians.instrumented.spansPerRequest} / ` +
      `${result.medians.instrumented.saturationSpansPerRequest}, stock ${result.medians.stock.spansPerRequest} / ` +
      `${result.medians.stock.saturationSpansPerRequest}`,
    `  instrumented vs stock, added CPU per request: ${result.ratios.instrumented.addedCpuPerRequestVsStock} at the ` +
      `fixed rate, ${result.ratios.instrumented.saturationAddedCpuPerRequestVsStock} saturated`,
  );
  return lines.join("\n");
}

if (process.argv[1]?.endsWith("instrumentation-python.js")) {
  const result = await benchPython();
  console.log(`\n${pythonTable(result)}`);
  const out = join(REPO_ROOT, "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "instrumentation-python.json"),
    `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`,
  );
  console.log(`\nwritten: bench/results/instrumentation-python.json`);
}
