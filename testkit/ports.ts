/**
 * Ports for tests and benchmarks that cannot collide with anything else on the machine.
 *
 * Binding port 0 and releasing it is not enough: the kernel picks that port from the ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range), which every outgoing connection of every process also draws its local
 * port from, so between release and the component's own bind the port is fair game. Ports here are chosen outside
 * the ephemeral range instead, where only an explicit bind can take them, and each is reserved in a registry shared
 * by every process on the machine (a file per port under the temporary directory, created exclusively), so two test
 * files, a test and a benchmark, or two concurrent runs never pick the same one. A reservation lasts until it is
 * released or its process exits; one left by a process that is gone is taken over.
 *
 * Where a start still fails on "address already in use" (something outside Lookout bound the port in between),
 * `withPortRetry` runs it again with new ports, a bounded number of times, and says so.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PORT_SPECS } from "../stack/index.js";

/** Inclusive bounds of a port range. */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** The Linux default, used where /proc does not say (another OS, a restricted container). */
const DEFAULT_EPHEMERAL: PortRange = { low: 32768, high: 60999 };
/** Below this sit the well-known and most registered service ports; a test has no business there. */
const LOWEST = 10_000;
const HIGHEST = 65_535;

/** The kernel's ephemeral port range, from /proc (or the Linux default where it cannot be read). */
export function ephemeralPortRange(path = "/proc/sys/net/ipv4/ip_local_port_range"): PortRange {
  try {
    const [low, high] = readFileSync(path, "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low! && high! <= HIGHEST) {
      return { low: low!, high: high! };
    }
  } catch {
    /* not Linux, or /proc not mounted */
  }
  return DEFAULT_EPHEMERAL;
}

/**
 * The ranges a test port may come from: [10000, 65535] less the ephemeral range. The stack's default ports are
 * skipped by the allocator too, so a test never takes a port that a developer's running `npm start` uses.
 */
export function candidateRanges(ephemeral: PortRange): PortRange[] {
  const ranges: PortRange[] = [];
  if (ephemeral.low - 1 >= LOWEST) ranges.push({ low: LOWEST, high: Math.min(ephemeral.low - 1, HIGHEST) });
  if (ephemeral.high + 1 <= HIGHEST) ranges.push({ low: Math.max(ephemeral.high + 1, LOWEST), high: HIGHEST });
  return ranges;
}

const STACK_DEFAULTS = new Set<number>(PORT_SPECS.map((s) => s.defaultPort));

/** A process's identity that survives pid reuse: its pid and its start time in clock ticks since boot. */
function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return `${pid} ${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`;
  } catch {
    try {
      process.kill(pid, 0);
      return `${pid}`; // no /proc: the pid alone
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM" ? `${pid}` : undefined;
    }
  }
}

export interface PortRegistryOptions {
  /** Where reservations live; every process that must not collide has to use the same directory. */
  dir?: string;
  ephemeral?: PortRange;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
}

/** Resolves to true when port can be bound on the loopback address right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The machine-wide registry of reserved test ports. */
export class PortRegistry {
  readonly dir: string;
  private readonly ranges: PortRange[];
  private readonly random: () => number;
  private readonly mine = new Set<number>();
  private readonly identity: string;

  constructor(options: PortRegistryOptions = {}) {
    this.dir = options.dir ?? join(tmpdir(), "lookout-ports");
    this.ranges = candidateRanges(options.ephemeral ?? ephemeralPortRange());
    this.random = options.random ?? Math.random;
    this.identity = processIdentity(process.pid) ?? `${process.pid}`;
    if (this.ranges.length === 0) {
      throw new Error(`no port range outside the ephemeral range ${JSON.stringify(options.ephemeral)} is left`);
    }
  }

  /** Reserves a port that is bindable now, outside the ephemeral range, and reserved by no other live process. */
  async reserve(): Promise<number> {
    if (!existsSync(this.dir)) {
      mkdirSync(this.dir, { recursive: true });
      // Shared by every user's tests on the machine, like /tmp itself (mkdir's mode is cut by the umask).
      try {
        chmodSync(this.dir, 0o1777);
      } catch {
        /* made by another user meanwhile */
      }
    }
    const size = this.ranges.reduce((n, r) => n + r.high - r.low + 1, 0);
    for (let attempt = 0; attempt < 500; attempt++) {
      let offset = Math.floor(this.random() * size);
      let port = 0;
      for (const r of this.ranges) {
        if (offset <= r.high - r.low) {
          port = r.low + offset;
          break;
        }
        offset -= r.high - r.low + 1;
      }
      if (STACK_DEFAULTS.has(port) || this.mine.has(port) || !this.claim(port)) continue;
      if (await bindable(port)) return port;
      this.release(port); // something outside the registry holds it: leave it alone
    }
    throw new Error(`no free port found outside the ephemeral range after 500 tries (registry ${this.dir})`);
  }

  /** Gives a port back to the registry. */
  release(port: number): void {
    if (!this.mine.delete(port)) return;
    try {
      unlinkSync(this.path(port));
    } catch {
      /* already gone */
    }
  }

  /** Releases every port this registry reserved (also done when the process exits). */
  releaseAll(): void {
    for (const port of [...this.mine]) this.release(port);
  }

  /** The ports this process holds now. */
  held(): number[] {
    return [...this.mine];
  }

  private path(port: number): string {
    return join(this.dir, String(port));
  }

  /** Creates the port's reservation file exclusively, taking over one whose owner is gone. */
  private claim(port: number): boolean {
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fd = openSync(this.path(port), "wx", 0o644);
        writeSync(fd, this.identity);
        closeSync(fd);
        this.mine.add(port);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let owner = "";
      try {
        owner = readFileSync(this.path(port), "utf8").trim();
      } catch {
        continue; // released meanwhile: try again
      }
      const pid = Number(owner.split(" ")[0]);
      // An owner still alive (same pid, same start time), or a file being written right now: not ours to take.
      if (owner === "" || !Number.isInteger(pid) || processIdentity(pid) === owner) return false;
      try {
        unlinkSync(this.path(port));
      } catch {
        /* another process took it over first; the exclusive create decides */
      }
    }
    return false;
  }
}

let shared: PortRegistry | undefined;

/** The registry this process uses, released on exit. */
export function portRegistry(): PortRegistry {
  if (!shared) {
    const registry = new PortRegistry();
    process.once("exit", () => registry.releaseAll());
    shared = registry;
  }
  return shared;
}

/** A loopback port nothing else will be given: outside the ephemeral range and reserved machine-wide. */
export function freePort(): Promise<number> {
  return portRegistry().reserve();
}

/** LOOKOUT_PORT_* variables that move every stack port to a distinct reserved port (tests, benchmarks). */
export async function freeStackPortEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const spec of PORT_SPECS) env[`LOOKOUT_PORT_${spec.key}`] = String(await freePort());
  return env;
}

/** Gives back the ports of an environment from freeStackPortEnv. */
export function releaseStackPortEnv(env: Record<string, string | undefined>): void {
  for (const spec of PORT_SPECS) {
    const port = Number(env[`LOOKOUT_PORT_${spec.key}`]);
    if (Number.isInteger(port)) portRegistry().release(port);
  }
}

/** Whether an error (or the output it carries) says a bind failed because the address was in use. */
export function isAddressInUse(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}`
      : typeof error === "string"
        ? error
        : "";
  return /EADDRINUSE|address already in use|LOOKOUT_ERR_PORT_IN_USE|is already in use/i.test(text);
}

export interface PortRetryOptions {
  /** How many starts in all (default 3). */
  attempts?: number;
  /** Where the retry is reported (default: standard error). */
  log?: (line: string) => void;
}

/**
 * Runs start(attempt) and, when it fails because a port was taken, runs it again — start must choose new ports each
 * time and clean up after its own failure. Any other error, or the last attempt's, is thrown as it is.
 */
export async function withPortRetry<T>(
  what: string,
  start: (attempt: number) => Promise<T>,
  options: PortRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(attempt);
    } catch (error) {
      if (attempt >= attempts || !isAddressInUse(error)) throw error;
      const line = ((error as Error).message ?? String(error))
        .split("\n")
        .find((l) => isAddressInUse(l))
        ?.trim();
      log(
        `${what}: a port was taken (${line ?? "address already in use"}); retrying with new ports (attempt ${attempt + 1} of ${attempts})`,
      );
    }
  }
}
