/**
 * The `lookout` command. bin/lookout.mjs installs dependencies and compiles, then calls main(argv).
 */
import { readFileSync } from "node:fs";
import { resolve, join } from "node:path";
import { LookoutError, lookoutCache, lookoutHome, REPO_ROOT } from "../shared/index.js";
import { adminToken } from "./admin-token.js";
import { type OptionSpec, parseCommand, stringValue } from "./args.js";
import {
  PORT_SPECS,
  resolvePorts,
  stackDown,
  stackStatus,
  stackUp,
  ALL_TOOLS,
  setup,
  type ToolName,
  validateAll,
  chartDrift,
  syncChart,
  COLLECTOR_STABLE_VERSION,
  COLLECTOR_VERSION,
  DEBIAN_PACKAGES,
  HELM_VERSION,
  JAEGER_COMMIT,
  JAEGER_MODULE_VERSION,
  JAEGER_RELEASE,
  TELEMETRYGEN_VERSION,
} from "../stack/index.js";
import { renderConfigs } from "./render.js";
import { sentinel, SENTINEL_HELP } from "./sentinel.js";
import { synthetics, SYNTHETICS_HELP } from "./synthetics.js";
import { DASHBOARD_DIR, dashboardDrift, writeDashboards } from "../dashboards/index.js";
import { apiDrift, writeApiFiles } from "../health-aggregator/index.js";

const HELP: Record<string, string> = {
  main: `lookout — production monitoring for AutoMatrix, RelayCore and NeuroWeaver

Usage: lookout <command> [options]

Commands:
  stack up          start the whole stack natively, in the foreground (Ctrl-C stops it); installs what is missing
  stack down        stop a stack started from another terminal
  stack status      show each component's process and readiness
  setup             install or build every real component (Debian packages, the Python environment, collector, Jaeger, telemetrygen, helm)
  validate          check every config file with its component's own validator
  render            fill the \${NAME} placeholders of the Prometheus and Alertmanager configs (used by compose)
  ports             print the ports table (defaults and LOOKOUT_PORT_* overrides)
  synthetics run <flow>  run a synthetic flow now (through the aggregator, or --local) and print its result
  dashboards build  write the Grafana dashboards (dashboards/*.ts) as JSON into grafana-provisioning/dashboards/json/
  dashboards check  fail when that JSON and its sources disagree
  api build         write the aggregator's OpenAPI document and the typed client's types generated from its routes
  api check         fail when those committed files and the routes disagree
  helm sync         copy the config files the Helm chart renders from into deploy/helm/lookout/files/
  helm check        fail when a copy in the chart and its source disagree
  admin token       mint a short-lived JWT for the aggregator's admin API
  sentinel          watch the stack from another host: Watchdog heartbeat and status page (docs/sentinel.md)
  help <command>    help for one command
  --version         Lookout's version and every pinned component's

Environment:
  LOOKOUT_HOME      data, logs, secrets (default ~/.local/share/lookout; /var/lib/lookout as root)
  LOOKOUT_CACHE     built tools (default ~/.cache/lookout)
  LOOKOUT_OTLP_TOKEN, LOOKOUT_METRICS_TOKEN, LOOKOUT_ADMIN_TOKEN
                    tokens; generated and stored in LOOKOUT_HOME/secrets when unset
  LOOKOUT_PORT_<NAME>  move one port (see \`lookout ports\`)
  LOOKOUT_RETENTION Prometheus retention, 1h to 1y (default 30d)

Every command accepts --help. Docs: README.md, docs/setup.md, docs/troubleshooting.md.`,
  stack: `Usage: lookout stack up|down|status

  up       Start every component on loopback as supervised child processes, wait for each to be ready, print the
           URLs, and stay in the foreground. Ctrl-C or SIGTERM stops everything. Missing tools are installed first.
           --no-setup   fail instead of installing missing tools
  down     Stop the stack running for this LOOKOUT_HOME (sends SIGTERM to its supervisor and waits).
  status   Print each component's pid, state and URL; exit code 0 only when everything is up and ready.`,
  setup: `Usage: lookout setup [--only debian,python,collector,jaeger,telemetrygen,compose-check,helm,kube-check]

Installs the Debian packages (prometheus, promtool, alertmanager, amtool, exporters, postgresql, redis, chromium)
and builds the Go tools into LOOKOUT_CACHE/tools, keyed by version. Idempotent: a second run only checks.`,
  validate: `Usage: lookout validate

Runs otelcol validate, jaeger validate, promtool check config / check rules / test rules, amtool check-config,
Lookout's compose check, and the Helm chart's checks (helm lint and template over deploy/helm/lookout/ci/*-values.yaml,
kube-check, and each rendered config through its validator). Exit code 1 if any check fails; each failure names the file and what was wrong.`,
  render: `Usage: lookout render --out DIR

Fills the \${NAME} placeholders of prometheus/prometheus.yml and alerts/alertmanager.yml from environment variables
of the same names and writes the results to DIR. A placeholder without a value is an error naming file and line.
Also writes DIR/web-config.yml, the basic-auth web configuration (user lookout, the bcrypt hash of the password in
the file LOOKOUT_WEB_PASSWORD_FILE) that Prometheus, Alertmanager and the exporters read, and DIR/tls/, the stack's CA
and the server and client certificates of Jaeger and the Redis exporter (created once, renewed near expiry).`,
  dashboards: `Usage: lookout dashboards build|check [--dir DIR]

  build    Build every dashboard from its TypeScript source (dashboards/*.ts, Grafana's foundation SDK) and write
           <uid>.json into grafana-provisioning/dashboards/json/ (or DIR). Commit the result: Grafana provisions it.
  check    Exit 1, naming each file, when a committed JSON is missing, differs from its source or has no source.
           docs/dashboards.md describes every dashboard and panel.`,
  admin: `Usage: lookout admin token [--ttl 15m] [--subject NAME] [--read-only] [--config FILE]

Prints a JWT for the health aggregator's admin API (maintenance windows, silences), signed HS256 with the secret
in LOOKOUT_ADMIN_JWT_SECRET or LOOKOUT_HOME/secrets/admin_jwt_secret (generated by the stack's first start), with the
issuer, audience and write claim of the aggregator's config (health-aggregator/lookout.yml, or --config /
LOOKOUT_AGGREGATOR_CONFIG).

  --ttl DURATION   lifetime, 1s to 24h (default 15m)
  --subject NAME   the token's sub, recorded as who created a window or silence (default: $USER, or "operator")
  --read-only      leave out the write claim: the token can list, not change

  TOKEN=$(lookout admin token)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/admin/maintenance`,
  api: `Usage: lookout api build|check

  build    Build the health aggregator's app, generate its OpenAPI 3.1 document from the routes' schemas and write it
           to health-aggregator/openapi.json, and its TypeScript types (openapi-typescript) to api-client/schema.ts.
           Commit both: the api-client package and its users are typed from them.
  check    Exit 1, naming each file, when one is missing or differs from what the routes generate.`,
  helm: `Usage: lookout helm sync|check

  sync     Copy the repository's config files that deploy/helm/lookout renders (collector, Prometheus, Alertmanager,
           rules, the aggregator's targets, Jaeger, Grafana provisioning) into its files/ folder. Commit the result.
  check    Exit 1, naming each file, when a copy is missing, differs from its source or has no source.`,
  synthetics: SYNTHETICS_HELP,
  sentinel: SENTINEL_HELP,
  ports: `Usage: lookout ports [--markdown]

Prints every port of the native stack with its component; LOOKOUT_PORT_<NAME> moves one.`,
};

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Lookout's version and every pinned component's, for `lookout --version`. */
export function versionText(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  return [
    `lookout ${pkg.version}`,
    `  opentelemetry collector  v${COLLECTOR_VERSION} (core v${COLLECTOR_STABLE_VERSION}, built with ocb)`,
    `  telemetrygen             v${TELEMETRYGEN_VERSION}`,
    `  jaeger                   ${JAEGER_RELEASE} (module ${JAEGER_MODULE_VERSION}, commit ${JAEGER_COMMIT.slice(0, 12)})`,
    `  helm                     ${HELM_VERSION} (renders and lints deploy/helm/lookout)`,
    `  debian packages          ${DEBIAN_PACKAGES.map((d) => d.name).join(", ")}`,
  ].join("\n");
}

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/** Parses a command's arguments strictly, with --help/-h allowed everywhere. */
function parse(command: string, args: readonly string[], options: OptionSpec, positionals = 0, label = command) {
  return parseCommand(label, args, { ...HELP_OPTION, ...options }, HELP[command] ?? HELP.main!, positionals);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === "--help" || command === "-h" || command === "help") {
      const topic = command === "help" ? rest[0] : undefined;
      out(HELP[topic ?? "main"] ?? HELP.main!);
      return 0;
    }
    if (command === "--version" || command === "-V" || command === "version") {
      out(versionText());
      return 0;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      out(HELP[command] ?? HELP.main!);
      return 0;
    }
    switch (command) {
      case "stack": {
        const [sub, ...subArgs] = rest;
        if (sub === "up") {
          const { values } = parse("stack", subArgs, { "no-setup": { type: "boolean" } }, 0, "stack up");
          return await stackUp({ setupMissing: values["no-setup"] !== true, out });
        }
        if (sub === "down" || sub === "status") parse("stack", subArgs, {}, 0, `stack ${sub}`);
        if (sub === "down") return await stackDown(out);
        if (sub === "status") return await stackStatus(out);
        throw new LookoutError(
          "LOOKOUT_ERR_USAGE",
          `unknown stack command ${JSON.stringify(sub ?? "")}\n\n${HELP.stack}`,
        );
      }
      case "setup": {
        const only = stringValue(parse("setup", rest, { only: { type: "string" } }), "only");
        const tools = only ? (only.split(",") as ToolName[]) : [...ALL_TOOLS];
        const unknown = tools.filter((t) => !ALL_TOOLS.includes(t));
        if (unknown.length > 0) {
          throw new LookoutError(
            "LOOKOUT_ERR_USAGE",
            `unknown tool ${unknown.join(", ")}; choose from ${ALL_TOOLS.join(", ")}`,
          );
        }
        out(`lookout setup — tools cache: ${lookoutCache()}`);
        await setup(out, tools);
        return 0;
      }
      case "validate": {
        parse("validate", rest, {});
        const results = validateAll();
        for (const result of results) {
          out(`${result.ok ? "✓" : "✗"} ${result.name} (${result.file})`);
          if (!result.ok || result.output.includes("WARN")) {
            for (const line of result.output.split("\n").filter(Boolean)) out(`    ${line}`);
          }
        }
        const failed = results.filter((r) => !r.ok).length;
        out(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
        return failed === 0 ? 0 : 1;
      }
      case "render": {
        const dir = stringValue(parse("render", rest, { out: { type: "string" } }), "out");
        if (!dir) throw new LookoutError("LOOKOUT_ERR_USAGE", `render needs --out DIR\n\n${HELP.render}`);
        renderConfigs(resolve(dir), process.env, out);
        return 0;
      }
      case "ports": {
        const { values } = parse("ports", rest, { markdown: { type: "boolean" } });
        const ports = resolvePorts();
        if (values.markdown === true) {
          out("| component | port | what | override |\n|---|---|---|---|");
          for (const spec of PORT_SPECS)
            out(`| ${spec.component} | ${ports[spec.key]} | ${spec.purpose} | \`LOOKOUT_PORT_${spec.key}\` |`);
        } else {
          for (const spec of PORT_SPECS) {
            out(
              `${String(ports[spec.key]).padStart(5)}  ${spec.component.padEnd(18)} ${spec.purpose.padEnd(36)} LOOKOUT_PORT_${spec.key}`,
            );
          }
        }
        return 0;
      }
      case "dashboards": {
        const [sub, ...subArgs] = rest;
        const dir = resolve(
          stringValue(
            parse("dashboards", subArgs, { dir: { type: "string" } }, 0, `dashboards ${sub ?? ""}`.trim()),
            "dir",
          ) ?? DASHBOARD_DIR,
        );
        if (sub === "build") {
          for (const file of writeDashboards(dir)) out(`wrote ${file}`);
          return 0;
        }
        if (sub === "check") {
          const problems = dashboardDrift(dir);
          for (const problem of problems) out(`✗ ${problem}`);
          if (problems.length === 0) out(`dashboards in ${dir} match their sources`);
          return problems.length === 0 ? 0 : 1;
        }
        throw new LookoutError(
          "LOOKOUT_ERR_USAGE",
          `unknown dashboards command ${JSON.stringify(sub ?? "")}\n\n${HELP.dashboards}`,
        );
      }
      case "api": {
        const [sub, ...subArgs] = rest;
        parse("api", subArgs, {}, 0, `api ${sub ?? ""}`.trim());
        if (sub === "build") {
          for (const file of await writeApiFiles()) out(`wrote ${file}`);
          return 0;
        }
        if (sub === "check") {
          const problems = await apiDrift();
          for (const problem of problems) out(`✗ ${problem}`);
          if (problems.length === 0) out("the API document and the client's types match the routes");
          return problems.length === 0 ? 0 : 1;
        }
        throw new LookoutError("LOOKOUT_ERR_USAGE", `unknown api command ${JSON.stringify(sub ?? "")}\n\n${HELP.api}`);
      }
      case "helm": {
        const [sub, ...subArgs] = rest;
        parse("helm", subArgs, {}, 0, `helm ${sub ?? ""}`.trim());
        if (sub === "sync") {
          const changed = syncChart();
          for (const problem of changed) out(`updated ${problem}`);
          out(changed.length === 0 ? "the chart's files already match their sources" : `${changed.length} updated`);
          return 0;
        }
        if (sub === "check") {
          const problems = chartDrift();
          for (const problem of problems) out(`✗ ${problem}`);
          if (problems.length === 0) out("the chart's files match their sources");
          return problems.length === 0 ? 0 : 1;
        }
        throw new LookoutError(
          "LOOKOUT_ERR_USAGE",
          `unknown helm command ${JSON.stringify(sub ?? "")}\n\n${HELP.helm}`,
        );
      }
      case "admin": {
        const [sub, ...subArgs] = rest;
        if (sub !== "token")
          throw new LookoutError(
            "LOOKOUT_ERR_USAGE",
            `unknown admin command ${JSON.stringify(sub ?? "")}\n\n${HELP.admin}`,
          );
        const parsed = parse(
          "admin",
          subArgs,
          {
            ttl: { type: "string" },
            subject: { type: "string" },
            "read-only": { type: "boolean" },
            config: { type: "string" },
          },
          0,
          "admin token",
        );
        out(
          await adminToken({
            ttl: stringValue(parsed, "ttl") ?? "15m",
            subject: stringValue(parsed, "subject") ?? process.env.USER ?? "operator",
            readOnly: parsed.values["read-only"] === true,
            configPath: stringValue(parsed, "config"),
          }),
        );
        return 0;
      }
      case "synthetics":
        return await synthetics(rest, out);
      case "sentinel":
        return await sentinel(rest, out);
      case "home":
        parse("home", rest, {});
        out(lookoutHome());
        return 0;
      default:
        throw new LookoutError("LOOKOUT_ERR_USAGE", `unknown command ${JSON.stringify(command)}\n\n${HELP.main}`);
    }
  } catch (error) {
    if (error instanceof LookoutError) {
      process.stderr.write(`lookout: ${error.message}\n`);
      return error.code === "LOOKOUT_ERR_USAGE" ? 2 : 1;
    }
    throw error;
  }
}
