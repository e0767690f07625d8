/**
 * One source of configuration: every config the Helm chart renders is compared with the repository file it comes
 * from. Copied files must be identical; templates with `${NAME}` placeholders (Prometheus, Alertmanager) must be the
 * source with only the placeholders filled; files the chart adapts to the cluster (Jaeger's storage backend,
 * Grafana's datasource URLs and secrets) must equal the source in everything else. Each difference is one sentence.
 */
import { isDeepStrictEqual } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Manifest } from "./spec.js";
import { REPO_ROOT } from "../shared/index.js";

const source = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");

function configMap(manifests: Manifest[], suffix: string): Record<string, string> | undefined {
  return manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name.endsWith(`-${suffix}`))?.data;
}

/** Whether rendered is template with each `${NAME}` replaced by some one-line value, and nothing else changed. */
export function fillsPlaceholders(template: string, rendered: string): boolean {
  const pattern = template
    .split(/\$\{[A-Z][A-Z0-9_]*\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^\\n$]*");
  return new RegExp(`^${pattern}$`).test(rendered);
}

type JaegerConfig = { extensions?: { jaeger_storage?: { backends?: Record<string, unknown> } } };
type DatasourceFile = { datasources?: Datasource[] };

interface Datasource {
  url?: string;
  secureJsonData?: unknown;
  [key: string]: unknown;
}

function withoutClusterFields(file: DatasourceFile): unknown {
  return {
    ...file,
    datasources: (file.datasources ?? []).map(({ url: _url, secureJsonData: _secure, ...rest }) => rest),
  };
}

function withoutBackend(config: JaegerConfig): JaegerConfig {
  const copy = structuredClone(config);
  delete copy.extensions?.jaeger_storage?.backends?.lookout_store;
  return copy;
}

export function renderedDrift(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const same = (what: string, rendered: string | undefined, file: string) => {
    if (rendered === undefined) problems.push(`${what}: not rendered`);
    else if (rendered.trimEnd() !== source(file).trimEnd()) problems.push(`${what} differs from ${file}`);
  };
  same(
    "the load balancers' config",
    configMap(manifests, "loadbalancer")?.["loadbalancer.yaml"],
    "otel-collector/loadbalancer.yaml",
  );
  same("the samplers' config", configMap(manifests, "sampler")?.["gateway.yaml"], "otel-collector/gateway.yaml");
  same("the aggregator's config", configMap(manifests, "aggregator")?.["lookout.yml"], "health-aggregator/lookout.yml");

  const templates: [string, string, string][] = [
    ["prometheus", "prometheus.yml", "prometheus/prometheus.yml"],
    ["alertmanager", "alertmanager.yml", "alerts/alertmanager.yml"],
  ];
  for (const [suffix, key, file] of templates) {
    const rendered = configMap(manifests, suffix)?.[key];
    if (rendered !== undefined && !fillsPlaceholders(source(file), rendered)) {
      problems.push(`${suffix}'s config is not ${file} with its placeholders filled`);
    }
  }
  for (const [name, text] of Object.entries(configMap(manifests, "prometheus-rules") ?? {})) {
    same(`rule file ${name}`, text, `alerts/rules/${name}`);
  }
  for (const [name, text] of Object.entries(configMap(manifests, "alertmanager-templates") ?? {})) {
    same(`Alertmanager template ${name}`, text, `alerts/templates/${name}`);
  }
  for (const rule of manifests.filter((m) => m.kind === "PrometheusRule")) {
    const file = rule.metadata.annotations?.["lookout.dev/source"] ?? "?";
    const groups = (parse(source(file)) as { groups: unknown }).groups;
    if (!isDeepStrictEqual(rule.spec?.groups, groups))
      problems.push(`PrometheusRule ${rule.metadata.name}: not the groups of ${file}`);
  }

  const jaeger = configMap(manifests, "jaeger")?.["config.yaml"];
  if (jaeger === undefined) problems.push("Jaeger's config: not rendered");
  else if (
    !isDeepStrictEqual(
      withoutBackend(parse(jaeger) as JaegerConfig),
      withoutBackend(parse(source("jaeger/config.yaml")) as JaegerConfig),
    )
  ) {
    problems.push("Jaeger's config differs from jaeger/config.yaml in more than its storage backend");
  }

  const datasources = configMap(manifests, "grafana-datasources")?.["lookout-datasources.yaml"];
  const datasourceFile = "grafana-provisioning/datasources/lookout.yml";
  if (datasources !== undefined) {
    if (
      !isDeepStrictEqual(
        withoutClusterFields(parse(datasources) as DatasourceFile),
        withoutClusterFields(parse(source(datasourceFile)) as DatasourceFile),
      )
    ) {
      problems.push(`Grafana's datasources differ from ${datasourceFile} in more than their URLs and secrets`);
    }
    for (const dashboard of manifests.filter((m) => m.kind === "ConfigMap" && m.metadata.labels?.grafana_dashboard)) {
      for (const [name, text] of Object.entries(dashboard.data ?? {})) {
        same(`dashboard ${name}`, text, `grafana-provisioning/dashboards/json/${name}`);
      }
    }
  }
  return problems;
}
