/**
 * `npm run bench -- synthetics`: what trace assertions add to a synthetic run. Each built-in flow runs against the
 * demo stand-ins of a partial native stack (the real collector and Jaeger), in this process, with and without its
 * trace assertions, taking turns (`BENCH_RUNS` each, default 5); prints the median run time of both and the added
 * median, and writes bench/results/synthetics.json. The added time is mostly the gateway's tail-sampling decision
 * wait (`LOOKOUT_SAMPLING_DECISION_WAIT`, 10 s by default), which the runner must wait out before Jaeger holds the
 * trace.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/index.js";
import {
  BUILTIN_FLOWS,
  createTracing,
  jaegerTraceSource,
  runFlow,
  type Flow,
  type RunResult,
} from "../synthetics/index.js";
import { jaegerEndpoint, median, startPartialStack } from "../testkit/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const stack = await startPartialStack([
  "postgres",
  "redis",
  "jaeger",
  "collector",
  "neuroweaver",
  "relaycore",
  "automatrix",
]);
const tracing = createTracing({
  endpoint: `http://127.0.0.1:${stack.ctx.ports.OTLP_GRPC}`,
  token: stack.ctx.secrets.otlp_token.value,
});
const jaeger = jaegerEndpoint(stack.ctx.ports.JAEGER_QUERY, stack.ctx.layout.secrets);
const urls = {
  automatrix: `http://127.0.0.1:${stack.ctx.ports.AUTOMATRIX}`,
  relaycore: `http://127.0.0.1:${stack.ctx.ports.RELAYCORE}`,
  neuroweaver: `http://127.0.0.1:${stack.ctx.ports.NEUROWEAVER}`,
};
const env = { ...process.env, LOOKOUT_SYNTHETIC_PASSWORD: stack.ctx.secrets.synthetic_password.value };

const once = (flow: Flow, traced: boolean): Promise<RunResult> =>
  runFlow(traced ? flow : { ...flow, traceAssertions: [] }, {
    tracer: tracing.tracer,
    urls,
    env,
    trigger: "local",
    traces: {
      source: jaegerTraceSource({ url: jaeger.url, dispatcher: jaeger.dispatcher }),
      flush: () => tracing.flush(),
    },
  });

interface Row {
  flow: string;
  withoutMs: number[];
  withMs: number[];
  waitMs: number[];
  failed: string[];
}
const rows: Row[] = [];
try {
  for (const flow of BUILTIN_FLOWS) {
    const row: Row = { flow: flow.name, withoutMs: [], withMs: [], waitMs: [], failed: [] };
    for (let i = 0; i < RUNS; i++)
      for (const traced of i % 2 === 0 ? [false, true] : [true, false]) {
        const run = await once(flow, traced);
        if (run.outcome !== "success") row.failed.push(`${traced ? "with" : "without"}: ${run.error ?? run.outcome}`);
        (traced ? row.withMs : row.withoutMs).push(run.durationMs);
        if (traced && run.trace) row.waitMs.push(run.trace.durationMs);
      }
    rows.push(row);
  }
} finally {
  await tracing.shutdown();
  await stack.stop();
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nflow                   without      with         added (medians of ${RUNS})   trace wait`);
for (const r of rows) {
  const without = median(r.withoutMs);
  const withTrace = median(r.withMs);
  console.log(
    `${r.flow.padEnd(22)} ${s(without).padEnd(12)} ${s(withTrace).padEnd(12)} ${s(withTrace - without).padEnd(24)} ${s(median(r.waitMs))}`,
  );
  for (const f of r.failed) console.log(`  ! a run failed: ${f}`);
}
const out = join(REPO_ROOT, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "synthetics.json"),
  `${JSON.stringify({ runs: RUNS, at: new Date().toISOString(), rows }, null, 2)}\n`,
);
