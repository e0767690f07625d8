/**
 * The native stack supervisor: starts each component as a child process (its own process group, output appended to
 * LOOKOUT_HOME/logs/<component>.log), waits for its readiness before starting the next, reports and restarts a
 * component that dies, and on SIGINT/SIGTERM stops everything in reverse order — SIGTERM, then SIGKILL after a grace
 * period — so no process is left behind. The state file (run/stack.json) lets `lookout stack status|down` work from
 * another terminal and lets the next start clean up after a supervisor that was killed with -9.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { LookoutError, type HomeLayout } from "../shared/index.js";
import type { ComponentSpec } from "./spec.js";
import { waitReady } from "./readiness.js";

export interface StackState {
  supervisorPid: number;
  startedAt: string;
  home: string;
  status: "starting" | "running" | "stopping";
  components: { name: string; pid: number | undefined; url: string; log: string; restarts: number }[];
}

export interface SupervisorOptions {
  layout: HomeLayout;
  specs: ComponentSpec[];
  out: (line: string) => void;
  /** Grace period between SIGTERM and SIGKILL for each component. */
  stopGraceMs?: number;
  /** Restarts allowed per component before the stack gives up on it (it is then reported as down). */
  maxRestarts?: number;
}

interface Running {
  spec: ComponentSpec;
  child: ChildProcess | undefined;
  exited: string | undefined;
  restarts: number;
  stopping: boolean;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readState(layout: HomeLayout): StackState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(layout.stateFile, "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Kills the components a dead supervisor left behind (found through the state file). */
export async function reapStale(layout: HomeLayout, out: (line: string) => void): Promise<void> {
  const state = readState(layout);
  if (!state) return;
  if (isAlive(state.supervisorPid) && state.supervisorPid !== process.pid) {
    throw new LookoutError(
      "LOOKOUT_ERR_STACK",
      `the stack is already running (supervisor pid ${state.supervisorPid}, LOOKOUT_HOME=${state.home}). ` +
        `Stop it with \`lookout stack down\` or Ctrl-C in its terminal.`,
    );
  }
  const leftovers = state.components.filter((c) => isAlive(c.pid));
  for (const c of leftovers) {
    out(`cleaning up ${c.name} (pid ${c.pid}) left by a previous stack that did not stop cleanly`);
    killGroup(c.pid as number, "SIGTERM");
  }
  const stubborn = await waitGone(
    leftovers.map((c) => c.pid as number),
    5_000,
  );
  for (const pid of stubborn) killGroup(pid, "SIGKILL");
  rmSync(layout.stateFile, { force: true });
}

export class Supervisor {
  private readonly running: Running[] = [];
  private stopping = false;
  private stateFileLost = false;
  private readonly startedAt = new Date().toISOString();
  private status: StackState["status"] = "starting";

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts every component in order; rejects (after stopping what started) if one is not ready in time. */
  async start(): Promise<void> {
    const { layout, specs, out } = this.options;
    mkdirSync(layout.logs, { recursive: true });
    mkdirSync(layout.run, { recursive: true });
    for (const spec of specs) {
      if (this.stopping) return;
      const started = Date.now();
      out(`starting ${spec.name}…`);
      try {
        spec.prepare?.();
      } catch (error) {
        await this.stop();
        throw error;
      }
      const entry: Running = { spec, child: undefined, exited: undefined, restarts: 0, stopping: false };
      this.running.push(entry);
      this.spawn(entry);
      const timeoutMs = (spec.readyTimeoutSeconds ?? 30) * 1000;
      const failure = await waitReady(
        spec.ready,
        timeoutMs,
        () => entry.exited ?? (this.stopping ? "stack stopping" : undefined),
      );
      if (this.stopping) return;
      if (failure !== undefined) {
        await this.stop();
        throw new LookoutError(
          "LOOKOUT_ERR_NOT_READY",
          `${spec.name} did not become ready: ${failure}\nIts log: ${layout.log(spec.name)}\n` +
            `${tailOf(layout.log(spec.name), 12)}\ndocs/troubleshooting.md explains the usual causes.`,
        );
      }
      out(`✓ ${spec.name} ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      this.writeState();
    }
    this.status = "running";
    this.writeState();
  }

  private spawn(entry: Running): void {
    const { layout, out } = this.options;
    const { spec } = entry;
    const logPath = layout.log(spec.name);
    const fd = openSync(logPath, "a");
    let uid: number | undefined;
    let gid: number | undefined;
    if (spec.user) {
      uid = Number(spawnSync("id", ["-u", spec.user], { encoding: "utf8" }).stdout.trim());
      gid = Number(spawnSync("id", ["-g", spec.user], { encoding: "utf8" }).stdout.trim());
    }
    const child = spawn(spec.command, [...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", fd, fd],
      detached: true, // own process group: the whole tree is signalled together
      uid,
      gid,
    });
    closeSync(fd);
    entry.child = child;
    entry.exited = undefined;
    child.on("error", (error) => {
      entry.exited = `could not start ${spec.command}: ${error.message}`;
    });
    child.on("exit", (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      entry.exited = `${spec.name} ${how}`;
      if (this.stopping || entry.stopping) return;
      out(`✗ ${spec.name} ${how} — see ${logPath}`);
      this.restartLater(entry);
    });
  }

  /** Restarts a component that died while the stack runs, with backoff, up to maxRestarts. */
  private restartLater(entry: Running): void {
    if (this.status !== "running") return; // during start-up, the readiness wait reports it
    const max = this.options.maxRestarts ?? 5;
    if (entry.restarts >= max) {
      this.options.out(
        `✗ ${entry.spec.name} died ${entry.restarts + 1} times; not restarting it. The rest keeps running.`,
      );
      this.writeState();
      return;
    }
    const delay = Math.min(30_000, 1_000 * 2 ** entry.restarts);
    entry.restarts += 1;
    this.options.out(`↻ restarting ${entry.spec.name} in ${delay / 1000}s (restart ${entry.restarts} of ${max})`);
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(entry);
      this.writeState();
    }, delay).unref();
  }

  /** Stops every component, dependents first; resolves when none is left. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.status = "stopping";
    this.writeState();
    const grace = this.options.stopGraceMs ?? 10_000;
    for (const entry of [...this.running].reverse()) {
      const pid = entry.child?.pid;
      if (!pid || entry.child?.exitCode !== null || entry.child.signalCode !== null) continue;
      entry.stopping = true;
      // PostgreSQL: SIGINT is its "fast" shutdown; SIGTERM would wait for every client to disconnect.
      killGroup(pid, entry.spec.name === "postgres" ? "SIGINT" : "SIGTERM");
      const left = await waitGone([pid], grace);
      if (left.length > 0) {
        this.options.out(`${entry.spec.name} did not stop within ${grace / 1000}s; killing it`);
        killGroup(pid, "SIGKILL");
        await waitGone([pid], 2_000);
      }
      this.options.out(`stopped ${entry.spec.name}`);
    }
    rmSync(this.options.layout.stateFile, { force: true });
  }

  /** Components that are not running right now (died and not yet restarted, or given up). */
  down(): string[] {
    return this.running.filter((r) => !isAlive(r.child?.pid)).map((r) => r.spec.name);
  }

  private writeState(): void {
    const state: StackState = {
      supervisorPid: process.pid,
      startedAt: this.startedAt,
      home: this.options.layout.home,
      status: this.status,
      components: this.running.map((r) => ({
        name: r.spec.name,
        pid: r.child?.pid,
        url: r.spec.url,
        log: this.options.layout.log(r.spec.name),
        restarts: r.restarts,
      })),
    };
    try {
      writeFileSync(this.options.layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
    } catch (error) {
      // The state file is for `lookout stack status/down`; losing it (LOOKOUT_HOME removed under a running stack)
      // must not stop the supervisor from stopping what it started, or the components outlive it.
      if (!this.stateFileLost)
        this.options.out(`! cannot write ${this.options.layout.stateFile}: ${(error as Error).message}`);
      this.stateFileLost = true;
    }
  }
}

function tailOf(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .slice(-lines)
      .map((l) => `  | ${l}`)
      .join("\n");
  } catch {
    return "  (no log yet)";
  }
}
