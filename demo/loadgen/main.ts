/**
 * The load generator's process (a component of `npm start`; LOOKOUT_LOADGEN=off leaves it out). Sends
 * LOOKOUT_LOADGEN_RPS requests per second (default 2) and writes its counters to LOOKOUT_LOADGEN_STATUS_FILE every
 * few seconds, which is also its readiness signal. It never logs what it sends.
 */
import { writeFileSync } from "node:fs";
import { upstreamUrl } from "../shared/settings.js";
import { LoadGenerator } from "./loadgen.js";
import { seeded } from "./pii.js";

const env = process.env;
const rate = Number(env.LOOKOUT_LOADGEN_RPS ?? "2");
if (!(rate > 0 && rate <= 1000)) {
  process.stderr.write(`LOOKOUT_LOADGEN_RPS=${env.LOOKOUT_LOADGEN_RPS} is not a rate between 0 and 1000\n`);
  process.exit(1);
}
const statusFile = env.LOOKOUT_LOADGEN_STATUS_FILE;
const generator = new LoadGenerator(
  {
    automatrixUrl: upstreamUrl(env, "LOOKOUT_AUTOMATRIX_URL"),
    neuroweaverUrl: upstreamUrl(env, "LOOKOUT_NEUROWEAVER_URL"),
  },
  seeded(Date.now()),
);
const report = () => {
  const line = JSON.stringify({ at: new Date().toISOString(), rate, ...generator.stats });
  if (statusFile) writeFileSync(statusFile, `${line}\n`);
  process.stdout.write(`${line}\n`);
};
generator.start(rate);
report();
const reporter = setInterval(report, 10_000);
const stop = () => {
  clearInterval(reporter);
  void generator.stop().then(() => {
    report();
    process.exit(0);
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
