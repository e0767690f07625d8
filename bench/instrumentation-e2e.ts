/**
 * Part 2 of the instrumentation benchmark: what full instrumentation adds to the response time of an AutoMatrix
 * request end to end — AutoMatrix (FastAPI) → RelayCore (Express) → NeuroWeaver (FastAPI) — with NeuroWeaver's
 * realistic latency model on, at a fixed rate below saturation.
 *
 * Two chains of the three services run side by side on the same PostgreSQL and Redis: one with
 * LOOKOUT_INSTRUMENTATION=off in all three, one fully instrumented (every span exported through the real gateway).
 * Both NeuroWeavers take LOOKOUT_NEUROWEAVER_SEED, so a request's simulated model time is a function of its prompt:
 * request i of a phase waits exactly as long in both chains, and the difference between them is the instrumentation,
 * not the latency model's dice. Each request executes a `lead-enrichment` workflow (a transform step, then one chat
 * completion routed to NeuroWeaver) with its own input.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Pool, request } from "undici";
import { REPO_ROOT } from "../shared/index.js";
import { components, httpReady, waitReady } from "../stack/index.js";
import { freePort, median, type PartialStack, quantile } from "../testkit/index.js";
import { fixedRate, loadAverage1m, type RequestSpec, round3, sleep } from "./load.js";

const CHAIN_VARIANTS = ["baseline", "instrumented"] as const;
type ChainVariant = (typeof CHAIN_VARIANTS)[number];

export interface EndToEndSettings {
  runs: number;
  seconds: number;
  rate: number;
  warmupSeconds: number;
  maxLoad: number;
  maxDiscarded: number;
}

export interface EndToEndPhase {
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  loadAverage1m: number;
}

export interface EndToEndFigures {
  p50Ratio: number;
  p99Ratio: number;
  medians: Record<ChainVariant, { p50Ms: number; p99Ms: number }>;
  settings: EndToEndSettings;
  discardedRuns: { run: number; loadAverage1m: number }[];
  runs: Record<ChainVariant, EndToEndPhase[]>;
}

interface Chain {
  pool: Pool;
  execute: RequestSpec;
}

async function startChain(stack: PartialStack, variant: ChainVariant, children: ChildProcess[]): Promise<Chain> {
  const specs = components(stack.ctx);
  const [nwPort, rcPort, amPort] = [await freePort(), await freePort(), await freePort()];
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const instrumentation =
    variant === "baseline"
      ? { LOOKOUT_INSTRUMENTATION: "off" }
      : { LOOKOUT_INSTRUMENTATION: "on", LOOKOUT_TRACING: "on" };
  const launch = async (name: string, port: number, env: Record<string, string>) => {
    const spec = specs.find((s) => s.name === name)!;
    const child = spawn(spec.command, spec.args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...spec.env,
        [`LOOKOUT_PORT_${name.toUpperCase()}`]: String(port),
        LOG_LEVEL: "warn",
        ...instrumentation,
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    const failure = await waitReady(httpReady(`${url(port)}/health`), 60_000, () =>
      child.exitCode !== null ? `exited with ${child.exitCode}` : undefined,
    );
    if (failure) throw new Error(`${name} (${variant}) not ready: ${failure}`);
  };
  await launch("neuroweaver", nwPort, { LOOKOUT_NEUROWEAVER_LATENCY_SCALE: "1", LOOKOUT_NEUROWEAVER_SEED: "bench" });
  await launch("relaycore", rcPort, {
    LOOKOUT_NEUROWEAVER_URL: url(nwPort),
    LOOKOUT_NEUROWEAVER_LATENCY_SCALE: "1",
    LOOKOUT_RELAYCORE_DAILY_BUDGET_USD: "1000000000",
    LOOKOUT_RELAYCORE_MONTHLY_BUDGET_USD: "1000000000",
  });
  await launch("automatrix", amPort, { LOOKOUT_RELAYCORE_URL: url(rcPort) });
  const created = await request(`${url(amPort)}/api/v1/workflows`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: `bench-${variant}`, template: "lead-enrichment" }),
  });
  const workflow = (await created.body.json()) as { id?: string };
  if (created.statusCode !== 201 && created.statusCode !== 200) {
    throw new Error(
      `automatrix (${variant}) did not create the workflow: ${created.statusCode} ${JSON.stringify(workflow)}`,
    );
  }
  return {
    pool: new Pool(url(amPort), { connections: 64 }),
    execute: {
      path: `/api/v1/workflows/${workflow.id}/execute`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: (i) => JSON.stringify({ input: { company: `Company ${i}`, note: "Enrich this lead for the sales team." } }),
    },
  };
}

export async function benchEndToEnd(
  stack: PartialStack,
  settings: EndToEndSettings,
  children: ChildProcess[],
): Promise<EndToEndFigures> {
  const chains = {} as Record<ChainVariant, Chain>;
  for (const variant of CHAIN_VARIANTS) chains[variant] = await startChain(stack, variant, children);
  const runs = { baseline: [] as EndToEndPhase[], instrumented: [] as EndToEndPhase[] };
  const discardedRuns: EndToEndFigures["discardedRuns"] = [];
  for (let run = 0; runs.baseline.length < settings.runs; run++) {
    const order = run % 2 === 0 ? CHAIN_VARIANTS : [...CHAIN_VARIANTS].reverse();
    const measured = {} as Record<ChainVariant, EndToEndPhase>;
    for (const variant of order) {
      const { pool, execute } = chains[variant];
      await fixedRate(pool, execute, settings.warmupSeconds, settings.rate);
      await sleep(1_500);
      // The same requests, numbered from 0, in both chains: the same prompts, so the same simulated model times.
      const phase = await fixedRate(pool, execute, settings.seconds, settings.rate);
      measured[variant] = {
        p50Ms: quantile(phase.latencies, 0.5),
        p99Ms: quantile(phase.latencies, 0.99),
        ok: phase.ok,
        failed: phase.failed,
        loadAverage1m: loadAverage1m(),
      };
      const p = measured[variant];
      console.log(
        `  end-to-end run ${run + 1} ${variant.padEnd(13)} p50 ${p.p50Ms.toFixed(1)} ms  p99 ${p.p99Ms.toFixed(1)} ms` +
          `${p.failed ? `  failed ${p.failed}` : ""}  load ${p.loadAverage1m}`,
      );
    }
    const worst = Math.max(measured.baseline.loadAverage1m, measured.instrumented.loadAverage1m);
    if (worst > settings.maxLoad && discardedRuns.length < settings.maxDiscarded) {
      discardedRuns.push({ run: run + 1, loadAverage1m: worst });
      console.log(`  end-to-end run ${run + 1} discarded: load average ${worst} > ${settings.maxLoad}`);
      continue;
    }
    runs.baseline.push(measured.baseline);
    runs.instrumented.push(measured.instrumented);
  }
  const ratio = (m: "p50Ms" | "p99Ms") => round3(median(runs.instrumented.map((p, i) => p[m] / runs.baseline[i]![m])));
  const medians = (v: ChainVariant) => ({
    p50Ms: round3(median(runs[v].map((p) => p.p50Ms))),
    p99Ms: round3(median(runs[v].map((p) => p.p99Ms))),
  });
  return {
    p50Ratio: ratio("p50Ms"),
    p99Ratio: ratio("p99Ms"),
    medians: { baseline: medians("baseline"), instrumented: medians("instrumented") },
    settings,
    discardedRuns,
    runs,
  };
}
