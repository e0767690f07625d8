/**
 * Benchmark: what the instrumentation costs RelayCore. Four RelayCore processes from the same build and the same app
 * code, in front of the same NeuroWeaver (its simulated model latency set to 0, so the figures are RelayCore's own),
 * PostgreSQL and Redis: instrumented (tracing with every span exported to the real collector gateway, HTTP and AI
 * metrics, trace-correlated logs), unexported (the same with OTEL_TRACES_EXPORTER=none: every span made, none
 * serialised or sent), metrics-only (LOOKOUT_TRACING=off) — the two show how the cost splits — and the baseline
 * (LOOKOUT_INSTRUMENTATION=off). For each of BENCH_RUNS runs, the variants one after another, in alternating order:
 *
 * - fixed rate: BENCH_RATE requests/s (default 40, open loop: latency counted from each request's scheduled start)
 *   for BENCH_SECONDS → CPU-seconds per request (RelayCore's utime+stime, all its threads, from /proc) and p99;
 * - saturation: BENCH_CONCURRENCY requests always in flight for BENCH_SECONDS → maximum throughput, and RelayCore's
 *   CPU per request there.
 *
 * "Per request" is one `POST /v1/completions` as production RelayCore serves it: parse and validate the JSON body,
 * read today's and this month's spend from Redis (MGET), pick a model by the routing rules, call NeuroWeaver over
 * HTTP (undici), add the cost to the spend counters (one Redis MULTI), insert the call into PostgreSQL, answer JSON.
 * Instrumented, that is 6 spans (HTTP server, Redis MGET, the AI call, the undici call, Redis MULTI, pg INSERT), the
 * HTTP and AI metrics, and the serialisation and export of the spans, whose CPU is counted: each CPU window closes
 * after the batch processor's next export. The collector's accepted-span counter is read around each phase, so the
 * table shows that every span of every request reached the collector, at saturation too.
 *
 * Prints medians and the instrumented/baseline ratios (median of the per-run ratios) with the load average, and
 * writes bench/results/instrumentation.json. BENCH_PROFILE=<dir> also writes a V8 CPU profile of each variant there
 * (summarise with `node dist/bench/profile.js <dir>/instrumented`). This machine is shared and small (2 cores): read
 * medians, not single runs, and keep the fixed rate below what the baseline sustains under the load of the moment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { Pool, request } from "undici";
import { components, waitReady, httpReady } from "../stack/index.js";
import { startPartialStack, freePort } from "../testkit/index.js";
import { REPO_ROOT } from "../shared/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_RATE ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_SECONDS = 3;
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux
/** A folder: each RelayCore also writes a V8 CPU profile there on exit (`node --cpu-prof`); see bench/profile.ts. */
const PROFILE_DIR = process.env.BENCH_PROFILE;

/**
 * baseline: LOOKOUT_INSTRUMENTATION=off; metrics-only: tracing off; unexported: tracing with OTEL_TRACES_EXPORTER=none
 * (every span made, sampled, propagated and ended, none serialised or sent: the floor of tracing every request);
 * instrumented: all of it. The middle two show how the cost splits.
 */
type Variant = "baseline" | "metrics-only" | "unexported" | "instrumented";
const VARIANTS: readonly Variant[] = ["baseline", "metrics-only", "unexported", "instrumented"];

const BODY = JSON.stringify({
  prompt: "Summarize the following support ticket in one sentence. ".repeat(8),
  task: "chat",
  max_tokens: 256,
  workflow_id: "bench-workflow",
  user_id: "bench-user",
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function fixedRate(
  pool: Pool,
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
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      pool
        .request({
          path: "/v1/completions",
          method: "POST",
          headers: { "content-type": "application/json" },
          body: BODY,
        })
        .then(async (response) => {
          await response.body.dump();
          if (response.statusCode === 200) ok++;
          else failed++;
          latencies.push(performance.now() - scheduled);
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(pending);
  return { latencies, ok, failed };
}

async function saturate(
  pool: Pool,
  seconds: number,
  concurrency: number,
): Promise<{ ok: number; failed: number; seconds: number }> {
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const response = await pool.request({
          path: "/v1/completions",
          method: "POST",
          headers: { "content-type": "application/json" },
          body: BODY,
        });
        await response.body.dump();
        if (response.statusCode === 200) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, seconds: (performance.now() - start) / 1000 };
}

async function acceptedSpans(metricsPort: number): Promise<number> {
  const response = await request(`http://127.0.0.1:${metricsPort}/metrics`);
  const text = await response.body.text();
  return [...text.matchAll(/^otelcol_receiver_accepted_spans(?:_total)?\{[^}]*receiver="otlp"[^}]*\} (\S+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

interface Phase {
  /** RelayCore's CPU (user + system, all threads) per request at the fixed rate. */
  cpuPerRequestMs: number;
  p99Ms: number;
  /** Requests answered per second with CONCURRENCY in flight. */
  throughput: number;
  /** RelayCore's CPU per request at saturation: tells its own cost from the shared machine's. */
  saturationCpuPerRequestMs: number;
  /** Spans the collector accepted per request (instrumented only): every span exported, none dropped. */
  spansPerRequest: number | undefined;
  saturationSpansPerRequest: number | undefined;
  failed: number;
  /** The machine's 1-minute load average at the end of the phase (2 cores, shared). */
  loadAverage1m: number;
}

/** Waits out the batch span processor's schedule (1 s in the demo services' environment) and one export. */
const drain = () => new Promise((r) => setTimeout(r, 2_500));

async function main(): Promise<void> {
  process.env.LOOKOUT_NEUROWEAVER_LATENCY_SCALE = "0";
  // NeuroWeaver's own spans would be counted with RelayCore's at the collector: it runs untraced here.
  process.env.LOOKOUT_TRACING = "off";
  const stack = await startPartialStack(["postgres", "redis", "jaeger", "collector", "neuroweaver"]);
  const children: ChildProcess[] = [];
  // Ctrl-C stops the RelayCores and the partial stack too, rather than leaving them running.
  const interrupted = () => {
    for (const child of children) child.kill("SIGTERM");
    void stack.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    const spec = components(stack.ctx).find((s) => s.name === "relaycore")!;
    const start = async (variant: Variant) => {
      const port = await freePort();
      const profile = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${join(PROFILE_DIR, variant)}`] : [];
      const child = spawn(spec.command, [...profile, ...spec.args], {
        env: {
          ...process.env,
          ...spec.env,
          LOOKOUT_PORT_RELAYCORE: String(port),
          LOOKOUT_INSTRUMENTATION: variant === "baseline" ? "off" : "on",
          LOOKOUT_TRACING: variant === "instrumented" || variant === "unexported" ? "on" : "off",
          OTEL_TRACES_EXPORTER: variant === "unexported" ? "none" : "otlp",
          LOOKOUT_RELAYCORE_DAILY_BUDGET_USD: "1000000000",
          LOOKOUT_RELAYCORE_MONTHLY_BUDGET_USD: "1000000000",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      children.push(child);
      const failure = await waitReady(httpReady(`http://127.0.0.1:${port}/health`), 30_000, () =>
        child.exitCode !== null ? `exited with ${child.exitCode}` : undefined,
      );
      if (failure) throw new Error(`relaycore (${variant}) not ready: ${failure}`);
      return { pid: child.pid!, pool: new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY }) };
    };
    const targets = {} as Record<Variant, Awaited<ReturnType<typeof start>>>;
    for (const variant of VARIANTS) targets[variant] = await start(variant);
    const results = Object.fromEntries(VARIANTS.map((v) => [v, [] as Phase[]])) as Record<Variant, Phase[]>;
    const collectorMetrics = stack.ctx.ports.COLLECTOR_METRICS;

    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const { pid, pool } = targets[variant];
        await fixedRate(pool, WARMUP_SECONDS, RATE);
        await drain();
        // Each window closes after the drain, so the CPU of serialising and exporting the phase's last batch is
        // counted (the baseline idles through the same wait); the warm-up's last export lands before it opens.
        const spans0 = await acceptedSpans(collectorMetrics);
        const cpu0 = cpuSeconds(pid);
        const fixed = await fixedRate(pool, SECONDS, RATE);
        await drain();
        const cpu1 = cpuSeconds(pid);
        const spans1 = await acceptedSpans(collectorMetrics);
        const saturation = await saturate(pool, SECONDS, CONCURRENCY);
        await drain();
        const cpu2 = cpuSeconds(pid);
        const spans2 = await acceptedSpans(collectorMetrics);
        const traced = variant === "instrumented";
        const phase: Phase = {
          cpuPerRequestMs: ((cpu1 - cpu0) / fixed.ok) * 1000,
          p99Ms: quantile(fixed.latencies, 0.99),
          throughput: saturation.ok / saturation.seconds,
          saturationCpuPerRequestMs: ((cpu2 - cpu1) / saturation.ok) * 1000,
          spansPerRequest: traced ? (spans1 - spans0) / fixed.ok : undefined,
          saturationSpansPerRequest: traced ? (spans2 - spans1) / saturation.ok : undefined,
          failed: fixed.failed + saturation.failed,
          loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
        };
        results[variant].push(phase);
        console.log(
          `  run ${run + 1} ${variant.padEnd(13)} cpu/req ${phase.cpuPerRequestMs.toFixed(3)} ms  p99 ${phase.p99Ms.toFixed(1)} ms  ` +
            `max ${phase.throughput.toFixed(0)} req/s (cpu/req ${phase.saturationCpuPerRequestMs.toFixed(3)} ms)` +
            `${traced ? `  spans/req ${phase.spansPerRequest!.toFixed(2)} / ${phase.saturationSpansPerRequest!.toFixed(2)}` : ""}` +
            `${phase.failed ? `  failed ${phase.failed}` : ""}  load ${phase.loadAverage1m}`,
        );
      }
    }

    const summary = (variant: Variant) => ({
      cpuPerRequestMs: median(results[variant].map((p) => p.cpuPerRequestMs)),
      p99Ms: median(results[variant].map((p) => p.p99Ms)),
      maxThroughput: median(results[variant].map((p) => p.throughput)),
      saturationCpuPerRequestMs: median(results[variant].map((p) => p.saturationCpuPerRequestMs)),
    });
    const summaries = Object.fromEntries(VARIANTS.map((v) => [v, summary(v)])) as Record<
      Variant,
      ReturnType<typeof summary>
    >;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    type Measure = keyof ReturnType<typeof summary>;
    const measures: Measure[] = ["cpuPerRequestMs", "p99Ms", "maxThroughput", "saturationCpuPerRequestMs"];
    const phaseOf: Record<Measure, (p: Phase) => number> = {
      cpuPerRequestMs: (p) => p.cpuPerRequestMs,
      p99Ms: (p) => p.p99Ms,
      maxThroughput: (p) => p.throughput,
      saturationCpuPerRequestMs: (p) => p.saturationCpuPerRequestMs,
    };
    // The ratio within each run (the variants measured minutes apart, under the same background load), then the
    // median over runs: steadier on a shared machine than the ratio of two medians taken from different runs.
    const pairedRatios = (variant: Variant) =>
      Object.fromEntries(
        measures.map((m) => [
          m,
          round(median(results[variant].map((p, run) => phaseOf[m](p) / phaseOf[m](results.baseline[run]!)))),
        ]),
      ) as Record<Measure, number>;
    const loads = Object.values(results).flatMap((phases) => phases.map((p) => p.loadAverage1m));
    // Each variant against the baseline (which is 1 by definition), computed once for the report and the table.
    const ratios = Object.fromEntries(
      VARIANTS.map((v) => [v, v === "baseline" ? undefined : pairedRatios(v)]),
    ) as Record<Variant, Record<Measure, number> | undefined>;
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      settings: { runs: RUNS, seconds: SECONDS, rate: RATE, concurrency: CONCURRENCY },
      loadAverage1m: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
      baseline: summaries.baseline,
      metricsOnly: summaries["metrics-only"],
      unexported: summaries.unexported,
      instrumented: summaries.instrumented,
      ratios: {
        instrumented: ratios.instrumented,
        unexported: ratios.unexported,
        metricsOnly: ratios["metrics-only"],
      },
      spansPerRequest: median(results.instrumented.map((p) => p.spansPerRequest ?? 0)),
      saturationSpansPerRequest: median(results.instrumented.map((p) => p.saturationSpansPerRequest ?? 0)),
      runs: results,
    };
    const ratioOf = (v: Variant, m: Measure) => ratios[v]?.[m] ?? 1;
    const row = (name: string, m: Measure, unit: string, digits: number) =>
      `  ${name.padEnd(34)} ${summaries.baseline[m].toFixed(digits).padStart(10)}` +
      VARIANTS.slice(1)
        .map((v) => ` ${summaries[v][m].toFixed(digits).padStart(13)} ${ratioOf(v, m).toFixed(3).padStart(7)}`)
        .join("") +
      `  ${unit}`;
    console.log(
      `\nRelayCore, medians of ${RUNS} runs (${SECONDS}s phases, ${RATE} req/s fixed, ${CONCURRENCY} in flight at ` +
        `saturation; ratios: median of the per-run ratios); load average ${report.loadAverage1m.min}–` +
        `${report.loadAverage1m.max} (median ${report.loadAverage1m.median}) on ${availableParallelism()} cores`,
    );
    console.log(
      `  ${"".padEnd(34)} ${"baseline".padStart(10)}` +
        VARIANTS.slice(1)
          .map((v) => ` ${v.padStart(13)} ${"ratio".padStart(7)}`)
          .join(""),
    );
    console.log(row("CPU per request", "cpuPerRequestMs", "ms", 3));
    console.log(row(`p99 latency at ${RATE} req/s`, "p99Ms", "ms", 1));
    console.log(row("max throughput", "maxThroughput", "req/s", 0));
    console.log(row("CPU per request at saturation", "saturationCpuPerRequestMs", "ms", 3));
    console.log(
      `  spans exported per request (instrumented): ${report.spansPerRequest.toFixed(2)} at the fixed rate, ` +
        `${report.saturationSpansPerRequest.toFixed(2)} at saturation`,
    );
    const out = join(REPO_ROOT, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "instrumentation.json"), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten: bench/results/instrumentation.json`);
  } finally {
    // Waited for: a CPU profile is written when the process exits.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await stack.stop();
  }
}

await main();
