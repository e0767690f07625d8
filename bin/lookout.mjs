#!/usr/bin/env node
// The `lookout` command. Plain JavaScript on purpose: it must run on a fresh clone, before any dependency is
// installed. It makes sure node_modules matches package-lock.json and that dist/ is built from the current sources,
// then hands over to the compiled CLI (cli/main.ts).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDirs = [
  "api-client",
  "cli",
  "shared",
  "stack",
  "health-aggregator",
  "synthetics",
  "instrumentation",
  "demo",
  "dashboards",
  "sentinel",
];

function say(message) {
  process.stderr.write(`lookout: ${message}\n`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.error) {
    say(`could not run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    say(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Newest modification time of any .ts source under the given folders. */
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "_build") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, mtime(path));
  }
  return newest;
}

// 1. Dependencies: npm writes node_modules/.package-lock.json on every install; older than the lock means stale.
const installed = join(root, "node_modules", ".package-lock.json");
if (!existsSync(installed) || mtime(installed) < mtime(join(root, "package-lock.json"))) {
  say("installing npm dependencies (npm ci)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

// 2. Build: compile when any source is newer than the last build.
const stamp = join(root, "dist", ".tsbuildinfo");
const newest = Math.max(...sourceDirs.map((d) => newestSource(join(root, d))), mtime(join(root, "tsconfig.json")));
if (!existsSync(join(root, "dist", "cli", "main.js")) || mtime(stamp) < newest) {
  // The instrumentation package first: the rest imports it by name, through its declarations in instrumentation/dist.
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  say("compiling TypeScript (instrumentation/, then tsc -p tsconfig.build.json)…");
  run(process.execPath, [tsc, "-p", join("instrumentation", "tsconfig.json")]);
  run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);
  // An incremental build with nothing to emit leaves the stamp untouched; mark this build as current.
  if (existsSync(stamp)) utimesSync(stamp, new Date(), new Date());
}

const { main } = await import(pathToFileURL(join(root, "dist", "cli", "main.js")).href);
process.exitCode = await main(process.argv.slice(2));
