/**
 * `npm run bench`: runs every benchmark under bench/ one after another (they would disturb each other in parallel),
 * each printing its table and writing bench/results/<name>.json. `npm run bench -- stack` runs one.
 */
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  stack: () => import("./stack.js"),
  collector: () => import("./collector.js"),
  instrumentation: () => import("./instrumentation.js"),
  aggregator: () => import("./aggregator.js"),
  dashboards: () => import("./dashboards.js"),
  alerts: () => import("./alerts.js"),
  synthetics: () => import("./synthetics.js"),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; available: ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  console.log(`\n=== bench: ${name}`);
  await BENCHMARKS[name]!();
}
