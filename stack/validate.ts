/**
 * `lookout validate`: every config file checked by its component's own validator (otelcol validate, jaeger validate,
 * promtool check config/rules + promtool test rules, amtool check-config) plus Lookout's own checks (the compose
 * file). One function per check, so tests can feed each a broken file; validateAll() runs them on the repo's files.
 * Nothing here starts a server or touches a running stack's LOOKOUT_HOME.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkCompose } from "./compose.js";
import { validateChart } from "./helm-check.js";
import { helmTools } from "./helm.js";
import { aggregatorConfigPlaceholders, renderValues } from "./components.js";
import { ensureStackTls, tlsEnv } from "./tls.js";
import { homeLayout, REPO_ROOT } from "../shared/index.js";
import { resolvePorts } from "./ports.js";
import { loadConfigFile } from "../health-aggregator/index.js";
import { renderFile } from "./render.js";
import { loadSecrets } from "./secrets.js";
import { missingToolMessage, type ToolPaths, toolPaths } from "./tools.js";
import { writeWebConfig } from "./web-auth.js";
import type { CheckResult } from "./spec.js";

export type { CheckResult } from "./spec.js";

function run(
  name: string,
  file: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): CheckResult {
  if (!existsSync(command)) {
    return { name, file, ok: false, output: missingToolMessage(command.split("/").pop() ?? command, command) };
  }
  const result = spawnSync(command, args, { encoding: "utf8", env, cwd: REPO_ROOT, timeout: 120_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.error) return { name, file, ok: false, output: `could not run ${command}: ${result.error.message}` };
  return { name, file, ok: result.status === 0, output };
}

/** A scratch LOOKOUT_HOME with placeholder secrets, for rendering templates and giving components a data dir. */
function withScratch<T>(body: (scratch: string) => T): T {
  const scratch = mkdtempSync(join(tmpdir(), "lookout-validate-"));
  try {
    return body(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function componentEnv(scratch: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOOKOUT_OTLP_TOKEN: "validate-only-token",
    LOOKOUT_METRICS_TOKEN: "validate-only-metrics-token",
    LOOKOUT_USER_ID_HASH_KEY: "validate-only-user-id-hash-key-0123456789abcdef",
    LOOKOUT_COLLECTOR_STORAGE_DIR: join(scratch, "collector"),
    LOOKOUT_JAEGER_DATA_DIR: join(scratch, "jaeger"),
    // Real certificates of a throwaway CA, so the validators can load every file the configs name.
    ...tlsEnv(ensureStackTls(join(scratch, "secrets"))),
  };
}

/** overlays are merged over file in order, as the collector's repeated --config does. */
export function checkCollectorConfig(
  file: string,
  tools: ToolPaths = toolPaths(),
  overlays: string[] = [],
): CheckResult {
  const args = ["validate", "--config", file, ...overlays.flatMap((o) => ["--config", o])];
  const name = overlays.length === 0 ? file : [file, ...overlays].join(" + ");
  return withScratch((scratch) => run(`collector config`, name, tools.collector, args, componentEnv(scratch)));
}

/** The basic-auth web configuration Prometheus, Alertmanager and the exporters read, as the stack writes it. */
export function checkWebConfig(tools: ToolPaths = toolPaths()): CheckResult {
  return withScratch((scratch) => {
    const file = join(scratch, "web-config.yml");
    writeWebConfig(file, "validate-only-password");
    return { ...run("web config", file, tools.promtool, ["check", "web-config", file]), file: "stack/web-auth.ts" };
  });
}

export function checkJaegerConfig(file: string, tools: ToolPaths = toolPaths()): CheckResult {
  return withScratch((scratch) =>
    run("jaeger config", file, tools.jaeger, ["validate", "--config", file], componentEnv(scratch)),
  );
}

/** Renders a `${NAME}` template with the native stack's values into scratch, then runs check on the result. */
function checkRendered(name: string, template: string, check: (rendered: string) => CheckResult): CheckResult {
  return withScratch((scratch) => {
    const layout = homeLayout(scratch);
    ensureStackTls(layout.secrets);
    const values = renderValues({
      layout,
      ports: resolvePorts({}),
      secrets: loadSecrets(layout.secrets, {}),
      tools: toolPaths(),
      retention: "30d",
    });
    try {
      return { ...check(renderFile(template, layout.config, values)), file: template };
    } catch (error) {
      return { name, file: template, ok: false, output: (error as Error).message };
    }
  });
}

export function checkPrometheusConfig(template: string, tools: ToolPaths = toolPaths()): CheckResult {
  return checkRendered("prometheus config", template, (rendered) =>
    run("prometheus config", template, tools.promtool, ["check", "config", rendered]),
  );
}

export function checkAlertmanagerConfig(template: string, tools: ToolPaths = toolPaths()): CheckResult {
  return checkRendered("alertmanager config", template, (rendered) =>
    run("alertmanager config", template, tools.amtool, ["check-config", rendered]),
  );
}

export function checkRules(files: string[], tools: ToolPaths = toolPaths()): CheckResult {
  return run("alert rules", files.join(" "), tools.promtool, ["check", "rules", ...files]);
}

/** The aggregator's targets file against Lookout's JSON Schema and its cross-checks, with the stack's values. */
export function checkAggregatorConfig(file: string): CheckResult {
  try {
    const config = loadConfigFile(file, aggregatorConfigPlaceholders(resolvePorts({})));
    return { name: "aggregator config", file, ok: true, output: `${config.targets.length} targets` };
  } catch (error) {
    return { name: "aggregator config", file, ok: false, output: (error as Error).message };
  }
}

export function testRules(files: string[], tools: ToolPaths = toolPaths()): CheckResult {
  return run("alert rule unit tests", files.join(" "), tools.promtool, ["test", "rules", ...files]);
}

function filesIn(dir: string, suffix: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

export function validateAll(tools: ToolPaths = toolPaths()): CheckResult[] {
  const at = (...parts: string[]) => join(REPO_ROOT, ...parts);
  const results = [
    checkCollectorConfig(at("otel-collector", "gateway.yaml"), tools),
    checkCollectorConfig(at("otel-collector", "gateway.yaml"), tools, [at("otel-collector", "debug.yaml")]),
    ...(existsSync(at("otel-collector", "loadbalancer.yaml"))
      ? [checkCollectorConfig(at("otel-collector", "loadbalancer.yaml"), tools)]
      : []),
    checkJaegerConfig(at("jaeger", "config.yaml"), tools),
    checkPrometheusConfig(at("prometheus", "prometheus.yml"), tools),
    checkRules(filesIn(at("alerts", "rules"), ".yml"), tools),
    checkAlertmanagerConfig(at("alerts", "alertmanager.yml"), tools),
    checkWebConfig(tools),
    checkAggregatorConfig(at("health-aggregator", "lookout.yml")),
  ];
  const ruleTests = filesIn(at("alerts", "tests"), ".test.yml");
  if (ruleTests.length > 0) results.push(testRules(ruleTests, tools));
  const composeFile = at("compose", "docker-compose.yml");
  const problems = checkCompose(composeFile);
  results.push({ name: "compose file", file: composeFile, ok: problems.length === 0, output: problems.join("\n") });
  // The Helm chart (deploy/helm/lookout): lint, render, Kubernetes API types and each rendered config's validator.
  results.push(...validateChart({ ...tools, ...helmTools() }));
  return results;
}
