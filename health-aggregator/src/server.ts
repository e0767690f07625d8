/** The aggregator process: logger, settings, signals, listen. Everything else is in buildApp(). */
import pino from "pino";
import { LookoutError } from "../../stack/errors.js";
import { buildApp } from "./app.js";
import { settingsFromEnv } from "./config.js";

const logger = pino({ name: "health-aggregator", level: process.env.LOG_LEVEL ?? "info" });

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const app = buildApp({ settings, logger });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    app.close().then(
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
}

main().catch((error: unknown) => {
  if (error instanceof LookoutError) logger.fatal({ code: error.code }, error.message);
  else logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
