/**
 * The Helm chart validated without a cluster, through the real tools (helm, deploy/kube-check, the collector,
 * Jaeger, promtool, amtool): every ci/ values file passes every check, and broken inputs — a bad manifest, a
 * collector config the collector refuses, a chart copy or a rendered config that disagrees with its source — fail
 * with a message that names what is wrong.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTools } from "../testkit/index.js";
import { CHART_DIR, chartDrift, chartSourceFiles, helmTools, syncChart } from "./helm.js";
import {
  chartValuesFiles,
  checkKubernetesTypes,
  checkRendered,
  find,
  helmTemplate,
  type Manifest,
  parseManifests,
  podContainers,
  validateChart,
} from "./helm-check.js";
import { fillsPlaceholders, renderedDrift } from "./helm-drift.js";
import { danglingReferences } from "./helm-refs.js";
import { REPO_ROOT } from "../shared/index.js";
import { missingToolMessage } from "./tools.js";

const tools = { ...requireTools("collector", "jaeger", "promtool", "amtool"), ...helmTools() };
for (const [name, path] of Object.entries(helmTools()) as [string, string][]) {
  if (!existsSync(path)) throw new Error(missingToolMessage(name, path));
}
const scratch = mkdtempSync(join(tmpdir(), "lookout-helm-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function render(values = "minimal", set: string[] = []): { manifests: Manifest[]; text: string } {
  const { result, text } = helmTemplate(join(CHART_DIR, "ci", `${values}-values.yaml`), set, tools);
  expect(result.output).toBe("");
  return { manifests: parseManifests(text), text };
}

const failures = (results: { ok: boolean; name: string; file: string; output: string }[]) =>
  results.filter((r) => !r.ok).map((r) => `${r.name} (${r.file}): ${r.output}`);

describe("lookout validate on the Helm chart", () => {
  it("passes every check for the minimal, scale-out and operator values", () => {
    expect(chartValuesFiles().map((f) => f.split("/").pop())).toEqual(
      expect.arrayContaining(["minimal-values.yaml", "scaleout-values.yaml", "operator-values.yaml"]),
    );
    const results = validateChart(tools);
    expect(failures(results)).toEqual([]);
    for (const values of ["ci/minimal-values.yaml", "ci/scaleout-values.yaml", "lookout/values.yaml"]) {
      const names = results.filter((r) => r.file.includes(values)).map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "helm lint",
          "helm template",
          "kubernetes API types",
          "chart collector config",
          "chart jaeger config",
          "chart prometheus config",
          "chart alertmanager config",
          "chart alert rules",
          "chart aggregator config",
          "chart references resolve",
          "chart configs match their sources",
        ]),
      );
    }
    // Operator mode: no Prometheus or Alertmanager of the chart's own, the PrometheusRules through promtool instead.
    const operator = results.filter((r) => r.file.includes("ci/operator-values.yaml")).map((r) => r.name);
    expect(operator).toContain("chart alert rules");
    expect(operator).not.toContain("chart prometheus config");
  });
});

describe("a missing tool", () => {
  it("fails the chart's checks with the command that installs it", () => {
    const missing = { ...tools, helm: join(scratch, "no-such-helm"), kubeCheck: join(scratch, "no-such-kube-check") };
    const results = validateChart(missing);
    const lint = results.find((r) => r.name === "helm lint")!;
    expect(lint.ok).toBe(false);
    expect(lint.output).toContain("npm run setup");
    expect(checkKubernetesTypes("x.yaml", "", missing).output).toMatch(/no-such-kube-check.*npm run setup/);
  });
});

describe("kube-check (strict decoding against the Kubernetes API types)", () => {
  const deployment = (spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
${spec}
`;
  const podSpec = `  template:
    metadata: { labels: { app: a } }
    spec:
      containers: [{ name: a, image: busybox:1.36 }]`;

  it.each([
    {
      name: "an unknown field",
      spec: `  replica: 2\n  selector: { matchLabels: { app: a } }\n${podSpec}`,
      expected: /unknown field "spec.replica"/,
    },
    {
      name: "a value of the wrong type",
      spec: `  replicas: two\n  selector: { matchLabels: { app: a } }\n${podSpec}`,
      expected: /replicas/,
    },
    {
      name: "a selector that does not match the pod template",
      spec: `  selector: { matchLabels: { app: b } }\n${podSpec}`,
      expected: /spec\.selector app=b does not match the pod template's labels/,
    },
  ])("refuses $name", ({ spec, expected }) => {
    const decoded = checkKubernetesTypes("broken.yaml", deployment(spec), tools);
    expect(decoded.ok).toBe(false);
    expect(decoded.output).toMatch(expected);
    expect(decoded.output).toMatch(/document 1 \(Deployment broken\)/);
  });

  it("refuses a kind the pinned API does not have", () => {
    const text = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: { name: old }\n";
    const decoded = checkKubernetesTypes("old.yaml", text, tools);
    expect(decoded.ok).toBe(false);
    expect(decoded.output).toMatch(/no kind "PodDisruptionBudget" is registered for version "policy\/v1beta1"/);
  });
});

describe("the rendered configs through their own validators", () => {
  it("refuses a sampler whose environment the collector cannot parse, naming the setting", () => {
    const { manifests, text } = render("minimal", [
      "sampler.extraEnv[0].name=LOOKOUT_SAMPLING_DECISION_WAIT",
      "sampler.extraEnv[0].value=soon",
    ]);
    const sampler = checkRendered("bad.yaml", manifests, text, tools).find((r) => r.file.endsWith(": sampler"))!;
    expect(sampler.ok).toBe(false);
    expect(sampler.output).toMatch(/decision_wait/);
  });

  it("refuses an aggregator whose pod spec leaves a target's address unset", () => {
    const { manifests, text } = render("minimal");
    const container = podContainers(find(manifests, "Deployment", "aggregator"))[0]!;
    container.env = container.env?.filter((e) => e.name !== "LOOKOUT_RELAYCORE_ADDR");
    const result = checkRendered("bad.yaml", manifests, text, tools).find((r) => r.name === "chart aggregator config")!;
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/environment variable LOOKOUT_RELAYCORE_ADDR is not set/);
  });

  it("refuses rules that promtool refuses", () => {
    const { manifests, text } = render();
    const rules = find(manifests, "ConfigMap", "prometheus-rules")!;
    rules.data!["lookout-meta.yml"] = rules.data!["lookout-meta.yml"]!.replace("expr: up == 0", "expr: up == = 0");
    const result = checkRendered("bad.yaml", manifests, text, tools).find((r) => r.name === "chart alert rules")!;
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/parse error/);
  });

  it("refuses an Alertmanager config that amtool refuses", () => {
    const { manifests, text } = render();
    const am = find(manifests, "ConfigMap", "alertmanager")!;
    am.data!["alertmanager.yml"] = am.data!["alertmanager.yml"]!.replace(
      "receiver: lookout-aggregator\n  group_by",
      "receiver: nobody\n  group_by",
    );
    const result = checkRendered("bad.yaml", manifests, text, tools).find(
      (r) => r.name === "chart alertmanager config",
    )!;
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/nobody/);
  });
});

describe("references between the rendered objects", () => {
  it("names a mount, account, HPA target and Service port that do not resolve", () => {
    const { manifests } = render("scaleout");
    expect(danglingReferences(manifests)).toEqual([]);
    const rename = (kind: string, suffix: string, name: string) =>
      (find(manifests, kind, suffix)!.metadata.name = name);
    rename("ConfigMap", "jaeger", "renamed-config");
    rename("ServiceAccount", "loadbalancer", "renamed-account");
    const lb = find(manifests, "Deployment", "loadbalancer")!;
    (find(manifests, "HorizontalPodAutoscaler", "loadbalancer")!.spec!.scaleTargetRef as { name: string }).name =
      "nobody";
    const ports = find(manifests, "Service", "sampler")!.spec!.ports as { targetPort: string }[];
    ports[0]!.targetPort = "otlp";
    expect(danglingReferences(manifests)).toEqual([
      "Deployment lookout-jaeger: volume config mounts ConfigMap lookout-jaeger, not rendered",
      `Deployment ${lb.metadata.name}: ServiceAccount lookout-loadbalancer is not rendered`,
      "RoleBinding lookout-loadbalancer: ServiceAccount lookout-loadbalancer is not rendered",
      "HorizontalPodAutoscaler lookout-loadbalancer: Deployment nobody is not rendered",
      "Service lookout-sampler: no selected container has a port named otlp",
    ]);
  });
});

describe("one source of configuration", () => {
  it("keeps the chart's files/ identical to the repository's configs", () => {
    expect(chartDrift()).toEqual([]);
    expect(chartSourceFiles()).toEqual(
      expect.arrayContaining(["otel-collector/gateway.yaml", "prometheus/prometheus.yml", "alerts/rules/slo.yml"]),
    );
  });

  it("names a copy that differs, one that is missing and one without a source; sync repairs all three", () => {
    const chart = join(scratch, "chart");
    cpSync(CHART_DIR, chart, { recursive: true });
    writeFileSync(join(chart, "files", "otel-collector", "gateway.yaml"), "# edited in the chart\n");
    rmSync(join(chart, "files", "alerts", "rules", "slo.yml"));
    writeFileSync(join(chart, "files", "alerts", "rules", "stale.yml"), "groups: []\n");
    expect(chartDrift(REPO_ROOT, chart)).toEqual([
      "otel-collector/gateway.yaml: the chart's copy differs",
      "alerts/rules/slo.yml: not copied into the chart",
      "alerts/rules/stale.yml: in the chart but not in the repository",
    ]);
    syncChart(REPO_ROOT, chart);
    expect(chartDrift(REPO_ROOT, chart)).toEqual([]);
  });

  it("finds every rendered config equal to its source", () => {
    for (const values of ["minimal", "scaleout", "operator"])
      expect(renderedDrift(render(values).manifests)).toEqual([]);
  });

  it("names each rendered config that disagrees with its source", () => {
    const { manifests } = render();
    const edit = (suffix: string, key: string, change: (t: string) => string) => {
      const data = find(manifests, "ConfigMap", suffix)!.data!;
      data[key] = change(data[key]!);
    };
    edit("sampler", "gateway.yaml", (t) => t.replace("decision_wait:", "decision_wait: 1s #"));
    edit("prometheus", "prometheus.yml", (t) => t.replace("scrape_interval: 15s", "scrape_interval: 30s"));
    edit("jaeger", "config.yaml", (t) => t.replace("enable_tracing: false", "enable_tracing: true"));
    edit("grafana-datasources", "lookout-datasources.yaml", (t) => t.replace("httpMethod: POST", "httpMethod: GET"));
    expect(renderedDrift(manifests)).toEqual([
      "the samplers' config differs from otel-collector/gateway.yaml",
      "prometheus's config is not prometheus/prometheus.yml with its placeholders filled",
      "Jaeger's config differs from jaeger/config.yaml in more than its storage backend",
      "Grafana's datasources differ from grafana-provisioning/datasources/lookout.yml in more than their URLs and secrets",
    ]);
  });

  it("takes a placeholder's value for the placeholder only", () => {
    expect(fillsPlaceholders("a: ${X}\nb: 1\n", "a: anything at all\nb: 1\n")).toBe(true);
    expect(fillsPlaceholders("a: ${X}\nb: 1\n", "a: x\nb: 2\n")).toBe(false);
    expect(fillsPlaceholders("a: ${X}\nb: 1\n", "a: x\nc: 3\nb: 1\n")).toBe(false);
    expect(fillsPlaceholders("a: ${X}\n", "a: ${X}\n")).toBe(false);
  });
});
