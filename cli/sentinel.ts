/**
 * `lookout sentinel`: runs the sentinel (sentinel/) in the foreground until SIGINT or SIGTERM, logging JSON lines to
 * stdout; `--check` only validates the config. Exit code 0 on a clean stop or a valid config, 1 for a bad config, 2
 * for a usage error.
 */
import { createSentinel, loadSentinelConfig } from "../sentinel/index.js";
import { LookoutError } from "../shared/index.js";
import { parseCommand, stringValue } from "./args.js";

export const SENTINEL_HELP = `Usage: lookout sentinel --config FILE [--check]

Watches the stack from another host (docs/sentinel.md): expects Alertmanager's Watchdog heartbeat at
POST /api/v1/heartbeat (bearer token) every heartbeat.interval, probes the public status page every probe.interval,
and notifies its own receivers (webhook, e-mail, chat) when either stops — once per incident, again every
notify.renotify, and when it is back. Serves /health, and /metrics behind metrics.token_file/_env.

  --config FILE   the sentinel's YAML config (schema: sentinel/config.schema.json); default $LOOKOUT_SENTINEL_CONFIG
  --check         validate the config (reading every secret it names), print a summary and exit

Secrets are never in the file: each is <name>_file or <name>_env. Logs are JSON lines on stdout.`;

export async function sentinel(args: string[], out: (line: string) => void, env = process.env): Promise<number> {
  const parsed = parseCommand(
    "sentinel",
    args,
    { config: { type: "string" }, check: { type: "boolean" } },
    SENTINEL_HELP,
  );
  const file = stringValue(parsed, "config") ?? env.LOOKOUT_SENTINEL_CONFIG;
  if (!file) throw new LookoutError("LOOKOUT_ERR_USAGE", `sentinel needs --config FILE\n\n${SENTINEL_HELP}`);
  const config = loadSentinelConfig(file, env);
  if (parsed.values.check === true) {
    out(`${file}: valid`);
    if (config.heartbeat) {
      out(
        `  heartbeat  every ${config.heartbeat.intervalMs / 1000}s + ${config.heartbeat.graceMs / 1000}s grace (${config.heartbeat.alertname})`,
      );
    }
    if (config.probe) {
      out(
        `  probe      ${config.probe.url} every ${config.probe.intervalMs / 1000}s, ${config.probe.failures} failures to notify`,
      );
    }
    out(`  receivers  ${config.notify.receivers.map((r) => `${r.name} (${r.kind})`).join(", ")}`);
    return 0;
  }
  const log = (event: Record<string, unknown>) =>
    out(JSON.stringify({ time: new Date().toISOString(), sentinel: config.name, ...event }));
  const running = createSentinel(config, { log });
  const address = await running.listen().catch((error: Error) => {
    throw new LookoutError(
      "LOOKOUT_ERR_PORT_IN_USE",
      `sentinel cannot listen on ${config.listen.host}:${config.listen.port}: ${error.message}`,
    );
  });
  log({ event: "listening", address });
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  log({ event: "stopping", signal });
  await running.close();
  return 0;
}
