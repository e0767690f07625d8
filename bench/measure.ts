/**
 * What the instrumentation benchmarks measure with: medians and quantiles, a process tree's CPU from /proc, the
 * collector's accepted-span counter, the machine's load average, and two load shapes — open loop at a fixed rate
 * (latency counted from each request's scheduled start) and saturation (a fixed number always in flight). A load
 * shape takes `send`, one request that resolves true when it was answered as expected, so any service and route can
 * be driven.
 */
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { request } from "undici";

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** CPU seconds (user + system, all threads) one process has used, from /proc/<pid>/stat; 0 once it is gone. */
function ownCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The live children of a process, from each of its threads' /proc/<pid>/task/<tid>/children. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * CPU seconds of a process and all its live descendants (e.g. every worker of a server that forks them). A
 * descendant that exits inside a window takes its CPU with it: the benchmarks' processes live for the whole run.
 */
export function cpuSeconds(pid: number): number {
  return ownCpuSeconds(pid) + childrenOf(pid).reduce((sum, child) => sum + cpuSeconds(child), 0);
}

/**
 * The collector's count of spans accepted by its OTLP receiver (gRPC and HTTP), from its own metrics (served with the
 * metrics token). The collector pushes its telemetry to itself every 5 s (otel-collector/gateway.yaml, `telemetry`),
 * so a count is up to that old: read it SETTLE_MS after the last span was sent.
 */
export async function acceptedSpans(metricsPort: number, metricsToken: string): Promise<number> {
  const response = await request(`http://127.0.0.1:${metricsPort}/metrics`, {
    headers: { authorization: `Bearer ${metricsToken}` },
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`collector metrics answered ${response.statusCode}`);
  }
  const text = await response.body.text();
  return [...text.matchAll(/^otelcol_receiver_accepted_spans(?:_total)?\{[^}]*receiver="otlp"[^}]*\} (\S+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/** How long after the last span was sent acceptedSpans() has counted it: the 5 s telemetry interval and its push. */
export const SETTLE_MS = 6_500;

/** The machine's 1-minute load average, to two decimals. */
export const loadAverage1m = (): number => Math.round(loadavg()[0]! * 100) / 100;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One request; true when it was answered as expected. A rejection counts as a failure. */
export type Send = () => Promise<boolean>;

export interface FixedRateResult {
  /** Milliseconds from each answered request's scheduled start to its answer. */
  latencies: number[];
  ok: number;
  failed: number;
}

/** Open loop: `rate` requests per second for `seconds`, each sent at its scheduled time whatever the others do. */
export async function fixedRate(send: Send, seconds: number, rate: number): Promise<FixedRateResult> {
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
      send().then(
        (answered) => {
          if (answered) {
            ok++;
            latencies.push(performance.now() - scheduled);
          } else failed++;
        },
        () => {
          failed++;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, ok, failed };
}

export interface SaturationResult {
  ok: number;
  failed: number;
  seconds: number;
}

/** Closed loop: `concurrency` requests always in flight for `seconds`. */
export async function saturate(send: Send, seconds: number, concurrency: number): Promise<SaturationResult> {
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        if (await send()) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, seconds: (performance.now() - start) / 1000 };
}
