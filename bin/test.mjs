#!/usr/bin/env node
// `npm test`: every vitest test, then every pytest test (instrumentation-py/tests, demo/python/tests) with the Python
// environment `lookout setup` made (npm's pretest step). Both always run; the exit code is non-zero if either failed.
// Arguments go to vitest (`npm test -- test/demo`); `--python-only` / `--no-python` choose a side.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const pythonOnly = args.includes("--python-only");
const noPython = args.includes("--no-python");
const vitestArgs = args.filter((a) => a !== "--python-only" && a !== "--no-python");

function run(label, command, commandArgs, env = process.env) {
  process.stdout.write(`\n== ${label}: ${[command, ...commandArgs].join(" ")}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", env });
  if (result.error) {
    process.stderr.write(`${label}: could not run ${command}: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

const failures = [];
if (!pythonOnly) {
  const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
  if (run("vitest", process.execPath, [vitest, "run", ...vitestArgs]) !== 0) failures.push("vitest");
}
if (!noPython) {
  const { venvPython, pythonPath } = await import(pathToFileURL(join(root, "dist", "stack", "python.js")).href);
  const python = venvPython();
  if (!existsSync(python)) {
    process.stderr.write(`pytest: the Python environment is missing (${python}); run \`npm run setup\`.\n`);
    failures.push("pytest");
  } else {
    const env = { ...process.env, PYTHONPATH: pythonPath(), PYTHONDONTWRITEBYTECODE: "1" };
    const suites = ["instrumentation-py/tests", "demo/python/tests"];
    if (
      run("pytest", python, ["-m", "pytest", "-p", "no:cacheprovider", "-ra", "--rootdir", root, ...suites], env) !== 0
    )
      failures.push("pytest");
  }
}
if (failures.length > 0) {
  process.stderr.write(`\nnpm test: ${failures.join(" and ")} failed\n`);
  process.exit(1);
}
process.stdout.write("\nnpm test: vitest and pytest passed\n");
