/**
 * The Python environment of the demo's FastAPI services (AutoMatrix, NeuroWeaver) and of the Python tests: a virtual
 * environment made from python/requirements.lock (every package pinned and hashed, installed with
 * `pip --require-hashes`), cached in LOOKOUT_CACHE under a key of the lock's hash and the interpreter's version, so
 * `lookout setup` is a no-op until either changes. The services' own code is not installed into it: they run from the
 * clone with PYTHONPATH (pythonPath()), so editing them never invalidates the environment.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LookoutError, lookoutCache, REPO_ROOT } from "../shared/index.js";

type Progress = (line: string) => void;
/** stack/tools.ts's runWithProgress, passed in by stack/setup.ts (tools.ts imports this module for toolPaths()). */
export type RunWithProgress = (
  command: string,
  args: string[],
  options: { label: string; progress: Progress; env?: NodeJS.ProcessEnv },
) => Promise<void>;

export const PYTHON_LOCK = join(REPO_ROOT, "python", "requirements.lock");
/** The oldest Python the instrumentation package supports (instrumentation-py/pyproject.toml). */
export const MIN_PYTHON = { major: 3, minor: 10 } as const;

/** Folders on the services' PYTHONPATH: the instrumentation package's sources and the demo package. */
export function pythonPath(root = REPO_ROOT): string {
  return [join(root, "instrumentation-py", "src"), join(root, "demo", "python")].join(":");
}

/** The interpreter to build the environment with: LOOKOUT_PYTHON, else python3 on PATH. */
function basePython(env: NodeJS.ProcessEnv): string {
  return env.LOOKOUT_PYTHON || "python3";
}

/** `3.11.7` of the base interpreter, after checking it is new enough and has venv and ensurepip. */
export function checkBasePython(env: NodeJS.ProcessEnv = process.env): string {
  const python = basePython(env);
  const probe = spawnSync(python, ["-c", "import sys, venv, ensurepip; print('%d.%d.%d' % sys.version_info[:3])"], {
    encoding: "utf8",
  });
  if (probe.error) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `${python} was not found: install Python ${MIN_PYTHON.major}.${MIN_PYTHON.minor}+ ` +
        "(Debian: apt-get install python3 python3-venv), or point LOOKOUT_PYTHON at an interpreter",
    );
  }
  if (probe.status !== 0) {
    const why = probe.stderr.trim().split("\n").at(-1) ?? "";
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `${python} cannot create virtual environments (${why}): install its venv module ` +
        "(Debian: apt-get install python3-venv)",
    );
  }
  const version = probe.stdout.trim();
  const [major, minor] = version.split(".").map(Number);
  if (major !== MIN_PYTHON.major || (minor ?? 0) < MIN_PYTHON.minor) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `${python} is Python ${version}; Lookout's Python services need ${MIN_PYTHON.major}.${MIN_PYTHON.minor}+ ` +
        "(set LOOKOUT_PYTHON to a newer interpreter)",
    );
  }
  return version;
}

/** The environment's folder: keyed by the lock's hash and the interpreter version. */
export function pythonEnvDir(version: string, env: NodeJS.ProcessEnv = process.env, lock = PYTHON_LOCK): string {
  const hash = createHash("sha256").update(readFileSync(lock)).update(`\0${version}`).digest("hex").slice(0, 12);
  return join(lookoutCache(env), "python", `venv-${hash}`);
}

const COMPLETE = ".lookout-complete";

/**
 * The environment's python, whether or not it exists yet: tests and `stack up --no-setup` report a missing one with
 * the setup command, and `lookout setup` says what is wrong with the base interpreter (checkBasePython).
 */
export function venvPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOOKOUT_VENV_PYTHON) return env.LOOKOUT_VENV_PYTHON;
  let version: string;
  try {
    version = checkBasePython(env);
  } catch {
    return join(lookoutCache(env), "python", "no-usable-python3", "bin", "python");
  }
  return join(pythonEnvDir(version, env), "bin", "python");
}

/** Creates the environment if missing; returns its python. Built in a staging folder and renamed when complete. */
export async function ensurePythonEnv(
  progress: Progress,
  runWithProgress: RunWithProgress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const version = checkBasePython(env);
  const dir = pythonEnvDir(version, env);
  const python = join(dir, "bin", "python");
  if (existsSync(join(dir, COMPLETE))) {
    progress(`✓ Python ${version} environment (cached: ${dir})`);
    return python;
  }
  // Built aside and renamed when complete: a venv only records its base interpreter (pyvenv.cfg), not its own path, and
  // everything here runs as `python -m …`, never through the scripts in bin/ that do hard-code it.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(dir, ".."), { recursive: true });
  progress(`→ creating the Python ${version} environment from python/requirements.lock`);
  await runWithProgress(basePython(env), ["-m", "venv", staging], { label: "creating the venv", progress });
  await runWithProgress(
    join(staging, "bin", "python"),
    [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--require-hashes",
      "--no-deps",
      "--disable-pip-version-check",
      "-r",
      PYTHON_LOCK,
    ],
    { label: "installing the pinned Python packages", progress, env: { ...env, PIP_PROGRESS_BAR: "off" } },
  );
  writeFileSync(join(staging, COMPLETE), `${new Date().toISOString()}\n`);
  if (existsSync(join(dir, COMPLETE)))
    rmSync(staging, { recursive: true, force: true }); // a concurrent setup won
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  }
  progress(`✓ Python environment ready: ${dir}`);
  return python;
}
