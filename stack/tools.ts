/**
 * Installs or builds every real component Lookout runs, idempotently, into LOOKOUT_CACHE keyed by version:
 *
 *   <cache>/tools/otelcol-lookout-<version>-<source hash>/otelcol-lookout     (OpenTelemetry Collector Builder;
 *                                                                             hash of the manifest and local modules)
 *   <cache>/tools/jaeger-<module version>/jaeger                              (go build of the pinned module)
 *   <cache>/tools/telemetrygen-<version>/telemetrygen                         (go install)
 *
 * and the Debian packages of versions.ts with apt-get. The Go builds take minutes on two cores, so progress is
 * printed while they run (a heartbeat with the elapsed time and the last line Go printed).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LookoutError, isRoot, lookoutCache, REPO_ROOT } from "../shared/index.js";
import { venvPython } from "./python.js";
import {
  COLLECTOR_VERSION,
  DEBIAN_PACKAGES,
  JAEGER_COMMIT,
  JAEGER_MODULE_VERSION,
  JAEGER_RELEASE,
  JAEGER_REPLACES,
  MIN_GO,
  TELEMETRYGEN_VERSION,
} from "./versions.js";

export type Progress = (line: string) => void;

export const COLLECTOR_MANIFEST = join(REPO_ROOT, "otel-collector", "builder-config.yaml");

function toolsDir(cache: string): string {
  return join(cache, "tools");
}

/** The local Go modules the manifest builds from source (`path:` entries, relative to the repo root). */
export function localModulePaths(manifest: string): string[] {
  return [...manifest.matchAll(/^\s*path:\s*["']?([^"'\s#]+)["']?\s*(?:#.*)?$/gm)].map((m) => m[1]!);
}

/** Every file of a local module that goes into the binary (tests and test data do not), sorted, relative. */
function moduleSourceFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return entry.name === "testdata" ? [] : moduleSourceFiles(dir, rel);
      return entry.name.endsWith("_test.go") ? [] : [rel];
    })
    .sort();
}

/**
 * Folder name of the collector build: the release and a hash of the manifest and of the source of every local module
 * it names (Lookout's own processor), so editing either rebuilds.
 */
export function collectorKey(manifest = readFileSync(COLLECTOR_MANIFEST, "utf8"), root = REPO_ROOT): string {
  const hash = createHash("sha256").update(manifest);
  for (const modulePath of localModulePaths(manifest)) {
    const dir = join(root, modulePath);
    for (const file of moduleSourceFiles(dir)) {
      hash.update(`\0${modulePath}/${file}\0`).update(readFileSync(join(dir, file)));
    }
  }
  return `otelcol-lookout-${COLLECTOR_VERSION}-${hash.digest("hex").slice(0, 12)}`;
}

export interface ToolPaths {
  collector: string;
  jaeger: string;
  telemetrygen: string;
  prometheus: string;
  promtool: string;
  alertmanager: string;
  amtool: string;
  nodeExporter: string;
  postgresExporter: string;
  redisExporter: string;
  postgresBin: string;
  redisServer: string;
  chromium: string;
  /** The Python environment's interpreter (stack/python.ts). */
  python: string;
}

/** PostgreSQL's server binaries on Debian live in /usr/lib/postgresql/<major>/bin; the newest major wins. */
export function postgresBinDir(): string {
  const majors = safeReaddir("/usr/lib/postgresql")
    .filter((major) => existsSync(`/usr/lib/postgresql/${major}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a));
  return `/usr/lib/postgresql/${majors[0] ?? "15"}/bin`;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Expands the one `*` path segment the package table uses (Node 20 has no fs.globSync). */
function expandStar(pattern: string): string[] {
  const star = pattern.indexOf("/*/");
  if (star < 0) return existsSync(pattern) ? [pattern] : [];
  const dir = pattern.slice(0, star);
  const rest = pattern.slice(star + 3);
  return safeReaddir(dir)
    .map((entry) => `${dir}/${entry}/${rest}`)
    .filter((path) => existsSync(path));
}

/** Where each tool is (or will be once `lookout setup` has run). */
export function toolPaths(env: NodeJS.ProcessEnv = process.env): ToolPaths {
  const tools = toolsDir(lookoutCache(env));
  return {
    collector: env.LOOKOUT_COLLECTOR_BIN || join(tools, collectorKey(), "otelcol-lookout"),
    jaeger: env.LOOKOUT_JAEGER_BIN || join(tools, `jaeger-${JAEGER_MODULE_VERSION}`, "jaeger"),
    telemetrygen: env.LOOKOUT_TELEMETRYGEN_BIN || join(tools, `telemetrygen-v${TELEMETRYGEN_VERSION}`, "telemetrygen"),
    prometheus: "/usr/bin/prometheus",
    promtool: "/usr/bin/promtool",
    alertmanager: "/usr/bin/prometheus-alertmanager",
    amtool: "/usr/bin/amtool",
    nodeExporter: "/usr/bin/prometheus-node-exporter",
    postgresExporter: "/usr/bin/prometheus-postgres-exporter",
    redisExporter: "/usr/bin/prometheus-redis-exporter",
    postgresBin: postgresBinDir(),
    redisServer: "/usr/bin/redis-server",
    chromium: "/usr/bin/chromium",
    python: venvPython(env),
  };
}

/** The message a test prints when a tool is missing: what is missing and the one command that installs it. */
export function missingToolMessage(tool: string, path: string): string {
  return `${tool} is not installed (expected at ${path}). Install every tool with \`npm run setup\` (or \`node bin/lookout.mjs setup\`).`;
}

// ---------------------------------------------------------------------------------------------------------------
// Running commands with visible progress

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Label for the heartbeat, e.g. "building the collector". */
  label: string;
  progress: Progress;
  heartbeatMs?: number;
}

/** Runs a command, echoing its output line by line and a heartbeat while it is quiet; rejects on failure. */
export function runWithProgress(command: string, args: string[], options: RunOptions): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    let lastLine = "";
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        const trimmed = line.trimEnd();
        if (!trimmed) continue;
        lastLine = trimmed;
        tail.push(trimmed);
        if (tail.length > 40) tail.shift();
        options.progress(`  ${trimmed}`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const heartbeat = setInterval(() => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      const minutes = Math.floor(elapsed / 60);
      const seconds = String(elapsed % 60).padStart(2, "0");
      options.progress(
        `… still ${options.label} (${minutes}m${seconds}s)${lastLine ? ` — last: ${lastLine.slice(0, 100)}` : ""}`,
      );
    }, options.heartbeatMs ?? 15_000);
    child.on("error", (error) => {
      clearInterval(heartbeat);
      reject(new LookoutError("LOOKOUT_ERR_PREREQUISITE", `could not run ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) return resolve();
      reject(
        new LookoutError(
          "LOOKOUT_ERR_BUILD",
          `${options.label} failed (${command} ${args.join(" ")} exited with ${signal ?? code}). Last output:\n` +
            tail.slice(-15).join("\n") +
            explainGoFailure(tail.join("\n")),
        ),
      );
    });
  });
}

/** Turns the usual Go download failures into an instruction. */
function explainGoFailure(output: string): string {
  if (/dial tcp|no such host|i\/o timeout|connection refused|TLS handshake timeout/.test(output)) {
    return "\nThe Go module proxy could not be reached. Check the network or set GOPROXY to a reachable proxy, then run `npm run setup` again.";
  }
  if (/403 Forbidden|404 Not Found|not available/.test(output)) {
    return '\nThe Go module proxy refused a module version; see docs/setup.md, "Upgrading a component".';
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// Prerequisites

export function goVersion(
  env: NodeJS.ProcessEnv = process.env,
): { major: number; minor: number; text: string } | undefined {
  const result = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env });
  if (result.error || result.status !== 0) return undefined;
  const text = result.stdout.trim();
  const match = /^go(\d+)\.(\d+)/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), text };
}

export function assertGo(env: NodeJS.ProcessEnv = process.env): void {
  const version = goVersion(env);
  const need = `Go ${MIN_GO.major}.${MIN_GO.minor} or newer`;
  if (!version) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `Go is not installed or not on PATH; building the collector, Jaeger and telemetrygen needs ${need}. ` +
        `Install it (https://go.dev/doc/install, or your distribution's golang package if new enough) and run \`npm run setup\` again.`,
    );
  }
  if (version.major < MIN_GO.major || (version.major === MIN_GO.major && version.minor < MIN_GO.minor)) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `found ${version.text}, but the collector ${COLLECTOR_VERSION} modules need ${need}. ` +
        `Upgrade Go, or set GOTOOLCHAIN=go${MIN_GO.major}.${MIN_GO.minor}.0 to let the go command fetch it, then run \`npm run setup\` again.`,
    );
  }
}

function goEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // CGO off: static binaries that do not depend on the host's libc headers; -trimpath for reproducible builds.
  return { ...base, CGO_ENABLED: "0", ...extra };
}

function binaryMissing(pattern: string): boolean {
  return expandStar(pattern).length === 0;
}

export function missingDebianPackages(): string[] {
  return DEBIAN_PACKAGES.filter((pkg) => pkg.binaries.some(binaryMissing)).map((pkg) => pkg.name);
}

// ---------------------------------------------------------------------------------------------------------------
// Installers

export async function ensureDebianPackages(progress: Progress): Promise<void> {
  const missing = missingDebianPackages();
  if (missing.length === 0) {
    progress(`✓ Debian packages present (${DEBIAN_PACKAGES.map((p) => p.name).join(", ")})`);
    return;
  }
  const command = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (!existsSync("/usr/bin/apt-get")) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `missing packages ${missing.join(", ")}, and this is not a Debian-based system (no apt-get). ` +
        `Install Prometheus 2.42+, Alertmanager, the node/postgres/redis exporters, PostgreSQL, Redis and Chromium ` +
        `with your package manager; docs/setup.md lists them.`,
    );
  }
  if (!isRoot()) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `missing Debian packages: ${missing.join(", ")}. Installing them needs root: run\n` +
        `  sudo apt-get update && sudo ${command}\nthen \`npm run setup\` again.`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  progress(`→ installing Debian packages: ${missing.join(", ")}`);
  await runWithProgress("apt-get", ["update"], { env, label: "running apt-get update", progress });
  await runWithProgress("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    env,
    label: "installing Debian packages",
    progress,
  });
  const still = missingDebianPackages();
  if (still.length > 0) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `apt-get finished but these are still missing: ${still.join(", ")}`,
    );
  }
  progress(`✓ Debian packages installed`);
}

/** Moves a finished build into place in one rename, so an interrupted build never leaves a half-written tool. */
function publish(built: string, finalDir: string, name: string): void {
  const staging = `${finalDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  renameSync(built, join(staging, name));
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(staging, finalDir);
}

export async function ensureCollector(progress: Progress, cache = lookoutCache()): Promise<string> {
  const manifest = readFileSync(COLLECTOR_MANIFEST, "utf8");
  const finalDir = join(toolsDir(cache), collectorKey(manifest));
  const binary = join(finalDir, "otelcol-lookout");
  if (existsSync(binary)) {
    progress(`✓ collector ${COLLECTOR_VERSION} (cached: ${binary})`);
    return binary;
  }
  assertGo();
  const builderDir = join(toolsDir(cache), `ocb-v${COLLECTOR_VERSION}`);
  const builder = join(builderDir, "builder");
  if (!existsSync(builder)) {
    progress(`→ installing the OpenTelemetry Collector Builder v${COLLECTOR_VERSION}`);
    await runWithProgress("go", ["install", `go.opentelemetry.io/collector/cmd/builder@v${COLLECTOR_VERSION}`], {
      env: goEnv({ GOBIN: builderDir }),
      label: "installing the collector builder",
      progress,
    });
  }
  const work = join(toolsDir(cache), "build", `otelcol-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // The manifest's output_path is relative to the repo; build in the cache instead so the clone stays clean. Local
  // modules' paths are relative to the repo too (as in the Dockerfile's build): made absolute for a build run here.
  const buildManifest = join(work, "builder-config.yaml");
  writeFileSync(
    buildManifest,
    manifest
      .replace(/output_path:.*$/m, `output_path: ${join(work, "src")}`)
      .replace(
        /^(\s*path:\s*)["']?([^"'\s#]+)["']?/gm,
        (_, lead: string, path: string) => `${lead}${join(REPO_ROOT, path)}`,
      ),
  );
  progress(
    `→ building the collector ${COLLECTOR_VERSION} from otel-collector/builder-config.yaml (several minutes on 2 cores)`,
  );
  await runWithProgress(builder, ["--config", buildManifest, "--ldflags=-s -w"], {
    cwd: work,
    env: goEnv(),
    label: "building the collector",
    progress,
  });
  publish(join(work, "src", "otelcol-lookout"), finalDir, "otelcol-lookout");
  rmSync(work, { recursive: true, force: true });
  progress(`✓ collector built: ${binary}`);
  return binary;
}

export async function ensureJaeger(progress: Progress, cache = lookoutCache()): Promise<string> {
  const finalDir = join(toolsDir(cache), `jaeger-${JAEGER_MODULE_VERSION}`);
  const binary = join(finalDir, "jaeger");
  if (existsSync(binary)) {
    progress(`✓ jaeger (module ${JAEGER_MODULE_VERSION}, cached: ${binary})`);
    return binary;
  }
  assertGo();
  // `go install github.com/jaegertracing/jaeger/cmd/jaeger@<version>` is refused because that go.mod has a replace
  // directive; a one-line main module that requires the same version and repeats the directive builds the same code.
  const work = join(toolsDir(cache), "build", `jaeger-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, "go.mod"),
    [
      "module lookout.local/jaeger-build",
      "",
      "go 1.26",
      "",
      `require github.com/jaegertracing/jaeger ${JAEGER_MODULE_VERSION}`,
      "",
      ...JAEGER_REPLACES.map((r) => `replace ${r}`),
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(work, "tools.go"),
    '//go:build tools\n\npackage tools\n\nimport _ "github.com/jaegertracing/jaeger/cmd/jaeger"\n',
  );
  progress(`→ building Jaeger (module ${JAEGER_MODULE_VERSION}) — resolving modules`);
  await runWithProgress("go", ["mod", "tidy"], {
    cwd: work,
    env: goEnv(),
    label: "resolving Jaeger's modules",
    progress,
  });
  progress(`→ compiling Jaeger ${JAEGER_RELEASE} (several minutes on 2 cores)`);
  const versionPkg = "github.com/jaegertracing/jaeger/internal/version";
  await runWithProgress(
    "go",
    [
      "build",
      "-trimpath",
      `-ldflags=-s -w -X ${versionPkg}.latestVersion=${JAEGER_RELEASE} -X ${versionPkg}.commitSHA=${JAEGER_COMMIT}`,
      "-o",
      join(work, "jaeger"),
      "github.com/jaegertracing/jaeger/cmd/jaeger",
    ],
    { cwd: work, env: goEnv(), label: "compiling Jaeger", progress },
  );
  publish(join(work, "jaeger"), finalDir, "jaeger");
  rmSync(work, { recursive: true, force: true });
  progress(`✓ jaeger built: ${binary}`);
  return binary;
}

export async function ensureTelemetrygen(
  progress: Progress,
  cache = lookoutCache(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const finalDir = join(toolsDir(cache), `telemetrygen-v${TELEMETRYGEN_VERSION}`);
  const binary = join(finalDir, "telemetrygen");
  if (existsSync(binary)) {
    progress(`✓ telemetrygen ${TELEMETRYGEN_VERSION} (cached: ${binary})`);
    return binary;
  }
  assertGo(env);
  const work = join(toolsDir(cache), "build", `telemetrygen-${process.pid}`);
  mkdirSync(work, { recursive: true });
  progress(`→ installing telemetrygen v${TELEMETRYGEN_VERSION}`);
  await runWithProgress(
    "go",
    [
      "install",
      "-trimpath",
      `github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v${TELEMETRYGEN_VERSION}`,
    ],
    { env: goEnv({ GOBIN: work }, env), label: "building telemetrygen", progress },
  );
  publish(join(work, "telemetrygen"), finalDir, "telemetrygen");
  rmSync(work, { recursive: true, force: true });
  progress(`✓ telemetrygen built: ${binary}`);
  return binary;
}
