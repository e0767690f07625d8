/**
 * Checks compose/docker-compose.yml on a machine without Docker. The file is loaded by stack/compose-check, a small Go
 * program around the compose-spec reference loader (the one `docker compose` uses: schema validation, interpolation,
 * path resolution, normalization); this module then checks the normalized project for what Lookout promises:
 *
 * - every bind-mount source exists;
 * - every config file the native stack uses is mounted from the clone (the same file, never a copy), read-only;
 * - every service has a healthcheck (one-shot jobs excepted, see ONE_SHOT_SERVICES), a restart policy and CPU and
 *   memory limits;
 * - named volumes are declared, secrets come from the environment, only the documented ports are published;
 * - the collector runs with the native stack's Go memory limit (GOMEMLIMIT).
 *
 * compose-check is built by `npm run setup` into the tool cache, keyed by a hash of its source:
 *   <cache>/tools/compose-check-<hash of go.mod + main.go>/compose-check
 * (LOOKOUT_COMPOSE_CHECK_BIN overrides the path).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { COLLECTOR_GOMEMLIMIT } from "./components.js";
import type { ComponentSpec } from "./spec.js";
import { demoComponents } from "./demo-components.js";
import { homeLayout, lookoutCache, REPO_ROOT } from "../shared/index.js";
import { resolvePorts } from "./ports.js";
import { loadSecrets, SECRET_SPECS } from "./secrets.js";
import { assertGo, type Progress, runWithProgress, toolPaths } from "./tools.js";

const SOURCE_DIR = join(REPO_ROOT, "stack", "compose-check");

/** Config files and folders of the native stack that compose must mount from the clone. */
export const NATIVE_CONFIGS: readonly string[] = [
  "otel-collector/gateway.yaml",
  "jaeger/config.yaml",
  "prometheus/prometheus.yml",
  "alerts/alertmanager.yml",
  "alerts/rules",
  "grafana-provisioning",
];

/**
 * Services that run once and exit, so a healthcheck has nothing to watch: their dependents wait for
 * `service_completed_successfully` instead. Each must not restart.
 */
export const ONE_SHOT_SERVICES: Readonly<Record<string, string>> = {
  "lookout-config": "renders the Prometheus and Alertmanager configs into a volume, then exits",
  "jaeger-data-init": "hands Jaeger's new data volume to the image's non-root user, then exits",
};

/** Host ports compose may publish (README's port table); everything else stays on the compose network. */
export const PUBLISHED_PORTS: ReadonlySet<number> = new Set([3000, 4317, 4318, 8080, 9090, 16686]);

export interface ComposeCheckPaths {
  /** The compose-check binary (LOOKOUT_COMPOSE_CHECK_BIN, or its place in the tool cache). */
  binary: string;
  /** stack/compose-check, where `go build` runs. */
  sourceDir: string;
}

/** Folder name of the build: changing go.mod or main.go gives a new folder, so a stale binary is never used. */
function composeCheckKey(): string {
  const hash = createHash("sha256")
    .update(readFileSync(join(SOURCE_DIR, "go.mod")))
    .update(readFileSync(join(SOURCE_DIR, "main.go")))
    .digest("hex")
    .slice(0, 12);
  return `compose-check-${hash}`;
}

export function composeCheckPaths(env: NodeJS.ProcessEnv = process.env): ComposeCheckPaths {
  const binary = env.LOOKOUT_COMPOSE_CHECK_BIN || join(lookoutCache(env), "tools", composeCheckKey(), "compose-check");
  return { binary, sourceDir: SOURCE_DIR };
}

/** Builds compose-check with `go build` if it is not there yet; returns its path. */
export async function ensureComposeCheck(progress: Progress, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { binary, sourceDir } = composeCheckPaths(env);
  if (existsSync(binary)) {
    progress(`✓ compose-check (cached: ${binary})`);
    return binary;
  }
  assertGo();
  const finalDir = dirname(binary);
  // Built beside its final place and moved in one rename, so an interrupted build never leaves a half-written binary.
  const staging = `${finalDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  progress(`→ building compose-check (compose-spec loader) from stack/compose-check`);
  await runWithProgress(
    "go",
    // -buildvcs=false: nothing needs VCS stamping, and stamping fails in a clone without commits or without git.
    ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", join(staging, "compose-check"), "."],
    { cwd: sourceDir, env: { ...process.env, CGO_ENABLED: "0" }, label: "building compose-check", progress },
  );
  mkdirSync(finalDir, { recursive: true });
  renameSync(join(staging, "compose-check"), binary);
  rmSync(staging, { recursive: true, force: true });
  progress(`✓ compose-check built: ${binary}`);
  return binary;
}

// ---------------------------------------------------------------------------------------------------------------
// The normalized project, as compose-check prints it (only the fields checked here).

interface ComposeMount {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}

interface ComposeService {
  command?: string[] | null;
  environment?: Record<string, string | null>;
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { resources?: { limits?: { cpus?: number | string; memory?: number | string } } };
  volumes?: ComposeMount[];
  ports?: { target: number; published?: string; host_ip?: string }[];
}

interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string; external?: boolean }>;
}

/** Placeholder values for every variable the compose file requires, so the load does not need real secrets. */
function placeholderEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const spec of SECRET_SPECS) env[spec.env] = `compose-check-placeholder-${spec.name}`;
  env.LOOKOUT_WEB_AUTHORIZATION = "Basic compose-check-placeholder";
  env.LOOKOUT_USER_ID_HASH_KEY = "compose-check-placeholder-user-id-hash-key-0123456789";
  // Grafana's JWT login (grafana-provisioning/grafana.ini): the identity provider is the deployer's, never ours.
  env.LOOKOUT_JWKS_URL = "https://idp.invalid/.well-known/jwks.json";
  env.LOOKOUT_JWT_ISSUER = "https://idp.invalid/";
  return env;
}

/** Loads composeFile with compose-check; returns the project or the loader's error. */
function loadProject(composeFile: string, env: NodeJS.ProcessEnv): { project: ComposeProject } | { problem: string } {
  const { binary } = composeCheckPaths(env);
  if (!existsSync(binary)) {
    return { problem: `compose-check is not built; run \`npm run setup\` (expected at ${binary})` };
  }
  const result = spawnSync(binary, [composeFile], {
    encoding: "utf8",
    env: placeholderEnv(env),
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) return { problem: `could not run ${binary}: ${result.error.message}` };
  if (result.status !== 0) {
    return {
      problem: result.stderr.trim() || `compose-check exited with ${result.signal ?? result.status} on ${composeFile}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch (error) {
    return { problem: `compose-check printed invalid JSON for ${composeFile}: ${(error as Error).message}` };
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    typeof (parsed as { services?: unknown }).services !== "object"
  ) {
    return { problem: `${composeFile}: the loaded project has no services` };
  }
  return { project: parsed as ComposeProject };
}

/** Resolves symlinks where the path exists, so `../x` and a symlinked clone compare equal. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function isPositive(value: number | string | undefined): boolean {
  return value !== undefined && Number(value) > 0;
}

function checkService(name: string, service: ComposeService, project: ComposeProject): string[] {
  const problems: string[] = [];
  const where = `service "${name}"`;
  for (const mount of service.volumes ?? []) {
    if (mount.type === "bind" && mount.source && !existsSync(mount.source)) {
      problems.push(`${where}: bind mount source ${shown(mount.source)} does not exist (mounted at ${mount.target})`);
    }
    if (mount.type === "volume" && mount.source && !(mount.source in (project.volumes ?? {}))) {
      problems.push(`${where}: named volume "${mount.source}" is not declared under the top-level volumes:`);
    }
  }

  const oneShot = ONE_SHOT_SERVICES[name];
  if (oneShot === undefined) {
    const test = service.healthcheck?.test ?? [];
    if (!service.healthcheck || service.healthcheck.disable || test.length === 0 || test[0] === "NONE") {
      problems.push(
        `${where}: no healthcheck (add one, or list it in ONE_SHOT_SERVICES in stack/compose.ts if it runs once and exits)`,
      );
    }
  }
  if (!service.restart) {
    problems.push(`${where}: no restart policy (long-running services use "unless-stopped")`);
  } else if (oneShot !== undefined && service.restart !== "no") {
    problems.push(`${where}: runs once (${oneShot}), so its restart policy must be "no", not "${service.restart}"`);
  }

  const limits = service.deploy?.resources?.limits;
  if (!isPositive(limits?.cpus) || !isPositive(limits?.memory)) {
    problems.push(`${where}: no resource limits (set deploy.resources.limits.cpus and .memory)`);
  }

  for (const port of service.ports ?? []) {
    const published = Number(port.published ?? port.target);
    if (!PUBLISHED_PORTS.has(published)) {
      problems.push(
        `${where}: publishes port ${published}, which is not one of Lookout's public ports (${[...PUBLISHED_PORTS].join(", ")}); ` +
          `other components stay on the compose network`,
      );
    }
  }
  return problems;
}

/** Every native-stack config must be bind-mounted from the clone (itself or a folder holding it), read-only. */
function checkNativeConfigs(project: ComposeProject): string[] {
  const mounts = Object.values(project.services).flatMap((s) =>
    (s.volumes ?? [])
      .filter((m) => m.type === "bind" && m.source)
      .map((m) => ({ ...m, source: canonical(m.source as string) })),
  );
  const problems: string[] = [];
  for (const config of NATIVE_CONFIGS) {
    const path = canonical(join(REPO_ROOT, config));
    const covering = mounts.filter((m) => m.source === path || path.startsWith(m.source + sep));
    if (covering.length === 0) {
      problems.push(
        `${config} (used by the native stack) is not mounted by any service; mount the file from the clone, not a copy`,
      );
    } else if (!covering.some((m) => m.read_only)) {
      problems.push(
        `${config} is mounted read-write; mount it read-only (":ro") so a container cannot change the clone`,
      );
    }
  }
  return problems;
}

function checkSecrets(project: ComposeProject): string[] {
  return Object.entries(project.secrets ?? {})
    .filter(([, secret]) => !secret.environment && !secret.file && !secret.external)
    .map(
      ([name]) =>
        `secret "${name}" has no environment, file or external source: secrets must never be written into the compose file`,
    );
}

/**
 * The native stack's demo components (stack/demo-components.ts), built against a throwaway LOOKOUT_HOME: only their
 * commands and variable names are compared, never the generated values.
 */
function nativeDemoSpecs(): ComponentSpec[] {
  const scratch = mkdtempSync(join(tmpdir(), "lookout-compose-demo-"));
  try {
    const layout = homeLayout(scratch);
    const ctx = {
      layout,
      ports: resolvePorts({}),
      secrets: loadSecrets(layout.secrets, {}),
      tools: toolPaths(),
      retention: "1d",
    };
    return demoComponents(ctx, { LOOKOUT_USER_ID_HASH_KEY: "compose-check-placeholder-user-id-hash-key-0123456789" });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Native variables that compose passes differently: the OTLP token as a file instead of a header string. */
const COMPOSE_EQUIVALENT: Readonly<Record<string, string>> = { OTEL_EXPORTER_OTLP_HEADERS: "LOOKOUT_OTLP_TOKEN_FILE" };

/** Native settings that depend on no address or secret, so compose must give them the same value. */
const SAME_VALUE = new Set(["OTEL_RESOURCE_ATTRIBUTES", "OTEL_BSP_SCHEDULE_DELAY"]);

/**
 * A compose file that runs any of the demo services must run all of them (and the load generator) the way the native
 * stack does: the same compiled entry point, every variable the native stack sets (a secret may come from its
 * `_FILE`), the same values where they do not depend on addresses or secrets.
 */
function checkDemoServices(project: ComposeProject): string[] {
  const native = nativeDemoSpecs();
  if (!native.some((spec) => spec.name in project.services)) return [];
  const problems: string[] = [];
  for (const spec of native) {
    const service = project.services[spec.name];
    if (!service) {
      problems.push(`the native stack runs ${spec.name} (stack/demo-components.ts) but compose has no such service`);
      continue;
    }
    // A compiled entry point (a path in the clone) or a Python module (`lookout_demo.automatrix`).
    const last = spec.args.at(-1) ?? "";
    const entry = isAbsolute(last) ? relative(REPO_ROOT, last) : last;
    if (service.command?.at(-1) !== entry) {
      problems.push(
        `service "${spec.name}": runs ${JSON.stringify(service.command ?? null)}, not the native stack's ${entry}`,
      );
    }
    const env = service.environment ?? {};
    for (const [name, value] of Object.entries(spec.env ?? {})) {
      const given = [name, `${name}_FILE`, COMPOSE_EQUIVALENT[name]].filter((n): n is string => !!n && n in env);
      if (given.length === 0) {
        problems.push(`service "${spec.name}": no ${name}, which the native stack sets (stack/demo-components.ts)`);
      } else if (SAME_VALUE.has(name) && env[name] !== value) {
        problems.push(`service "${spec.name}": ${name}=${env[name]}, the native stack has ${value}`);
      }
    }
  }
  return problems;
}

/** The collector service must run with the native stack's Go memory limit, which gateway.yaml's limits assume. */
function checkCollectorRuntime(project: ComposeProject): string[] {
  const service = project.services["otel-collector"];
  if (!service) return [];
  const given = service.environment?.GOMEMLIMIT;
  if (given === COLLECTOR_GOMEMLIMIT) return [];
  return [
    `service "otel-collector": GOMEMLIMIT=${given ?? "(unset)"}, the native stack has ${COLLECTOR_GOMEMLIMIT} (stack/components.ts), which gateway.yaml's memory_limiter assumes`,
  ];
}

/**
 * Loads composeFile with the compose-spec loader and returns every problem found, in plain words; empty when fine.
 * Variables the file requires are set to placeholders for the load, so no real secret is needed.
 */
export function checkCompose(composeFile: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const loaded = loadProject(resolve(composeFile), env);
  if ("problem" in loaded) return [loaded.problem];
  const { project } = loaded;
  return [
    ...Object.keys(project.services)
      .sort()
      .flatMap((name) => checkService(name, project.services[name] as ComposeService, project)),
    ...checkNativeConfigs(project),
    ...checkSecrets(project),
    ...checkDemoServices(project),
    ...checkCollectorRuntime(project),
  ];
}
