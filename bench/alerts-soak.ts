/**
 * `npm run soak:alerts`: the silence requirement of issue 7 — normal load with realistic noise produces no
 * notification but the watchdog's. Starts the whole native stack (demo services and load generator), lets it warm up,
 * then for LOOKOUT_SOAK_MINUTES (default 20) keeps the load generator's jittered mix running and adds noise:
 * isolated errors (errorRate 1 for 150 ms on a random service, six times) and one rolling restart of a service (its
 * process is stopped and the supervisor starts it again). Every notification the aggregator's webhook receives is
 * recorded; the run fails if any but the Watchdog's arrives. Writes bench/results/alerts-soak.json.
 *
 * Not part of `npm test` (it takes 20 minutes); run it before changing a threshold, window or `for`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/index.js";
import { type AlertRecord, type DemoService, newFiring, startAlertStack } from "../testkit/index.js";

const minutes = Number(process.env.LOOKOUT_SOAK_MINUTES ?? "20");
const warmupSeconds = Number(process.env.LOOKOUT_SOAK_WARMUP_SECONDS ?? "120");
if (!(minutes > 0) || !(warmupSeconds >= 0)) {
  console.error("LOOKOUT_SOAK_MINUTES must be > 0 and LOOKOUT_SOAK_WARMUP_SECONDS ≥ 0");
  process.exit(2);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SERVICES: DemoService[] = ["automatrix", "relaycore", "neuroweaver"];

const stack = await startAlertStack();
const events: { at: string; what: string }[] = [];
const log = (what: string) => {
  events.push({ at: new Date().toISOString(), what });
  console.log(`${new Date().toISOString().slice(11, 19)} ${what}`);
};
let failed = false;
try {
  log(`stack up in ${stack.home}; warming up ${warmupSeconds}s`);
  await sleep(warmupSeconds * 1000);
  const atStart = await stack.alerts();
  const warmupNoise = atStart.filter((a) => a.alertname !== "Watchdog");
  log(`soak starts: ${minutes} min; notifications during warm-up (not counted): ${warmupNoise.length}`);
  const start = Date.now();
  const end = start + minutes * 60_000;
  // Noise spread over the run: six isolated errors, one rolling restart a third of the way in.
  const noise: { at: number; run: () => Promise<void> }[] = [];
  for (let i = 0; i < 6; i++) {
    const service = SERVICES[i % 3]!;
    noise.push({
      at: start + ((i + 0.5) / 6) * (end - start),
      run: async () => {
        await stack.faults(service, { errorRate: 1 });
        await sleep(150);
        await stack.faults(service, "reset");
        log(`isolated errors on ${service}`);
      },
    });
  }
  noise.push({
    at: start + (end - start) / 3,
    run: async () => {
      stack.restart("neuroweaver");
      log("rolling restart of neuroweaver (SIGTERM; the supervisor restarts it)");
      await Promise.resolve();
    },
  });
  noise.sort((a, b) => a.at - b.at);
  let received: AlertRecord[] = [];
  const everNotified = new Map<string, AlertRecord>();
  while (Date.now() < end) {
    while (noise.length > 0 && noise[0]!.at <= Date.now()) await noise.shift()!.run();
    received = newFiring(atStart, await stack.alerts());
    // Kept across polls: an alert that fired and resolved since still counts.
    for (const a of received) everNotified.set(`${a.alertname}|${a.service}|${a.startsAt}`, a);
    if (received.length > 0) log(`NOTIFIED: ${received.map((a) => `${a.alertname}/${a.service}`).join(", ")}`);
    await sleep(5_000);
  }
  const all = await stack.alerts();
  const watchdog = all.filter((a) => a.alertname === "Watchdog").length;
  for (const a of newFiring(atStart, all)) everNotified.set(`${a.alertname}|${a.service}|${a.startsAt}`, a);
  received = [...everNotified.values()];
  failed = received.length > 0;
  const result = {
    minutes,
    warmupSeconds,
    loadAverage: loadavg(),
    notificationsButWatchdog: received,
    watchdogNotificationsRecorded: watchdog,
    warmupNotifications: warmupNoise,
    events,
    verdict: failed ? "FAIL: notifications in normal operation" : "PASS: only the watchdog notified",
  };
  mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(REPO_ROOT, "bench", "results", "alerts-soak.json"), `${JSON.stringify(result, null, 2)}\n`);
  log(
    `${result.verdict} (${received.length} other notifications; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
