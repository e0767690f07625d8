/**
 * Validates deploy/helm/lookout without a cluster, for `lookout validate` and stack/helm.integration.test.ts. For the chart's
 * default values and each values file of its ci/ folder (minimal, scale-out, operator mode):
 *
 * - `helm lint --strict` and `helm template`;
 * - every rendered manifest decoded strictly against the pinned Kubernetes API types (deploy/kube-check);
 * - every rendered collector config through `otelcol validate`, and Jaeger's through `jaeger validate`, with the
 *   environment the pod spec gives the container;
 * - the rendered Prometheus config through `promtool check config`, the rules (ConfigMap or PrometheusRules) through
 *   `promtool check rules`, the Alertmanager config through `amtool check-config`;
 * - every rendered config against the repository file it was rendered from (stack/helm-drift.ts);
 * - references between the rendered objects (stack/helm-refs.ts).
 *
 * The configs name the paths the pods mount (/etc/lookout/…, /etc/prometheus/rules…); the validators run them with
 * those paths moved under a scratch folder that holds the same files (placeholder secrets, a throwaway CA).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CHART_DIR, chartDrift, type HelmTools, helmTools } from "./helm.js";
import { renderedDrift } from "./helm-drift.js";
import { danglingReferences } from "./helm-refs.js";
import { loadConfigFile } from "../health-aggregator/index.js";
import { REPO_ROOT } from "../shared/index.js";
import { ensureStackTls } from "./tls.js";
import { missingToolMessage, type ToolPaths, toolPaths } from "./tools.js";
import type { CheckResult, Manifest } from "./spec.js";

/** A rendered Kubernetes object, as far as these checks read it. */
export type { Manifest } from "./spec.js";

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}

export const CHART_VALUES_DIR = join(CHART_DIR, "ci");

/** The chart's ci/*-values.yaml files, sorted. */
export function chartValuesFiles(): string[] {
  return readdirSync(CHART_VALUES_DIR)
    .filter((f) => f.endsWith("-values.yaml"))
    .sort()
    .map((f) => join(CHART_VALUES_DIR, f));
}

function run(name: string, file: string, command: string, args: string[], env?: NodeJS.ProcessEnv): CheckResult {
  if (!existsSync(command)) {
    return { name, file, ok: false, output: missingToolMessage(command.split("/").pop() ?? command, command) };
  }
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: env ?? process.env,
    cwd: REPO_ROOT,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.error) return { name, file, ok: false, output: `could not run ${command}: ${result.error.message}` };
  return { name, file, ok: result.status === 0, output };
}

/** `helm template` of the chart with one values file (and --set pairs): the manifests' text, or the failure. */
export function helmTemplate(
  valuesFile: string | undefined,
  set: readonly string[] = [],
  tools: HelmTools = helmTools(),
): { result: CheckResult; text: string } {
  const args = ["template", "lookout", CHART_DIR, "--namespace", "observability"];
  if (valuesFile) args.push("--values", valuesFile);
  for (const pair of set) args.push("--set", pair);
  const result = run("helm template", valuesFile ?? CHART_DIR, tools.helm, args);
  return { result: { ...result, output: result.ok ? "" : result.output }, text: result.ok ? result.output : "" };
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === "object");
}

/** The rendered object of a kind whose name ends with -<component> (the chart names them <release>-lookout-…). */
export function find(manifests: Manifest[], kind: string, suffix: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(`-${suffix}`));
}

export function podContainers(workload: Manifest | undefined): Container[] {
  const template = workload?.spec?.template as { spec?: { containers?: Container[] } } | undefined;
  return template?.spec?.containers ?? [];
}

/** Mount paths of the pods mapped into scratch, in rendered text. */
function mapPaths(text: string, scratch: string): string {
  return text.replace(/\/etc\/(lookout|prometheus|alertmanager)\/|\/var\/lib\/otelcol/g, (match) =>
    join(scratch, match),
  );
}

/**
 * A scratch tree with what the pods mount: every credential key a placeholder, the TLS Secret as a throwaway CA's
 * certificates (the server's for Jaeger, the client's elsewhere), and the rules and templates.
 */
function scratchTree(manifests: Manifest[], tlsRole: "server" | "client"): string {
  const scratch = mkdtempSync(join(tmpdir(), "lookout-helm-check-"));
  const at = (...parts: string[]) => join(scratch, ...parts);
  const credentials = at("etc", "lookout", "credentials");
  mkdirSync(credentials, { recursive: true });
  for (const key of ["web-password", "metrics-token", "admin-token", "smtp-password", "sentinel-token"]) {
    writeFileSync(join(credentials, key), "validate-only-secret-0123456789abcdef\n");
  }
  writeFileSync(join(credentials, "chat-webhook-url"), "https://chat.invalid/hook\n");
  const tls = ensureStackTls(at("secrets"));
  mkdirSync(at("etc", "lookout", "tls"), { recursive: true });
  copyFileSync(tls.caFile, at("etc", "lookout", "tls", "ca.crt"));
  copyFileSync(tlsRole === "server" ? tls.serverCertFile : tls.clientCertFile, at("etc", "lookout", "tls", "tls.crt"));
  copyFileSync(tlsRole === "server" ? tls.serverKeyFile : tls.clientKeyFile, at("etc", "lookout", "tls", "tls.key"));
  const folders: [string, string][] = [
    ["prometheus-rules", join("etc", "prometheus", "rules")],
    ["alertmanager-templates", join("etc", "alertmanager", "templates")],
  ];
  for (const [suffix, dir] of folders) {
    mkdirSync(at(dir), { recursive: true });
    for (const [name, text] of Object.entries(find(manifests, "ConfigMap", suffix)?.data ?? {})) {
      writeFileSync(at(dir, name), text);
    }
  }
  mkdirSync(at("var", "lib", "otelcol"), { recursive: true });
  return scratch;
}

/** The container's environment as the pod would have it: literal values, secrets as placeholders, the pod name. */
function containerEnv(container: Container | undefined, scratch: string): NodeJS.ProcessEnv {
  // Only what a process needs to run: a variable the pod spec lacks must not come from the caller's environment.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  for (const entry of container?.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = mapPaths(entry.value, scratch);
    else if (JSON.stringify(entry.valueFrom).includes("fieldPath")) env[entry.name] = "lookout-validate-0";
    else env[entry.name] = "validate-only-secret-0123456789abcdef";
  }
  return env;
}

function withScratch(manifests: Manifest[], tlsRole: "server" | "client", body: (s: string) => CheckResult) {
  const scratch = scratchTree(manifests, tlsRole);
  try {
    return body(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs one component's validator on its rendered config files (written into scratch, paths mapped). */
function checkConfig(
  manifests: Manifest[],
  spec: { name: string; label: string; component: string; kind: string; tlsRole: "server" | "client" },
  command: (scratch: string, files: Record<string, string>, env: NodeJS.ProcessEnv) => [string, string[]],
): CheckResult | undefined {
  const configMap = find(manifests, "ConfigMap", spec.component);
  if (!configMap?.data) return undefined;
  return withScratch(manifests, spec.tlsRole, (scratch) => {
    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries(configMap.data ?? {})) {
      files[name] = join(scratch, name);
      writeFileSync(files[name], mapPaths(text, scratch));
    }
    const env = containerEnv(podContainers(find(manifests, spec.kind, spec.component))[0], scratch);
    const [binary, args] = command(scratch, files, env);
    return run(spec.name, spec.label, binary, args, env);
  });
}

/** Every document of text decoded strictly against the pinned Kubernetes API types (deploy/kube-check). */
export function checkKubernetesTypes(label: string, text: string, tools: HelmTools): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), "lookout-helm-"));
  try {
    writeFileSync(join(dir, "manifests.yaml"), text);
    const decoded = run("kubernetes API types", label, tools.kubeCheck, [join(dir, "manifests.yaml")]);
    const objects = decoded.output.split("\n").filter((line) => line && !line.startsWith("kube-check:")).length;
    return { ...decoded, output: decoded.ok ? `${objects} objects` : decoded.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every check of one rendered values file. */
export function checkRendered(
  label: string,
  manifests: Manifest[],
  text: string,
  tools: ToolPaths & HelmTools,
): CheckResult[] {
  const results: CheckResult[] = [];
  const push = (result: CheckResult | undefined) => result && results.push(result);
  results.push(checkKubernetesTypes(label, text, tools));
  /** The container's --config=/etc/otelcol/<file> arguments, pointed at the scratch copies. */
  const collectorArgs = (files: Record<string, string>, args: string[]) =>
    args.map((a) => a.replace(/^--config=\/etc\/otelcol\/(.+)$/, (_, f: string) => `--config=${files[f]}`));
  for (const [component, kind] of [
    ["loadbalancer", "Deployment"],
    ["sampler", "StatefulSet"],
  ] as const) {
    const container = podContainers(find(manifests, kind, component))[0];
    push(
      checkConfig(
        manifests,
        { name: "chart collector config", label: `${label}: ${component}`, component, kind, tlsRole: "client" },
        (_, files) => [tools.collector, ["validate", ...collectorArgs(files, container?.args ?? [])]],
      ),
    );
  }
  push(
    checkConfig(
      manifests,
      {
        name: "chart jaeger config",
        label: `${label}: jaeger`,
        component: "jaeger",
        kind: "Deployment",
        tlsRole: "server",
      },
      (_, files) => [tools.jaeger, ["validate", "--config", files["config.yaml"]!]],
    ),
  );
  push(
    checkConfig(
      manifests,
      {
        name: "chart prometheus config",
        label: `${label}: prometheus`,
        component: "prometheus",
        kind: "StatefulSet",
        tlsRole: "client",
      },
      (_, files) => [tools.promtool, ["check", "config", files["prometheus.yml"]!]],
    ),
  );
  push(
    checkConfig(
      manifests,
      {
        name: "chart alertmanager config",
        label: `${label}: alertmanager`,
        component: "alertmanager",
        kind: "StatefulSet",
        tlsRole: "client",
      },
      (_, files) => [tools.amtool, ["check-config", files["alertmanager.yml"]!]],
    ),
  );
  push(checkChartRules(label, manifests, tools));
  push(checkAggregator(label, manifests));
  const dangling = danglingReferences(manifests);
  results.push({
    name: "chart references resolve",
    file: label,
    ok: dangling.length === 0,
    output: dangling.join("\n"),
  });
  const drift = renderedDrift(manifests);
  results.push({
    name: "chart configs match their sources",
    file: label,
    ok: drift.length === 0,
    output: drift.join("\n"),
  });
  return results;
}

/** The aggregator's targets file as its pod expands it: Lookout's schema and cross-checks, the pod's environment. */
function checkAggregator(label: string, manifests: Manifest[]): CheckResult | undefined {
  const text = find(manifests, "ConfigMap", "aggregator")?.data?.["lookout.yml"];
  if (text === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "lookout-helm-aggregator-"));
  const name = "chart aggregator config";
  try {
    const env = containerEnv(podContainers(find(manifests, "Deployment", "aggregator"))[0], dir);
    // Secrets that are URLs get a URL of their kind (the check parses them).
    env.LOOKOUT_POSTGRES_URL = "postgresql://validate@127.0.0.1:1/validate";
    env.LOOKOUT_REDIS_URL = "redis://127.0.0.1:1";
    writeFileSync(join(dir, "lookout.yml"), text);
    const config = loadConfigFile(join(dir, "lookout.yml"), env);
    return { name, file: `${label}: aggregator`, ok: true, output: `${config.targets.length} targets` };
  } catch (error) {
    return { name, file: `${label}: aggregator`, ok: false, output: (error as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rules as Prometheus would load them: the rules ConfigMap's files, or each PrometheusRule's groups. */
function checkChartRules(label: string, manifests: Manifest[], tools: ToolPaths): CheckResult | undefined {
  const files: Record<string, string> = { ...find(manifests, "ConfigMap", "prometheus-rules")?.data };
  for (const rule of manifests.filter((m) => m.kind === "PrometheusRule")) {
    files[`${rule.metadata.name}.yml`] = JSON.stringify({ groups: rule.spec?.groups });
  }
  if (Object.keys(files).length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "lookout-helm-rules-"));
  try {
    const paths = Object.entries(files).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    return run("chart alert rules", `${label}: ${paths.length} rule files`, tools.promtool, [
      "check",
      "rules",
      ...paths,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every check of the chart: its copies of the sources, then lint, render and validate per ci/ values file. */
export function validateChart(tools: ToolPaths & HelmTools = { ...toolPaths(), ...helmTools() }): CheckResult[] {
  const drift = chartDrift();
  const results: CheckResult[] = [
    {
      name: "chart files match the repository (lookout helm sync)",
      file: "deploy/helm/lookout/files",
      ok: drift.length === 0,
      output: drift.join("\n"),
    },
  ];
  // The chart's own defaults (what `helm install` without --values gives), then each ci/ values file.
  for (const values of [undefined, ...chartValuesFiles()]) {
    const label = values ? `deploy/helm/lookout/ci/${values.split("/").pop()}` : "deploy/helm/lookout/values.yaml";
    const lint = run("helm lint", label, tools.helm, [
      "lint",
      "--strict",
      CHART_DIR,
      ...(values ? ["--values", values] : []),
    ]);
    results.push({ ...lint, output: lint.ok ? "" : lint.output });
    const { result, text } = helmTemplate(values, [], tools);
    results.push({ ...result, file: label });
    if (result.ok) results.push(...checkRendered(label, parseManifests(text), text, tools));
  }
  return results;
}
