/**
 * The Helm chart's tools and its one source of configuration.
 *
 * deploy/helm/lookout/files/ holds copies of the repository's config files (collector, Prometheus, Alertmanager and
 * its rules and templates, the aggregator's targets, Jaeger, Grafana provisioning), because Helm can read only files
 * inside the chart. `lookout helm sync` writes them; chartDrift() names every copy that differs from its source, and
 * `lookout validate` and stack/helm.integration.test.ts fail on any.
 *
 * Tools, built by `lookout setup` into the cache like the other Go tools:
 *   <cache>/tools/helm-<HELM_VERSION>/helm                       (go install helm.sh/helm/v4/cmd/helm)
 *   <cache>/tools/kube-check-<hash of its source>/kube-check      (deploy/kube-check: strict decoding against k8s.io/api)
 * LOOKOUT_HELM_BIN and LOOKOUT_KUBE_CHECK_BIN override the paths.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { lookoutCache, REPO_ROOT } from "../shared/index.js";
import { assertGo, type Progress, runWithProgress } from "./tools.js";
import { HELM_VERSION } from "./versions.js";

export const CHART_DIR = join(REPO_ROOT, "deploy", "helm", "lookout");
export const KUBE_CHECK_DIR = join(REPO_ROOT, "deploy", "kube-check");

/** Repository files and folders the chart renders its configuration from, copied to files/<same path>. */
export const CHART_SOURCES: readonly string[] = [
  "otel-collector/gateway.yaml",
  "otel-collector/loadbalancer.yaml",
  "prometheus/prometheus.yml",
  "alerts/alertmanager.yml",
  "alerts/rules",
  "alerts/templates",
  "health-aggregator/lookout.yml",
  "jaeger/config.yaml",
  "grafana-provisioning/datasources/lookout.yml",
  "grafana-provisioning/dashboards/json",
];

/** Every source file (folders expanded, sorted), relative to the repository root. */
export function chartSourceFiles(root = REPO_ROOT): string[] {
  return CHART_SOURCES.flatMap((source) => {
    const path = join(root, source);
    if (!existsSync(path)) return [];
    if (!readdirSafe(path)) return [source];
    return readdirSync(path)
      .sort()
      .map((name) => `${source}/${name}`);
  });
}

function readdirSafe(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/** Copies every source into the chart's files/ and removes copies whose source is gone; returns what changed. */
export function syncChart(root = REPO_ROOT, chart = CHART_DIR): string[] {
  const changed = chartDrift(root, chart);
  const wanted = new Set(chartSourceFiles(root));
  for (const file of wanted) {
    const target = join(chart, "files", file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, file), target);
  }
  for (const file of chartCopies(chart)) if (!wanted.has(file)) rmSync(join(chart, "files", file));
  return changed;
}

function chartCopies(chart: string): string[] {
  const base = join(chart, "files");
  const walk = (dir: string): string[] =>
    (readdirSafe(dir) ?? []).flatMap((name) => {
      const path = join(dir, name);
      return readdirSafe(path) ? walk(path) : [relative(base, path)];
    });
  return walk(base).sort();
}

/** Each copy that is missing, differs from its source, or has no source any more, as a sentence. */
export function chartDrift(root = REPO_ROOT, chart = CHART_DIR): string[] {
  const sources = chartSourceFiles(root);
  const problems: string[] = [];
  for (const file of sources) {
    const copy = join(chart, "files", file);
    if (!existsSync(copy)) problems.push(`${file}: not copied into the chart`);
    else if (!readFileSync(copy).equals(readFileSync(join(root, file))))
      problems.push(`${file}: the chart's copy differs`);
  }
  for (const file of chartCopies(chart)) {
    if (!sources.includes(file)) problems.push(`${file}: in the chart but not in the repository`);
  }
  return problems;
}

export interface HelmTools {
  helm: string;
  kubeCheck: string;
}

function kubeCheckKey(): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(KUBE_CHECK_DIR, file)));
  return `kube-check-${hash.digest("hex").slice(0, 12)}`;
}

export function helmTools(env: NodeJS.ProcessEnv = process.env): HelmTools {
  const tools = join(lookoutCache(env), "tools");
  return {
    helm: env.LOOKOUT_HELM_BIN || join(tools, `helm-${HELM_VERSION}`, "helm"),
    kubeCheck: env.LOOKOUT_KUBE_CHECK_BIN || join(tools, kubeCheckKey(), "kube-check"),
  };
}

/** Builds into a staging folder beside the final one and renames it into place, so no half-built tool is used. */
async function buildInto(binary: string, build: (staging: string) => Promise<void>): Promise<void> {
  const finalDir = dirname(binary);
  const staging = `${finalDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build(staging);
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(staging, finalDir);
}

export async function ensureHelm(progress: Progress, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { helm } = helmTools(env);
  if (existsSync(helm)) {
    progress(`✓ helm ${HELM_VERSION} (cached: ${helm})`);
    return helm;
  }
  assertGo(env);
  progress(`→ building helm ${HELM_VERSION} from its Go module (a few minutes on 2 cores)`);
  await buildInto(helm, (staging) =>
    // The version stamped as helm's own release process does, so `helm version` names the patch release.
    runWithProgress(
      "go",
      [
        "install",
        "-trimpath",
        `-ldflags=-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}`,
        `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`,
      ],
      {
        env: { ...env, CGO_ENABLED: "0", GOBIN: staging },
        label: "building helm",
        progress,
      },
    ),
  );
  progress(`✓ helm built: ${helm}`);
  return helm;
}

export async function ensureKubeCheck(progress: Progress, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { kubeCheck } = helmTools(env);
  if (existsSync(kubeCheck)) {
    progress(`✓ kube-check (cached: ${kubeCheck})`);
    return kubeCheck;
  }
  assertGo(env);
  progress(`→ building kube-check (Kubernetes API types) from deploy/kube-check`);
  await buildInto(kubeCheck, (staging) =>
    runWithProgress(
      "go",
      // -buildvcs=false: nothing needs VCS stamping, and stamping fails in a clone without git.
      ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", join(staging, "kube-check"), "."],
      { cwd: KUBE_CHECK_DIR, env: { ...env, CGO_ENABLED: "0" }, label: "building kube-check", progress },
    ),
  );
  progress(`✓ kube-check built: ${kubeCheck}`);
  return kubeCheck;
}
