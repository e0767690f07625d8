/**
 * `npm run bench -- alerts`: how fast each injected fault reaches the aggregator's webhook as a notification, against
 * the running native stack (testkit/alert-scenarios.ts), next to its requirement (issue 7: 30 s for critical alerts, an
 * aim of 15 s for a hard down). Each scenario is injected LOOKOUT_BENCH_ALERT_RUNS times (default 3; the synthetic
 * flow once), the scenarios taking turns so that one alert's wait to resolve overlaps the others' measurements; the
 * table shows the median and the range. LOOKOUT_BENCH_ALERT_SCENARIOS picks a subset by name. Interrupted (SIGINT/SIGTERM), it stops the stack it started. Writes bench/results/alerts.json. The path's budget is in docs/runbook.md ("Latency budget").
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/index.js";
import { measure, type Scenario, SCENARIOS, startAlertStack, waitResolved, median } from "../testkit/index.js";

const runs = Number(process.env.LOOKOUT_BENCH_ALERT_RUNS ?? "3");

// LOOKOUT_BENCH_ALERT_SCENARIOS: a comma-separated subset of the scenario names (e.g. "latency spike,hard down").
const only = (process.env.LOOKOUT_BENCH_ALERT_SCENARIOS ?? "")
  .split(",")
  .map((n) => n.trim())
  .filter(Boolean);
const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(
    `LOOKOUT_BENCH_ALERT_SCENARIOS: unknown ${unknown.map((n) => JSON.stringify(n)).join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const scenarios = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;

const stack = await startAlertStack();
const seconds = new Map<Scenario, number[]>(scenarios.map((s) => [s, []]));
const repetitions = (s: Scenario) => (s.alertname === "SyntheticFlowFailing" ? 1 : runs);
try {
  // Rates and recording rules need a few samples first.
  await new Promise((r) => setTimeout(r, 60_000));
  // Round-robin: each scenario fires its own alert on its own service, so while one alert waits to resolve (a 5-minute
  // latency window takes over 5 minutes) the others are measured. Before each injection its alert must have resolved,
  // or it would not notify again.
  for (let round = 0; round < runs; round++) {
    for (const scenario of scenarios) {
      if (round >= repetitions(scenario)) continue;
      await waitResolved(stack, (a) => a.alertname === scenario.alertname && a.service === scenario.service, 600_000);
      const { seconds: s } = await measure(
        stack,
        scenario,
        scenario.alertname === "SyntheticFlowFailing" ? 420_000 : 180_000,
      );
      seconds.get(scenario)!.push(Math.round(s * 10) / 10);
      console.log(`${scenario.name} (run ${round + 1}): ${Math.round(s * 10) / 10} s`);
    }
  }
} finally {
  await stack.stop();
}
const rows = scenarios.map((scenario) => {
  const measured = seconds.get(scenario)!;
  const m = median(measured);
  return {
    scenario: scenario.name,
    alert: `${scenario.alertname}{service="${scenario.service}"}`,
    runs: measured,
    median: m,
    requirement: scenario.requirementSeconds,
    aim: scenario.aimSeconds,
    meets: m <= scenario.requirementSeconds,
  };
});
console.table(
  rows.map((r) => ({
    scenario: r.scenario,
    alert: r.alert,
    "median s": r.median,
    "min–max s": `${Math.min(...r.runs)}–${Math.max(...r.runs)}`,
    "required s": r.requirement,
    "aim s": r.aim ?? "",
    meets: r.meets ? "yes" : "NO",
  })),
);
const load = loadavg();
console.log(`load average ${load.map((l) => l.toFixed(2)).join(" ")} (2-core machine shared with other work)`);
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  join(REPO_ROOT, "bench", "results", "alerts.json"),
  `${JSON.stringify({ at: new Date().toISOString(), loadAverage: load, runsPerScenario: runs, rows }, null, 2)}\n`,
);
