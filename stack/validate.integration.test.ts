/**
 * Config validation through the components' own validators (the real binaries), on the repo's files and on broken
 * copies: each broken file must be refused with a message that says what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";
import {
  checkAlertmanagerConfig,
  checkCollectorConfig,
  checkJaegerConfig,
  checkPrometheusConfig,
  checkRules,
  validateAll,
} from "./validate.js";
import { requireTools } from "../testkit/index.js";

const tools = requireTools("collector", "jaeger", "promtool", "amtool");
const scratch = mkdtempSync(join(tmpdir(), "lookout-validate-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a repo file with one edit, in scratch under the same base name. */
function broken(file: string, edit: (text: string) => string, name = file.split("/").pop()!): string {
  const original = readFileSync(join(REPO_ROOT, file), "utf8");
  const changed = edit(original);
  expect(changed).not.toBe(original);
  const out = join(scratch, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(out, changed);
  return out;
}

describe("lookout validate", () => {
  it("passes every config file in the repo", () => {
    const results = validateAll(tools);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.output}`)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "collector config",
        "jaeger config",
        "prometheus config",
        "alert rules",
        "alertmanager config",
        "compose file",
      ]),
    );
  });

  it("refuses a collector config with an unknown processor", () => {
    const file = broken("otel-collector/gateway.yaml", (t) =>
      t.replace("processors: [memory_limiter, lookout_redaction]", "processors: [memory_limiter, lookout_redactoin]"),
    );
    const result = checkCollectorConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/lookout_redactoin/);
  });

  it("refuses a gateway whose redaction rule does not compile, naming the rule", () => {
    const file = broken("otel-collector/gateway.yaml", (t) =>
      t.replace('{ name: jwt, pattern: "eyJ[', '{ name: jwt, pattern: "eyJ(['),
    );
    const result = checkCollectorConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/value_rules\[3\] \(jwt\)\.pattern: error parsing regexp: missing closing \)/);
  });

  it("refuses a gateway with an unknown client IP policy, naming the field", () => {
    const file = broken("otel-collector/gateway.yaml", (t) =>
      t.replace("${env:LOOKOUT_CLIENT_IP_POLICY:-mask}", "${env:LOOKOUT_CLIENT_IP_POLICY_UNSET_IN_TEST:-hide}"),
    );
    const result = checkCollectorConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/client_ip\.policy: "hide" is not one of mask, truncate, keep/);
  });

  it("refuses a collector config with a misspelt setting", () => {
    const file = broken("otel-collector/gateway.yaml", (t) => t.replace("decision_wait:", "decision_wiat:"));
    const result = checkCollectorConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/decision_wiat/);
  });

  it("refuses a Jaeger config with a misspelt setting", () => {
    const file = broken("jaeger/config.yaml", (t) =>
      t.replace("    http:\n      endpoint:", "    htttp:\n      endpoint:"),
    );
    const result = checkJaegerConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/htttp/);
  });

  it("refuses a Prometheus config with an invalid scrape interval", () => {
    const file = broken(
      "prometheus/prometheus.yml",
      (t) => t.replace("scrape_interval: 15s", "scrape_interval: fifteen"),
      "prometheus.yml",
    );
    const result = checkPrometheusConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/fifteen/);
  });

  it("refuses a Prometheus template with a placeholder the stack does not fill, naming file and line", () => {
    const file = broken(
      "prometheus/prometheus.yml",
      (t) => t.replace("lookout_stack: ${LOOKOUT_STACK_NAME}", "lookout_stack: ${LOOKOUT_TYPO}"),
      "prometheus.yml",
    );
    const result = checkPrometheusConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/prometheus\.yml:\d+: \$\{LOOKOUT_TYPO\} has no value/);
  });

  it("refuses an alert rule with a broken expression", () => {
    const file = broken("alerts/rules/lookout-meta.yml", (t) => t.replace("expr: up == 0", "expr: up == = 0"));
    const result = checkRules([file], tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/parse error/);
  });

  it("refuses an Alertmanager config whose route names an unknown receiver", () => {
    const file = broken(
      "alerts/alertmanager.yml",
      (t) => t.replace("receiver: lookout-aggregator\n  group_by", "receiver: nobody\n  group_by"),
      "alertmanager.yml",
    );
    const result = checkAlertmanagerConfig(file, tools);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/nobody/);
  });
});
