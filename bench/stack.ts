/**
 * Benchmark: the native stack's footprint. For several runs on free ports with a fresh LOOKOUT_HOME each:
 * time from `lookout stack up` to every component ready (warm: tools already built), resident memory of the whole
 * stack (every process of every component's process group) idle and under a telemetrygen load, and time to stop.
 * Prints medians with min–max and writes bench/results/stack.json. Times on these shared machines are noisy: read
 * the medians and spreads, not one number.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { homeLayout, REPO_ROOT } from "../shared/index.js";
import {
  freeStackPortEnv,
  releaseStackPortEnv,
  withPortRetry,
  median,
  startStack,
  telemetrygenTracesArgs,
} from "../testkit/index.js";
import { resolvePorts, readState, toolPaths } from "../stack/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
/** 200 traces/s of 10 spans: 2,000 spans/s, a busy production hour for the three systems. */
const LOAD_TRACES_PER_SECOND = 200;
const LOAD_SPANS_PER_TRACE = 10;

const PAGE = 4096;

/** Resident bytes per process group id, read from /proc (stat field 5 is pgrp, statm field 2 is resident pages). */
function rssByGroup(groups: Set<number>): Map<number, number> {
  const totals = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pgrp = Number(fields[2]);
      if (!groups.has(pgrp)) continue;
      totals.set(pgrp, (totals.get(pgrp) ?? 0) + residentBytes(Number(entry)));
    } catch {
      /* exited meanwhile */
    }
  }
  return totals;
}

function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE;
  } catch {
    return 0;
  }
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface RunResult {
  readySeconds: number;
  idleRssMiB: number;
  peakRssMiB: number;
  peakByComponentMiB: Record<string, number>;
  stopSeconds: number;
  /** Components the supervisor had to SIGKILL after its grace period (they ignored SIGTERM). */
  killedOnStop: string[];
  loadAverage: number;
  spansSent: number;
}

interface StartedStack {
  home: string;
  portEnv: Record<string, string>;
  child: ChildProcess;
  exited: Promise<number | null>;
  started: number;
  output: () => string;
}

/** `lookout stack up` on reserved ports in a fresh home; resolves once every component is ready. */
async function startOnce(): Promise<StartedStack> {
  const home = mkdtempSync("/tmp/lookout-bench-");
  chmodSync(home, 0o711);
  const portEnv = await freeStackPortEnv();
  const started = Date.now();
  try {
    // Polled every 20 ms: the time to ready is what this benchmark measures.
    const { child, exited, output } = await startStack({ ...process.env, ...portEnv, LOOKOUT_HOME: home }, 600_000, 20);
    return { home, portEnv, child, exited, started, output };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    releaseStackPortEnv(portEnv);
    throw error;
  }
}

async function oneRun(run: number): Promise<RunResult> {
  // A start that lost a port to another process is retried; its time is not counted (started is per attempt).
  const { home, portEnv, child, exited, started, output } = await withPortRetry("lookout stack up", startOnce);
  const ports = resolvePorts(portEnv);
  const readySeconds = (Date.now() - started) / 1000;

  const state = readState(homeLayout(home));
  if (!state) throw new Error("no state file");
  const groups = new Map(state.components.map((c) => [c.pid!, c.name]));
  const groupIds = new Set(groups.keys());
  groups.set(child.pid!, "supervisor");

  const sample = () => {
    const byGroup = rssByGroup(groupIds);
    // The supervisor is not a group leader (it runs in the caller's group): count its own process.
    byGroup.set(child.pid!, residentBytes(child.pid!));
    let total = 0;
    for (const v of byGroup.values()) total += v;
    return { byGroup, total };
  };
  await new Promise((r) => setTimeout(r, 5_000)); // let start-up allocations settle
  const idle = sample();

  let peak = idle;
  const peakByComponent = new Map<number, number>();
  const sampler = setInterval(() => {
    const s = sample();
    if (s.total > peak.total) peak = s;
    for (const [g, v] of s.byGroup) peakByComponent.set(g, Math.max(peakByComponent.get(g) ?? 0, v));
  }, 250);

  const token = readFileSync(join(home, "secrets", "otlp_token"), "utf8").trim();
  // Asynchronously: the RSS sampler above must keep running while the load does (spawnSync would block it, and the
  // "peak under load" was then the idle sample).
  const load = spawn(
    toolPaths().telemetrygen,
    telemetrygenTracesArgs({
      port: ports.OTLP_GRPC,
      token,
      rate: LOAD_TRACES_PER_SECOND / 2, // per worker
      childSpans: LOAD_SPANS_PER_TRACE - 1,
      durationSeconds: LOAD_SECONDS,
      workers: 2,
      service: `bench-${run}`,
    }),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let loadErr = "";
  load.stderr.on("data", (c: Buffer) => (loadErr = (loadErr + c.toString()).slice(-8_000)));
  const loadStatus = await new Promise<number | null>((r) => load.once("exit", (code) => r(code)));
  if (loadStatus !== 0) throw new Error(`telemetrygen failed (${loadStatus}): ${loadErr}`);
  await new Promise((r) => setTimeout(r, 15_000)); // sampling decisions, batches, a scrape or two
  clearInterval(sampler);

  const stopStarted = Date.now();
  child.kill("SIGTERM");
  await exited;
  const stopSeconds = (Date.now() - stopStarted) / 1000;
  const killedOnStop = [...output().matchAll(/^(\S+) did not stop within/gm)].map((m) => m[1]!);
  rmSync(home, { recursive: true, force: true });
  releaseStackPortEnv(portEnv);

  return {
    readySeconds,
    idleRssMiB: mib(idle.total),
    peakRssMiB: mib(peak.total),
    peakByComponentMiB: Object.fromEntries([...peakByComponent].map(([g, v]) => [groups.get(g) ?? String(g), mib(v)])),
    stopSeconds,
    killedOnStop,
    loadAverage: loadavg()[0]!,
    spansSent: LOAD_TRACES_PER_SECOND * LOAD_SPANS_PER_TRACE * LOAD_SECONDS,
  };
}

async function main(): Promise<void> {
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`run ${i + 1}/${RUNS}…\n`);
    runs.push(await oneRun(i));
  }
  const stat = (pick: (r: RunResult) => number) => {
    const xs = runs.map(pick);
    return { median: Math.round(median(xs) * 100) / 100, min: Math.min(...xs), max: Math.max(...xs) };
  };
  const summary = {
    runs: RUNS,
    loadSpansPerSecond: LOAD_TRACES_PER_SECOND * LOAD_SPANS_PER_TRACE,
    loadSeconds: LOAD_SECONDS,
    readySeconds: stat((r) => r.readySeconds),
    stopSeconds: stat((r) => r.stopSeconds),
    loadAverage: stat((r) => r.loadAverage),
    idleRssMiB: stat((r) => r.idleRssMiB),
    peakRssMiB: stat((r) => r.peakRssMiB),
    peakByComponentMiB: Object.fromEntries(
      Object.keys(runs[0]!.peakByComponentMiB).map((name) => [
        name,
        median(runs.map((r) => r.peakByComponentMiB[name] ?? 0)),
      ]),
    ),
    raw: runs,
  };
  const fmt = (s: { median: number; min: number; max: number }, unit: string) =>
    `${s.median} ${unit} (${s.min}–${s.max})`;
  console.log(
    `\nnative stack footprint — ${RUNS} runs, load ${summary.loadSpansPerSecond} spans/s for ${LOAD_SECONDS}s`,
  );
  console.log(`  start to all ready (warm)   ${fmt(summary.readySeconds, "s")}`);
  console.log(`  stop (SIGTERM to all gone)  ${fmt(summary.stopSeconds, "s")}`);
  const killed = [...new Set(runs.flatMap((r) => r.killedOnStop))];
  console.log(`  killed after the grace      ${killed.length > 0 ? killed.join(", ") : "none"}`);
  console.log(`  load average (1 min)        ${fmt(summary.loadAverage, "")}`);
  console.log(`  RSS idle, whole stack       ${fmt(summary.idleRssMiB, "MiB")}`);
  console.log(`  RSS peak under load         ${fmt(summary.peakRssMiB, "MiB")}`);
  for (const [name, value] of Object.entries(summary.peakByComponentMiB).sort((a, b) => b[1] - a[1])) {
    console.log(`    ${name.padEnd(20)} ${value} MiB`);
  }
  const out = join(REPO_ROOT, "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "stack.json"), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten: bench/results/stack.json`);
}

await main();
