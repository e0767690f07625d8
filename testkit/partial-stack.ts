/**
 * Part of the native stack, for tests and benchmarks: the same component specs `npm start` runs (components.ts),
 * filtered to the named ones, started by the real Supervisor in a throwaway LOOKOUT_HOME under /tmp on reserved
 * ports (ports.ts; a start that loses a port is retried on new ones).
 * The demo services run from dist/, so dist/ is compiled first, as `npm start` does (`lookout ports`: the launcher
 * compiles when sources changed).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { components, type StackContext, resolvePorts, loadSecrets, Supervisor, toolPaths } from "../stack/index.js";
import { homeLayout } from "../shared/index.js";
import { freeStackPortEnv, releaseStackPortEnv, withPortRetry } from "./ports.js";
import { lookout } from "./stack.js";

export interface PartialStack {
  ctx: StackContext;
  supervisor: Supervisor;
  /** The log of a component, as written so far. */
  log(component: string): string;
  /** Stops every component and removes the LOOKOUT_HOME. */
  stop(): Promise<void>;
}

export async function startPartialStack(names: readonly string[]): Promise<PartialStack> {
  const build = lookout(["ports"], { ...process.env });
  if (build.status !== 0) throw new Error(`compiling failed:\n${build.output}`);
  return withPortRetry(`partial stack (${names.join(", ")})`, () => startOnce(names));
}

async function startOnce(names: readonly string[]): Promise<PartialStack> {
  // Under /tmp and traversable: PostgreSQL runs as its own user when started by root.
  const home = mkdtempSync("/tmp/lookout-partial-");
  chmodSync(home, 0o711);
  const layout = homeLayout(home);
  const portEnv = await freeStackPortEnv();
  const ctx: StackContext = {
    layout,
    ports: resolvePorts(portEnv),
    secrets: loadSecrets(layout.secrets, {}),
    tools: toolPaths(),
    retention: "1d",
  };
  const cleanUp = () => {
    rmSync(home, { recursive: true, force: true });
    releaseStackPortEnv(portEnv);
  };
  const specs = components(ctx).filter((s) => names.includes(s.name));
  const missing = names.filter((n) => !specs.some((s) => s.name === n));
  if (missing.length > 0) {
    cleanUp();
    throw new Error(`no such component: ${missing.join(", ")}`);
  }
  const supervisor = new Supervisor({ layout, specs, out: () => {}, stopGraceMs: 5_000 });
  try {
    await supervisor.start();
  } catch (error) {
    cleanUp();
    throw error;
  }
  return {
    ctx,
    supervisor,
    log: (component) => {
      try {
        return readFileSync(layout.log(component), "utf8");
      } catch {
        return "";
      }
    },
    stop: async () => {
      await supervisor.stop();
      cleanUp();
    },
  };
}
