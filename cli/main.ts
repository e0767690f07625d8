/**
 * The `lookout` command. bin/lookout.mjs installs dependencies and compiles, then calls main(argv).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { LookoutError } from "../stack/errors.js";
import { lookoutCache, lookoutHome } from "../stack/paths.js";
import { PORT_SPECS, resolvePorts } from "../stack/ports.js";
import { renderFile } from "../stack/render.js";
import { stackDown, stackStatus, stackUp } from "../stack/stack.js";
import { ALL_TOOLS, setup, type ToolName } from "../stack/setup.js";
import { validateAll } from "../stack/validate.js";
import { DASHBOARD_DIR, dashboardDrift, writeDashboards } from "../dashboards/index.js";
import { REPO_ROOT } from "../stack/paths.js";
import { join } from "node:path";

const HELP: Record<string, string> = {
  main: `lookout — production monitoring for AutoMatrix, RelayCore and NeuroWeaver

Usage: lookout <command> [options]

Commands:
  stack up          start the whole stack natively, in the foreground (Ctrl-C stops it); installs what is missing
  stack down        stop a stack started from another terminal
  stack status      show each component's process and readiness
  setup             install or build every real component (collector, Jaeger, telemetrygen, Debian packages)
  validate          check every config file with its component's own validator
  render            fill the \${NAME} placeholders of the Prometheus and Alertmanager configs (used by compose)
  ports             print the ports table (defaults and LOOKOUT_PORT_* overrides)
  dashboards build  write the Grafana dashboards (dashboards/*.ts) as JSON into grafana-provisioning/dashboards/json/
  dashboards check  fail when that JSON and its sources disagree
  help <command>    help for one command

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
  setup: `Usage: lookout setup [--only debian,collector,jaeger,telemetrygen,compose-check]

Installs the Debian packages (prometheus, promtool, alertmanager, amtool, exporters, postgresql, redis, chromium)
and builds the Go tools into LOOKOUT_CACHE/tools, keyed by version. Idempotent: a second run only checks.`,
  validate: `Usage: lookout validate

Runs otelcol validate, jaeger validate, promtool check config / check rules / test rules, amtool check-config and
Lookout's compose check. Exit code 1 if any check fails; each failure names the file and what was wrong.`,
  render: `Usage: lookout render --out DIR

Fills the \${NAME} placeholders of prometheus/prometheus.yml and alerts/alertmanager.yml from environment variables
of the same names and writes the results to DIR. A placeholder without a value is an error naming file and line.`,
  dashboards: `Usage: lookout dashboards build|check [--dir DIR]

  build    Build every dashboard from its TypeScript source (dashboards/*.ts, Grafana's foundation SDK) and write
           <uid>.json into grafana-provisioning/dashboards/json/ (or DIR). Commit the result: Grafana provisions it.
  check    Exit 1, naming each file, when a committed JSON is missing, differs from its source or has no source.
           docs/dashboards.md describes every dashboard and panel.`,
  ports: `Usage: lookout ports [--markdown]

Prints every port of the native stack with its component; LOOKOUT_PORT_<NAME> moves one.`,
};

function flag(args: string[], name: string): boolean {
  return args.includes(name);
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === "--help" || command === "-h" || command === "help") {
      const topic = command === "help" ? rest[0] : undefined;
      out(HELP[topic ?? "main"] ?? HELP.main!);
      return 0;
    }
    if (flag(rest, "--help") || flag(rest, "-h")) {
      out(HELP[command] ?? HELP.main!);
      return 0;
    }
    switch (command) {
      case "stack": {
        const [sub, ...subArgs] = rest;
        if (sub === "up") return await stackUp({ setupMissing: !flag(subArgs, "--no-setup"), out });
        if (sub === "down") return await stackDown(out);
        if (sub === "status") return await stackStatus(out);
        throw new LookoutError(
          "LOOKOUT_ERR_USAGE",
          `unknown stack command ${JSON.stringify(sub ?? "")}\n\n${HELP.stack}`,
        );
      }
      case "setup": {
        const only = option(rest, "--only");
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
        const dir = option(rest, "--out");
        if (!dir) throw new LookoutError("LOOKOUT_ERR_USAGE", `render needs --out DIR\n\n${HELP.render}`);
        mkdirSync(resolve(dir), { recursive: true });
        for (const template of [
          join(REPO_ROOT, "prometheus", "prometheus.yml"),
          join(REPO_ROOT, "alerts", "alertmanager.yml"),
        ]) {
          out(`rendered ${renderFile(template, resolve(dir), process.env)}`);
        }
        return 0;
      }
      case "ports": {
        const ports = resolvePorts();
        if (flag(rest, "--markdown")) {
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
        const [sub] = rest;
        const dir = resolve(option(rest, "--dir") ?? DASHBOARD_DIR);
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
      case "home":
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
