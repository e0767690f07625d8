/** NeuroWeaver's process: instrumentation first, then the app (see demo/shared/main.ts). */
import { runService } from "../shared/main.js";
import { demoSettings } from "../shared/settings.js";

runService("neuroweaver", async (instrumentation) => {
  const settings = demoSettings(process.env, "LOOKOUT_PORT_NEUROWEAVER", 8003);
  const { openStores } = await import("../shared/stores.js");
  const { buildNeuroWeaver, neuroWeaverFaults, NEUROWEAVER_SCHEMA } = await import("./app.js");
  const faults = neuroWeaverFaults();
  const stores = await openStores({
    instrumentation,
    faults,
    postgresUrl: settings.postgresUrl,
    database: "neuroweaver",
    redisUrl: settings.redisUrl,
    schema: NEUROWEAVER_SCHEMA,
  });
  const latencyScale = Number(process.env.LOOKOUT_NEUROWEAVER_LATENCY_SCALE ?? "1");
  const health = instrumentation.healthMonitor(stores.checks);
  await health.start();
  const app = buildNeuroWeaver({
    health,
    instrumentation,
    settings,
    stores,
    faults,
    latencyScale,
  });
  await app.listen({ host: settings.host, port: settings.port });
  instrumentation.logger.info({ port: settings.port }, "neuroweaver listening");
  return {
    close: async () => {
      health.stop();
      await app.close();
      await stores.close();
    },
  };
});
