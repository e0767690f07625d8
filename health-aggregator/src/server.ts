/**
 * The aggregator process: logger, settings, config (re)loading, signals, listen. Everything else is built by
 * `new Aggregator()` (aggregator.ts) and buildApp() (app.ts). SIGHUP or an edit of the config file reloads it; an invalid new config is logged
 * with its file, line and path, and the running config stays in force. SIGTERM/SIGINT stop checking, finish the
 * writes in progress and close the database before exiting.
 */
import { watch } from "node:fs";
import { pino } from "pino";
import { LookoutError } from "../../shared/index.js";
import { Aggregator } from "./aggregator.js";
import { buildApp } from "./app.js";
import { settingsFromEnv } from "./config.js";
import { loadConfigFile } from "./config/load.js";
import { jaegerTraceSourceFromEnv, tracingFromEnv } from "../../synthetics/index.js";

const logger = pino({ name: "health-aggregator", level: process.env.LOG_LEVEL ?? "info" });

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const config = loadConfigFile(settings.configPath);
  // Synthetic runs are traced to the gateway (OTEL_EXPORTER_OTLP_ENDPOINT, bearer LOOKOUT_OTLP_TOKEN).
  const tracing = tracingFromEnv();
  // The flows' trace assertions read each run's trace from Jaeger's query API (LOOKOUT_JAEGER_QUERY_URL).
  const source = jaegerTraceSourceFromEnv();
  if (!source) logger.warn("LOOKOUT_JAEGER_QUERY_URL is not set: synthetic flows' trace assertions are not evaluated");
  const aggregator = new Aggregator({
    config,
    dataDir: settings.dataDir,
    logger,
    tracer: tracing.tracer,
    ...(source ? { traces: { source, flush: () => tracing.flush() } } : {}),
  });
  const app = buildApp({ settings, aggregator, logger });

  const reload = (why: string) => {
    try {
      aggregator.reload(loadConfigFile(settings.configPath));
      logger.info({ why, targets: aggregator.engine.currentConfig.targets.length }, "config reloaded");
    } catch (error) {
      logger.error(
        { why, err: error instanceof LookoutError ? error.message : error },
        "config reload refused; the previous config stays in force",
      );
    }
  };
  process.on("SIGHUP", () => reload("SIGHUP"));
  let debounce: NodeJS.Timeout | undefined;
  const watcher = watch(settings.configPath, () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => reload("file changed"), 250);
  });
  watcher.unref();

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    watcher.close();
    app
      .close()
      .then(() => aggregator.close())
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "error while closing");
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  await app.listen({ host: settings.host, port: settings.port });
  aggregator.start();
  logger.info({ targets: config.targets.length, config: settings.configPath }, "checking targets");
}

main().catch((error: unknown) => {
  if (error instanceof LookoutError) logger.fatal({ code: error.code }, error.message);
  else logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
