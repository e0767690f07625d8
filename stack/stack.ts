/** `lookout stack up|down|status`: the native stack's entry points. */
import { chmodSync, mkdirSync, existsSync } from "node:fs";
import { components, parseRetention } from "./components.js";
import type { StackContext } from "./spec.js";
import { LookoutError, homeLayout, type HomeLayout, lookoutHome } from "../shared/index.js";
import { assertPortsFree, resolvePorts } from "./ports.js";
import { loadSecrets, SECRET_SPECS } from "./secrets.js";
import { isAlive, readState, reapStale, Supervisor } from "./supervisor.js";
import { setup } from "./setup.js";
import { toolPaths } from "./tools.js";

type Out = (line: string) => void;

function context(layout: HomeLayout): StackContext {
  return {
    layout,
    ports: resolvePorts(),
    secrets: loadSecrets(layout.secrets),
    tools: toolPaths(),
    retention: parseRetention(process.env.LOOKOUT_RETENTION),
  };
}

function prepareHome(): HomeLayout {
  const layout = homeLayout(lookoutHome());
  mkdirSync(layout.home, { recursive: true });
  // Traversable (not readable) by others: PostgreSQL runs as its own user and must reach its data directory.
  chmodSync(layout.home, 0o711);
  mkdirSync(layout.logs, { recursive: true });
  mkdirSync(layout.run, { recursive: true });
  return layout;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export async function stackUp(options: { setupMissing: boolean; out: Out }): Promise<number> {
  const { out } = options;
  const started = Date.now();
  const layout = prepareHome();
  // Settings first: a bad port or retention is reported before minutes of building.
  resolvePorts();
  parseRetention(process.env.LOOKOUT_RETENTION);
  if (options.setupMissing) {
    // Only what the stack runs; telemetrygen and compose-check are for tests (`npm test` installs them).
    await setup(out, ["debian", "python", "collector", "jaeger"]);
  } else {
    const tools = toolPaths();
    const missing = [tools.collector, tools.jaeger, tools.prometheus, tools.alertmanager, tools.python].filter(
      (p) => !existsSync(p),
    );
    if (missing.length > 0) {
      throw new LookoutError("LOOKOUT_ERR_PREREQUISITE", `missing ${missing.join(", ")}; run \`npm run setup\``);
    }
  }
  await reapStale(layout, out);
  // Ports before secrets: a start refused for a busy port leaves nothing behind.
  await assertPortsFree(resolvePorts());
  const ctx = context(layout);

  out(`LOOKOUT_HOME=${layout.home} (data, logs, secrets)`);
  for (const spec of SECRET_SPECS) {
    const secret = ctx.secrets[spec.name];
    if (secret.source === "generated") out(`generated ${spec.env} → ${secret.file}`);
  }

  const supervisor = new Supervisor({ layout, specs: components(ctx), out });
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) return;
    stopRequested = true;
    out(`\n${signal} received: stopping the stack…`);
    supervisor.stop().then(
      () => {
        out("stack stopped");
        resolveStopped(0);
      },
      (error: unknown) => {
        out(`error while stopping: ${(error as Error).message}`);
        resolveStopped(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  try {
    await supervisor.start();
  } catch (error) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    throw error;
  }
  if (stopRequested) return stopped;

  const state = readState(layout);
  out("");
  out(
    table([
      ["component", "pid", "url", "log"],
      ...(state?.components ?? []).map((c) => [c.name, String(c.pid ?? "-"), c.url, c.log]),
    ]),
  );
  out("");
  out(`all ${state?.components.length ?? 0} components ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  out(`tokens: ${layout.secrets} · stop: Ctrl-C, or \`npm run stop\` from another terminal`);
  return stopped;
}

export async function stackDown(out: Out): Promise<number> {
  const layout = homeLayout(lookoutHome());
  const state = readState(layout);
  if (!state) {
    out(`no stack is running for LOOKOUT_HOME=${layout.home}`);
    return 0;
  }
  if (isAlive(state.supervisorPid)) {
    out(`stopping the stack (supervisor pid ${state.supervisorPid})…`);
    process.kill(state.supervisorPid, "SIGTERM");
    const deadline = Date.now() + 60_000;
    while (isAlive(state.supervisorPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (isAlive(state.supervisorPid)) {
      throw new LookoutError(
        "LOOKOUT_ERR_STACK",
        `the supervisor (pid ${state.supervisorPid}) did not stop within 60s`,
      );
    }
  }
  await reapStale(layout, out);
  out("stack stopped");
  return 0;
}

export async function stackStatus(out: Out): Promise<number> {
  const layout = homeLayout(lookoutHome());
  const state = readState(layout);
  if (!state || !isAlive(state.supervisorPid)) {
    out(`no stack is running for LOOKOUT_HOME=${layout.home}`);
    return 3;
  }
  const specs = new Map(components(context(layout)).map((s) => [s.name, s]));
  const rows = [["component", "pid", "process", "ready", "restarts", "url"]];
  let allGood = state.status === "running";
  for (const c of state.components) {
    const alive = isAlive(c.pid);
    const reason = alive ? await specs.get(c.name)?.ready() : "not running";
    if (!alive || reason !== undefined) allGood = false;
    rows.push([
      c.name,
      String(c.pid ?? "-"),
      alive ? "running" : "DOWN",
      reason === undefined ? "yes" : `no: ${reason}`,
      String(c.restarts),
      c.url,
    ]);
  }
  out(
    `stack ${state.status} since ${state.startedAt} (supervisor pid ${state.supervisorPid}, LOOKOUT_HOME=${state.home})`,
  );
  out(table(rows));
  return allGood ? 0 : 1;
}
