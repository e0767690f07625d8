/**
 * The process side of a demo service: instrument first, then import and start the app (so the libraries it loads are
 * patched), listen, and close cleanly on SIGTERM/SIGINT. Each service's server.ts is one call to runService().
 */
import { instrument, type Instrumentation } from "@lookout/instrumentation";
import { LookoutError } from "../../shared/index.js";
import { loadSecretFiles } from "./settings.js";

export interface RunningService {
  /** Stops accepting requests and closes pools and clients. */
  close(): Promise<void>;
}

export function runService(
  serviceName: string,
  start: (instrumentation: Instrumentation) => Promise<RunningService>,
): void {
  const main = async () => {
    loadSecretFiles(process.env);
    // The demo's Node services are Express apps set up with installExpress(): it makes their server spans.
    const instrumentation = await instrument({ serviceName, expressServerSpans: true });
    let service: RunningService;
    try {
      service = await start(instrumentation);
    } catch (error) {
      await instrumentation.shutdown();
      throw error;
    }
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      instrumentation.logger.info({ signal }, "shutting down");
      service
        .close()
        .then(() => instrumentation.shutdown())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            instrumentation.logger.error({ err: error }, "error while closing");
            process.exit(1);
          },
        );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
  };
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code =
      error instanceof LookoutError || (error as { code?: string }).code
        ? (error as { code?: string }).code
        : undefined;
    process.stderr.write(
      `${JSON.stringify({ level: 60, name: serviceName, code, msg: `failed to start: ${message}` })}\n`,
    );
    process.exit(1);
  });
}
