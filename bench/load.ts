/**
 * Load and measurement for the instrumentation benchmarks (bench/instrumentation*.ts): open-loop fixed-rate load,
 * saturation, CPU of a set of processes from /proc, scrapes at Prometheus's interval, and a runner that measures
 * several variants of one service interleaved, run after run, discarding a run the shared machine disturbed.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { Pool } from "undici";
import { type Dispatcher, request } from "undici";
import { median, quantile } from "../testkit/index.js";

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const loadAverage1m = () => Math.round(loadavg()[0]! * 100) / 100;

/** CPU seconds (user + system, all threads) these processes have used, from /proc/<pid>/stat. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}

/**
 * CPU seconds of these processes' main threads only (/proc/<pid>/task/<pid>/stat): what a CPU profile sees. The rest
 * of cpuSeconds() is V8's helper threads (concurrent and parallel GC, compilation) and libuv's pool.
 */
export function mainThreadCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Waits until the 1-minute load average is at most `maxLoad`, or `limitMs` passed, and returns it. The previous
 * variant's saturation phase lifts the load of a 2-core machine past any useful bound by itself; a phase that starts
 * after the machine has cooled down, and still finds it loaded, was disturbed by someone else.
 */
export async function coolDown(maxLoad: number, limitMs: number): Promise<number> {
  const until = Date.now() + limitMs;
  while (loadAverage1m() > maxLoad && Date.now() < until) await sleep(1_000);
  return loadAverage1m();
}

/** One request of the service's main operation; `i` numbers the requests of a phase. */
export interface RequestSpec {
  path: string;
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: (i: number) => string;
}

async function send(pool: Dispatcher, spec: RequestSpec, i: number): Promise<boolean> {
  const response = await pool.request({
    path: spec.path,
    method: spec.method,
    headers: spec.headers,
    body: spec.body?.(i),
  });
  await response.body.dump();
  return response.statusCode < 300;
}

/** Open loop: `rate` requests a second for `seconds`, latency counted from each request's scheduled start. */
export async function fixedRate(
  pool: Dispatcher,
  spec: RequestSpec,
  seconds: number,
  rate: number,
): Promise<{ latencies: number[]; ok: number; failed: number }> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const total = Math.round(seconds * rate);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      send(pool, spec, i).then(
        (good) => {
          if (good) ok++;
          else failed++;
          latencies.push(performance.now() - scheduled);
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, ok, failed };
}

/** Closed loop: `concurrency` requests always in flight for `seconds`. */
export async function saturate(
  pool: Dispatcher,
  spec: RequestSpec,
  seconds: number,
  concurrency: number,
): Promise<{ ok: number; failed: number; seconds: number }> {
  let ok = 0;
  let failed = 0;
  let i = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        if (await send(pool, spec, i++)) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, seconds: (performance.now() - start) / 1000 };
}

/** A Prometheus scrape of the service's /metrics every `intervalMs` (prometheus/prometheus.yml: 5 s) until stopped. */
export function scrapeEvery(url: string, token: string, intervalMs: number): () => void {
  const timer = setInterval(() => {
    void request(url, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.body.dump(),
      () => undefined,
    );
  }, intervalMs);
  return () => clearInterval(timer);
}

/** The sum of a Prometheus counter's samples matching `pattern` (its value in group 1) on a token-protected page. */
export async function counterSum(url: string, token: string, pattern: RegExp): Promise<number> {
  const response = await request(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** One variant of the service under test, already running. */
export interface Target {
  /** The processes whose CPU is the service's (a Python service: its uvicorn process). */
  pids: readonly number[];
  pool: Pool;
  /** Scrapes its /metrics as Prometheus would, while measured (variants without metrics: undefined). */
  metricsUrl?: string;
  /** Counted spans, read around each phase: the collector's accepted spans (traced variants). */
  spans?: () => Promise<number>;
}

export interface Phase {
  /** CPU (user + system, all threads) per request at the fixed rate, in milliseconds. */
  cpuPerRequestMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered per second with `concurrency` in flight. */
  throughput: number;
  /** CPU per request at saturation: the service's own cost, less exposed to the shared machine's. */
  saturationCpuPerRequestMs: number;
  /** Spans counted per request (traced variants): every span exported, none dropped. */
  spansPerRequest?: number;
  saturationSpansPerRequest?: number;
  /** Share of the fixed-rate phase's CPU spent on the main thread (the rest: GC and compiler threads, libuv). */
  mainThreadShare: number;
  failed: number;
  /**
   * The machine's 1-minute load average over the fixed-rate phase (the larger of its value at the start, after the
   * cool-down, and at the end): the saturation phase loads the machine by design and is not judged by it.
   */
  loadAverage1m: number;
}

export interface RunSettings {
  runs: number;
  seconds: number;
  warmupSeconds: number;
  rate: number;
  concurrency: number;
  /**
   * A run whose fixed-rate phases saw a 1-minute load average above this is discarded and repeated. Each phase first
   * waits up to `coolDownMs` for the load to fall below it.
   */
  maxLoad: number;
  coolDownMs: number;
  /** Give up repeating after this many discarded runs (the results then say so). */
  maxDiscarded: number;
  /** Waits out the services' batch span processors and one export, so each window's export CPU is counted. */
  drainMs: number;
  /**
   * How long after a phase the collector's span count includes it: the collector pushes its own telemetry every 5 s
   * (otel-collector/gateway.yaml, `service.telemetry`). Waited outside the CPU windows, for traced variants only.
   */
  spanSettleMs: number;
  scrapeIntervalMs: number;
  metricsToken: string;
}

export interface VariantRuns<V extends string> {
  phases: Record<V, Phase[]>;
  discarded: { run: number; loadAverage1m: number }[];
}

/** Measures one phase pair (fixed rate, then saturation) of one variant. */
async function measure(target: Target, spec: RequestSpec, s: RunSettings): Promise<Phase> {
  // Warm up at saturation, then briefly at the fixed rate: a process that sat idle while the other variants ran has had
  // its heap shrunk by V8's memory reducer, and a fixed-rate warm-up alone left the variant that had just run its own
  // saturation phase (the first of a forward run, the last of a backward one) 20–40 % cheaper per request.
  await saturate(target.pool, spec, s.warmupSeconds, s.concurrency);
  await fixedRate(target.pool, spec, 1, s.rate);
  await sleep(target.spans ? s.drainMs + s.spanSettleMs : s.drainMs);
  const loadAtStart = await coolDown(s.maxLoad, s.coolDownMs);
  const stopScraping = target.metricsUrl ? scrapeEvery(target.metricsUrl, s.metricsToken, s.scrapeIntervalMs) : noop;
  try {
    // Each window closes after the drain, so the CPU of exporting the phase's last batch is counted (the baseline
    // idles through the same wait); the warm-up's last export lands before it opens.
    const spans0 = await target.spans?.();
    const cpu0 = cpuSeconds(target.pids);
    const main0 = mainThreadCpuSeconds(target.pids);
    const fixed = await fixedRate(target.pool, spec, s.seconds, s.rate);
    const loadAtEnd = loadAverage1m();
    await sleep(s.drainMs);
    const cpu1 = cpuSeconds(target.pids);
    const main1 = mainThreadCpuSeconds(target.pids);
    if (target.spans) await sleep(s.spanSettleMs);
    const spans1 = await target.spans?.();
    const saturation = await saturate(target.pool, spec, s.seconds, s.concurrency);
    await sleep(s.drainMs);
    const cpu2 = cpuSeconds(target.pids);
    if (target.spans) await sleep(s.spanSettleMs);
    const spans2 = await target.spans?.();
    const perRequest = (a?: number, b?: number, n = 1) =>
      a === undefined || b === undefined ? undefined : (b - a) / n;
    return {
      cpuPerRequestMs: ((cpu1 - cpu0) / fixed.ok) * 1000,
      p50Ms: quantile(fixed.latencies, 0.5),
      p99Ms: quantile(fixed.latencies, 0.99),
      throughput: saturation.ok / saturation.seconds,
      saturationCpuPerRequestMs: ((cpu2 - cpu1) / saturation.ok) * 1000,
      spansPerRequest: perRequest(spans0, spans1, fixed.ok),
      saturationSpansPerRequest: perRequest(spans1, spans2, saturation.ok),
      mainThreadShare: (main1 - main0) / (cpu1 - cpu0),
      failed: fixed.failed + saturation.failed,
      loadAverage1m: Math.max(loadAtStart, loadAtEnd),
    };
  } finally {
    stopScraping();
  }
}
const noop = () => undefined;

/**
 * Runs every variant once per run, in alternating order (forwards, then backwards, so no variant always follows the
 * same one), until `runs` runs were kept. A run during one of whose fixed-rate phases the load average passed
 * `maxLoad` (after the phase's cool-down) is discarded and repeated: on a shared 2-core machine, another job's burst
 * would otherwise land in one variant's window only.
 */
export async function runInterleaved<V extends string>(
  label: string,
  variants: readonly V[],
  targets: Record<V, Target>,
  spec: RequestSpec,
  s: RunSettings,
): Promise<VariantRuns<V>> {
  const phases = Object.fromEntries(variants.map((v) => [v, [] as Phase[]])) as Record<V, Phase[]>;
  const discarded: VariantRuns<V>["discarded"] = [];
  for (let run = 0; phases[variants[0]!].length < s.runs; run++) {
    const order = run % 2 === 0 ? variants : [...variants].reverse();
    const measured = {} as Record<V, Phase>;
    for (const variant of order) {
      measured[variant] = await measure(targets[variant], spec, s);
      const p = measured[variant];
      console.log(
        `  ${label} run ${run + 1} ${variant.padEnd(13)} cpu/req ${p.cpuPerRequestMs.toFixed(3)} ms  ` +
          `p50 ${p.p50Ms.toFixed(1)} p99 ${p.p99Ms.toFixed(1)} ms  max ${p.throughput.toFixed(0)} req/s ` +
          `(cpu/req ${p.saturationCpuPerRequestMs.toFixed(3)} ms)` +
          `${p.spansPerRequest !== undefined ? `  spans/req ${p.spansPerRequest.toFixed(2)}` : ""}` +
          `  main thread ${Math.round(p.mainThreadShare * 100)} %` +
          `${p.failed ? `  failed ${p.failed}` : ""}  load ${p.loadAverage1m}`,
      );
    }
    const worst = Math.max(...Object.values<Phase>(measured).map((p) => p.loadAverage1m));
    if (worst > s.maxLoad && discarded.length < s.maxDiscarded) {
      discarded.push({ run: run + 1, loadAverage1m: worst });
      console.log(`  ${label} run ${run + 1} discarded: load average ${worst} > ${s.maxLoad}`);
      continue;
    }
    for (const v of variants) phases[v].push(measured[v]);
  }
  return { phases, discarded };
}

export type Measure = "cpuPerRequestMs" | "p50Ms" | "p99Ms" | "saturationCpuPerRequestMs" | "throughput";
export const MEASURES: readonly Measure[] = [
  "cpuPerRequestMs",
  "p50Ms",
  "p99Ms",
  "saturationCpuPerRequestMs",
  "throughput",
];

/**
 * A variant against the baseline: the ratio within each run (measured minutes apart, under the same background
 * load), then the median over runs — steadier on a shared machine than the ratio of two medians.
 */
export function pairedRatio(runs: readonly Phase[], baseline: readonly Phase[], m: Measure): number {
  return round3(median(runs.map((p, i) => p[m] / baseline[i]![m])));
}

/** Median of a measure over the kept runs. */
export const medianOf = (runs: readonly Phase[], m: Measure | "spansPerRequest" | "saturationSpansPerRequest") =>
  round3(median(runs.map((p) => p[m] ?? NaN)));
