/** AutoMatrix's process: instrumentation first, then the app (see demo/shared/main.ts). */
import { runService } from "../shared/main.js";
import { demoSettings, upstreamUrl } from "../shared/settings.js";

runService("automatrix", async (instrumentation) => {
  const env = process.env;
  const settings = demoSettings(env, "LOOKOUT_PORT_AUTOMATRIX", 8001);
  const relaycoreUrl = upstreamUrl(env, "LOOKOUT_RELAYCORE_URL");
  const { openStores } = await import("../shared/stores.js");
  const { healthOf } = await import("../shared/upstream.js");
  const { buildAutoMatrix, autoMatrixFaults, AUTOMATRIX_SCHEMA } = await import("./app.js");
  const faults = autoMatrixFaults();
  const stores = await openStores({
    instrumentation,
    faults,
    postgresUrl: settings.postgresUrl,
    database: "automatrix",
    redisUrl: settings.redisUrl,
    schema: AUTOMATRIX_SCHEMA,
  });
  // Without RelayCore only AI steps fail: degraded, not unhealthy.
  stores.checks.push({ name: "relaycore", critical: false, check: healthOf(relaycoreUrl, "relaycore", faults) });
  const health = instrumentation.healthMonitor(stores.checks);
  await health.start();
  const app = buildAutoMatrix({
    health,
    instrumentation,
    settings,
    stores,
    faults,
    relaycoreUrl,
    upstreamTimeoutMs: Number(env.LOOKOUT_AUTOMATRIX_UPSTREAM_TIMEOUT_MS ?? "45000"),
  });
  await app.listen({ host: settings.host, port: settings.port });
  instrumentation.logger.info({ port: settings.port }, "automatrix listening");
  return {
    close: async () => {
      health.stop();
      await app.close();
      await stores.close();
    },
  };
});
