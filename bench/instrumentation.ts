/**
 * Benchmark: what Lookout's instrumentation costs a service, measured as the requirement states it (issue 17), for
 * Node (RelayCore, bench/instrumentation-node.ts) and Python (the FastAPI services, bench/instrumentation-python.ts):
 *
 * 1. metrics alone against the uninstrumented service — CPU per request and p50/p99 at a fixed production-like rate,
 *    CPU per request at saturation (each at most 1.02×);
 * 2. full instrumentation end to end, AutoMatrix → RelayCore → NeuroWeaver with the realistic latency model on
 *    (bench/instrumentation-e2e.ts; at most 1 % added p50 and p99);
 * 3. the CPU that tracing every span adds, against the stock OpenTelemetry setup a team would otherwise install on
 *    the same app (at most half of it).
 *
 * Each language's variants (baseline, metrics-only, unexported, instrumented, stock) run interleaved, BENCH_RUNS
 * runs kept (default 5); each fixed-rate phase first waits up to BENCH_COOL_DOWN_SECONDS (default 60) for the
 * 1-minute load average to fall to BENCH_MAX_LOAD (default 1.5), and a run with a phase above it is discarded and
 * repeated (bench/load.ts). Prints a table per language and writes bench/results/instrumentation.json:
 * per language (`node`, `python`) and variant the ratios to that language's baseline (`cpuPerRequestRatio`,
 * `p50Ratio`, `p99Ratio`, `saturationCpuPerRequestRatio`; `addedCpuPerRequestVsStock` for `instrumented`), and
 * `endToEnd.p50Ratio`, `endToEnd.p99Ratio`. BENCH_PROFILE=<dir> writes a V8 CPU profile of each RelayCore variant
 * (summarise with `node dist-dev/bench/profile.js <dir>/<variant>`). BENCH_ONLY=node,python,e2e runs a subset.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/index.js";
import { startPartialStack } from "../testkit/index.js";
import { benchEndToEnd, type EndToEndFigures } from "./instrumentation-e2e.js";
import { benchNode } from "./instrumentation-node.js";
import { INFERENCE, startNeuroWeavers } from "./python-variants.js";
import { type LanguageFigures, printTable, summarize, VARIANTS } from "./instrumentation-summary.js";
import { runInterleaved, type RunSettings } from "./load.js";

const env = process.env;
const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const ONLY = new Set((env.BENCH_ONLY ?? "node,python,e2e").split(",").map((s) => s.trim()));

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  // The NeuroWeaver of the partial stack answers the CPU phases at once and untraced: its own spans would be counted
  // with the service's at the collector. The end-to-end chains start their own, with the latency model on.
  env.LOOKOUT_NEUROWEAVER_LATENCY_SCALE = "0";
  env.LOOKOUT_TRACING = "off";
  const stack = await startPartialStack(["postgres", "redis", "jaeger", "collector", "neuroweaver"]);
  const children: ChildProcess[] = [];
  const stopAll = async () => {
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
  };
  const interrupted = () => void stopAll().finally(() => process.exit(130));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const settings: RunSettings = {
    runs: number("BENCH_RUNS", 5),
    seconds: number("BENCH_SECONDS", 10),
    warmupSeconds: number("BENCH_WARMUP_SECONDS", 2),
    rate: number("BENCH_RATE", 40),
    concurrency: number("BENCH_CONCURRENCY", 32),
    maxLoad: number("BENCH_MAX_LOAD", 1.5),
    coolDownMs: number("BENCH_COOL_DOWN_SECONDS", 60) * 1000,
    maxDiscarded: number("BENCH_MAX_DISCARDED", 10),
    // The demo services' batch span processor exports every second (OTEL_BSP_SCHEDULE_DELAY=1000); then one export.
    drainMs: 2_500,
    spanSettleMs: 6_500,
    scrapeIntervalMs: 5_000,
    metricsToken: stack.ctx.secrets.metrics_token.value,
  };
  const results: { node?: LanguageFigures; python?: LanguageFigures; endToEnd?: EndToEndFigures } = {};
  try {
    if (ONLY.has("node")) {
      results.node = await benchNode(stack, settings, children, env.BENCH_PROFILE);
      printTable("Node", results.node, settings);
    }
    if (ONLY.has("python")) {
      const targets = await startNeuroWeavers(stack, VARIANTS, children);
      results.python = summarize("neuroweaver", await runInterleaved("python", VARIANTS, targets, INFERENCE, settings));
      printTable("Python", results.python, settings);
    }
    if (ONLY.has("e2e")) {
      const e2e = {
        runs: settings.runs,
        seconds: number("BENCH_E2E_SECONDS", 20),
        rate: number("BENCH_E2E_RATE", 5),
        warmupSeconds: 3,
        maxLoad: settings.maxLoad,
        maxDiscarded: settings.maxDiscarded,
      };
      results.endToEnd = await benchEndToEnd(stack, e2e, children);
      const f = results.endToEnd;
      console.log(
        `\nEnd to end, AutoMatrix → RelayCore → NeuroWeaver (latency model on, ${e2e.rate} req/s, ${e2e.seconds}s ` +
          `phases, ${e2e.runs} kept runs, ${f.discardedRuns.length} discarded): p50 ${f.medians.baseline.p50Ms} → ` +
          `${f.medians.instrumented.p50Ms} ms (${f.p50Ratio}×), p99 ${f.medians.baseline.p99Ms} → ` +
          `${f.medians.instrumented.p99Ms} ms (${f.p99Ratio}×)`,
      );
    }
  } finally {
    await stopAll();
  }
  const out = join(REPO_ROOT, "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "instrumentation.json"),
    `${JSON.stringify({ date: startedAt, node: process.version, settings: { ...settings, metricsToken: undefined }, ...results }, null, 2)}\n`,
  );
  console.log(`\nwritten: bench/results/instrumentation.json`);
}

await main();
