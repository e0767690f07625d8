/**
 * Benchmark: what the instrumentation costs RelayCore. Two RelayCore processes from the same build, one instrumented
 * (tracing with every span exported to the real collector gateway, HTTP and AI metrics, trace-correlated logs) and one
 * with LOOKOUT_INSTRUMENTATION=off, in front of the same NeuroWeaver (its simulated model latency set to 0, so the
 * figures are RelayCore's own), PostgreSQL and Redis. For each of BENCH_RUNS runs, in alternating order:
 *
 * - fixed rate: BENCH_RATE requests/s (default 100, open loop: latency counted from each request's scheduled start)
 *   for BENCH_SECONDS → CPU-seconds per request (RelayCore's utime+stime from /proc) and p99 latency;
 * - saturation: BENCH_CONCURRENCY requests always in flight for BENCH_SECONDS → maximum throughput.
 *
 * The collector's accepted-span counter is read around each instrumented phase, so the table also shows that the spans
 * of every request reached the collector. Prints medians and the instrumented/baseline ratios, and writes
 * bench/results/instrumentation.json. This machine is shared and small (2 cores): read medians, not single runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pool, request } from "undici";
import { components } from "../stack/components.js";
import { startPartialStack } from "../stack/partial.js";
import { REPO_ROOT } from "../stack/paths.js";
import { freePort } from "../stack/ports.js";
import { waitReady, httpReady } from "../stack/readiness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_SECONDS = 3;
const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

/** baseline: LOOKOUT_INSTRUMENTATION=off; metrics-only: tracing off (shows how the cost splits); instrumented: all. */
type Variant = "baseline" | "metrics-only" | "instrumented";

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
  cpuPerRequestMs: number;
  p99Ms: number;
  throughput: number;
  spansPerRequest: number | undefined;
  failed: number;
}

async function main(): Promise<void> {
  process.env.LOOKOUT_NEUROWEAVER_LATENCY_SCALE = "0";
  // NeuroWeaver's own spans would be counted with RelayCore's at the collector: it runs untraced here.
  process.env.LOOKOUT_TRACING = "off";
  const stack = await startPartialStack(["postgres", "redis", "jaeger", "collector", "neuroweaver"]);
  const children: ChildProcess[] = [];
  try {
    const spec = components(stack.ctx).find((s) => s.name === "relaycore")!;
    const start = async (variant: Variant) => {
      const port = await freePort();
      const child = spawn(spec.command, [...spec.args], {
        env: {
          ...process.env,
          ...spec.env,
          LOOKOUT_PORT_RELAYCORE: String(port),
          LOOKOUT_INSTRUMENTATION: variant === "baseline" ? "off" : "on",
          LOOKOUT_TRACING: variant === "instrumented" ? "on" : "off",
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
    const targets = {
      baseline: await start("baseline"),
      "metrics-only": await start("metrics-only"),
      instrumented: await start("instrumented"),
    };
    const results: Record<Variant, Phase[]> = { baseline: [], "metrics-only": [], instrumented: [] };
    const collectorMetrics = stack.ctx.ports.COLLECTOR_METRICS;

    for (let run = 0; run < RUNS; run++) {
      const all: Variant[] = ["baseline", "metrics-only", "instrumented"];
      const order = run % 2 === 0 ? all : [...all].reverse();
      for (const variant of order) {
        const { pid, pool } = targets[variant];
        await fixedRate(pool, WARMUP_SECONDS, RATE);
        const spansBefore = await acceptedSpans(collectorMetrics);
        const cpuBefore = cpuSeconds(pid);
        const fixed = await fixedRate(pool, SECONDS, RATE);
        const cpu = cpuSeconds(pid) - cpuBefore;
        // Let the batch processor's last export (every second) arrive before counting.
        await new Promise((r) => setTimeout(r, 3_000));
        const spans = (await acceptedSpans(collectorMetrics)) - spansBefore;
        const saturation = await saturate(pool, SECONDS, CONCURRENCY);
        const phase: Phase = {
          cpuPerRequestMs: (cpu / fixed.ok) * 1000,
          p99Ms: quantile(fixed.latencies, 0.99),
          throughput: saturation.ok / saturation.seconds,
          spansPerRequest: variant === "instrumented" ? spans / fixed.ok : undefined,
          failed: fixed.failed + saturation.failed,
        };
        results[variant].push(phase);
        console.log(
          `  run ${run + 1} ${variant.padEnd(12)} cpu/req ${phase.cpuPerRequestMs.toFixed(3)} ms  p99 ${phase.p99Ms.toFixed(1)} ms  ` +
            `max ${phase.throughput.toFixed(0)} req/s${phase.spansPerRequest !== undefined ? `  spans/req ${phase.spansPerRequest.toFixed(2)}` : ""}` +
            `${phase.failed ? `  failed ${phase.failed}` : ""}`,
        );
        // Spans of the saturation phase drain before the next measurement starts.
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }

    const summary = (variant: Variant) => ({
      cpuPerRequestMs: median(results[variant].map((p) => p.cpuPerRequestMs)),
      p99Ms: median(results[variant].map((p) => p.p99Ms)),
      maxThroughput: median(results[variant].map((p) => p.throughput)),
    });
    const base = summary("baseline");
    const metricsOnly = summary("metrics-only");
    const inst = summary("instrumented");
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      settings: { runs: RUNS, seconds: SECONDS, rate: RATE, concurrency: CONCURRENCY },
      baseline: base,
      metricsOnly,
      instrumented: inst,
      ratios: {
        cpuPerRequest: ratio(inst.cpuPerRequestMs, base.cpuPerRequestMs),
        p99: ratio(inst.p99Ms, base.p99Ms),
        maxThroughput: ratio(inst.maxThroughput, base.maxThroughput),
        metricsOnlyCpuPerRequest: ratio(metricsOnly.cpuPerRequestMs, base.cpuPerRequestMs),
      },
      spansPerRequest: median(results.instrumented.map((p) => p.spansPerRequest ?? 0)),
      runs: results,
    };
    const row = (name: string, b: number, m: number, i: number, unit: string, digits: number) =>
      `  ${name.padEnd(30)} ${b.toFixed(digits).padStart(10)} ${m.toFixed(digits).padStart(13)} ${(m / b).toFixed(3).padStart(7)} ` +
      `${i.toFixed(digits).padStart(14)} ${(i / b).toFixed(3).padStart(7)}  ${unit}`;
    console.log(
      `\nRelayCore, medians of ${RUNS} runs (${SECONDS}s phases, ${RATE} req/s fixed, ${CONCURRENCY} in flight at saturation)`,
    );
    console.log(
      `  ${"".padEnd(30)} ${"baseline".padStart(10)} ${"metrics-only".padStart(13)} ${"ratio".padStart(7)} ` +
        `${"instrumented".padStart(14)} ${"ratio".padStart(7)}`,
    );
    console.log(
      row("CPU per request", base.cpuPerRequestMs, metricsOnly.cpuPerRequestMs, inst.cpuPerRequestMs, "ms", 3),
    );
    console.log(row(`p99 latency at ${RATE} req/s`, base.p99Ms, metricsOnly.p99Ms, inst.p99Ms, "ms", 1));
    console.log(row("max throughput", base.maxThroughput, metricsOnly.maxThroughput, inst.maxThroughput, "req/s", 0));
    console.log(`  spans exported per request (instrumented): ${report.spansPerRequest.toFixed(2)}`);
    const out = join(REPO_ROOT, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "instrumentation.json"), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten: bench/results/instrumentation.json`);
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await stack.stop();
  }
}

await main();
