/** RelayCore's process: instrumentation first, then the app (see demo/shared/main.ts). */
import { runService } from "../shared/main.js";
import { demoSettings, upstreamUrl } from "../shared/settings.js";

runService("relaycore", async (instrumentation) => {
  const env = process.env;
  const settings = demoSettings(env, "LOOKOUT_PORT_RELAYCORE", 8002);
  const neuroweaverUrl = upstreamUrl(env, "LOOKOUT_NEUROWEAVER_URL");
  const { openStores } = await import("../shared/stores.js");
  const { healthOf } = await import("../shared/upstream.js");
  const { buildRelayCore, relayCoreFaults, RELAYCORE_SCHEMA } = await import("./app.js");
  const faults = relayCoreFaults();
  const stores = await openStores({
    instrumentation,
    faults,
    postgresUrl: settings.postgresUrl,
    database: "relaycore",
    redisUrl: settings.redisUrl,
    schema: RELAYCORE_SCHEMA,
  });
  // NeuroWeaver down is survivable (the fallback provider answers): degraded, not unhealthy.
  stores.checks.push({ name: "neuroweaver", critical: false, check: healthOf(neuroweaverUrl, "neuroweaver", faults) });
  const health = instrumentation.healthMonitor(stores.checks);
  await health.start();
  const app = buildRelayCore({
    health,
    instrumentation,
    settings,
    stores,
    faults,
    neuroweaverUrl,
    dailyBudgetUsd: Number(env.LOOKOUT_RELAYCORE_DAILY_BUDGET_USD ?? "50"),
    monthlyBudgetUsd: Number(env.LOOKOUT_RELAYCORE_MONTHLY_BUDGET_USD ?? "1000"),
    upstreamTimeoutMs: Number(env.LOOKOUT_RELAYCORE_UPSTREAM_TIMEOUT_MS ?? "30000"),
    latencyScale: Number(env.LOOKOUT_NEUROWEAVER_LATENCY_SCALE ?? "1"),
  });
  const server = app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  instrumentation.logger.info({ port: settings.port }, "relaycore listening");
  return {
    close: async () => {
      health.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stores.close();
    },
  };
});
