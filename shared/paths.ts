/**
 * Where Lookout keeps things outside the clone:
 * - LOOKOUT_HOME — the stack's data, logs, generated secrets and rendered configs.
 *   Default: `$XDG_DATA_HOME/lookout` (`~/.local/share/lookout`); as root `/var/lib/lookout`, because PostgreSQL
 *   runs as the `postgres` user and cannot enter root's home.
 * - LOOKOUT_CACHE — built and downloaded tools, one folder per tool and version.
 *   Default: `$XDG_CACHE_HOME/lookout` (`~/.cache/lookout`).
 */
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: this file is shared/paths.ts, or dist/shared/paths.js once built (dist-dev/shared/paths.js in
 * the benchmarks' build, tsconfig.bench.json).
 */
export const REPO_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  const parent = resolve(here, "..");
  return basename(parent) === "dist" || basename(parent) === "dist-dev" ? resolve(parent, "..") : parent;
})();

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function lookoutHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOOKOUT_HOME) return resolve(env.LOOKOUT_HOME);
  if (isRoot()) return "/var/lib/lookout";
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "lookout");
}

export function lookoutCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOOKOUT_CACHE) return resolve(env.LOOKOUT_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "lookout");
}

/** The layout of LOOKOUT_HOME. */
export function homeLayout(home: string) {
  return {
    home,
    logs: join(home, "logs"),
    secrets: join(home, "secrets"),
    run: join(home, "run"),
    config: join(home, "run", "config"),
    stateFile: join(home, "run", "stack.json"),
    data: (component: string) => join(home, "data", component),
    log: (component: string) => join(home, "logs", `${component}.log`),
  };
}

export type HomeLayout = ReturnType<typeof homeLayout>;
