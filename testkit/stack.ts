/**
 * Drives the real native stack from tests: `lookout stack up` as a child process with its own LOOKOUT_HOME and free
 * ports, and helpers to query what it runs. Nothing here fakes a component.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Dispatcher, request } from "undici";
import { freePort, withPortRetry } from "./ports.js";
import { REPO_ROOT } from "../shared/index.js";
import { stackTlsFiles, tlsClientAgent, missingToolMessage, type ToolPaths, toolPaths } from "../stack/index.js";

export const LOOKOUT_BIN = join(REPO_ROOT, "bin", "lookout.mjs");

/** Fails (never skips) with the install instruction when a tool the test needs is missing. */
export function requireTools(...names: (keyof ToolPaths)[]): ToolPaths {
  const tools = toolPaths();
  for (const name of names) {
    if (!existsSync(tools[name])) throw new Error(missingToolMessage(name, tools[name]));
  }
  return tools;
}

export interface RunningStack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the stack and resolves once it prints that every component is ready (rejects with its output otherwise). */
export function startStack(env: NodeJS.ProcessEnv, timeoutMs = 300_000, pollMs = 100): Promise<RunningStack> {
  const child = spawn(process.execPath, [LOOKOUT_BIN, "stack", "up", "--no-setup"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`stack not ready after ${timeoutMs / 1000}s:\n${output}`)),
      timeoutMs,
    );
    const poll = setInterval(() => {
      if (/all \d+ components ready/.test(output)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    }, pollMs);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`lookout stack up exited with ${code} before the stack was ready:\n${output}`));
    });
  });
}

/**
 * Sends SIGTERM to a child and resolves once it has exited, so what it writes on the way out (Alertmanager's
 * silences and notification log, for one) is done before a test removes its data directory.
 */
export async function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Starts one binary on a reserved port (testkit/ports.ts) and resolves once GET http://127.0.0.1:<port><readyPath>
 * answers 2xx; if it exits first because the port was taken meanwhile, it is started again on a new one.
 */
export function spawnOnFreePort(
  command: string,
  args: (port: number) => string[],
  readyPath: string,
  timeoutMs = 30_000,
  env: (port: number) => NodeJS.ProcessEnv = () => process.env,
): Promise<{ child: ChildProcess; port: number }> {
  return withPortRetry(command, async () => {
    const port = await freePort();
    const child = spawn(command, args(port), { stdio: ["ignore", "ignore", "pipe"], env: env(port) });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8_000)));
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(`${command} exited (${signal ?? code}):\n${stderr}`)),
    );
    const ready = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && child.exitCode === null) {
        const answer = await fetch(`http://127.0.0.1:${port}${readyPath}`).catch(() => undefined);
        if (answer?.ok) return undefined;
        await new Promise((r) => setTimeout(r, 200));
      }
      return `${command} not ready on port ${port} after ${timeoutMs / 1000}s:\n${stderr}`;
    })();
    const failure = await Promise.race([ready, exited]);
    if (failure !== undefined) {
      child.kill("SIGKILL");
      throw new Error(failure);
    }
    return { child, port };
  });
}

/** Runs the lookout CLI to completion: output is stdout and stderr together, stdout alone for what it prints. */
export function lookout(
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(process.execPath, [LOOKOUT_BIN, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** PIDs of every process whose command line or environment mentions marker (e.g. the test's LOOKOUT_HOME). */
export function processesMentioning(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      let environ = "";
      try {
        environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      } catch {
        /* not ours to read */
      }
      if (cmd.includes(marker) || environ.includes(marker)) found.push({ pid: Number(entry), cmd: cmd.trim() });
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

export async function getJson<T>(
  url: string,
  headers: Record<string, string> = {},
  dispatcher?: Dispatcher,
): Promise<{ status: number; body: T }> {
  const response = await request(url, { headers, dispatcher, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await response.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.statusCode, body: body as T };
}

/** Polls check until it returns a value (not undefined) or the deadline passes; rejects with the last reason. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs / 1000}s${last instanceof Error ? `: ${last.message}` : ""}`,
  );
}

interface JaegerV3Response {
  result?: { resourceSpans?: { scopeSpans?: { spans?: { traceId: string; name: string }[] }[] }[] };
}

/** Jaeger's query API on loopback, which takes only the stack's TLS client certificate (stack/tls.ts). */
export interface JaegerEndpoint {
  url: string;
  dispatcher: Dispatcher;
}

const jaegerAgents = new Map<string, Dispatcher>();

/** The query API of a stack whose secrets are in secretsDir (LOOKOUT_HOME/secrets). */
export function jaegerEndpoint(port: number, secretsDir: string): JaegerEndpoint {
  let dispatcher = jaegerAgents.get(secretsDir);
  if (!dispatcher) {
    dispatcher = tlsClientAgent(stackTlsFiles(secretsDir));
    jaegerAgents.set(secretsDir, dispatcher);
  }
  return { url: `https://127.0.0.1:${port}`, dispatcher };
}

/** GET path of Jaeger's query API as JSON. */
export function jaegerGet<T>(jaeger: JaegerEndpoint, path: string): Promise<{ status: number; body: T }> {
  return getJson<T>(`${jaeger.url}${path}`, {}, jaeger.dispatcher);
}

/** Trace ids Jaeger's v3 query API holds for a service in the last hour. */
export async function jaegerTraceIds(jaeger: JaegerEndpoint, service: string): Promise<string[]> {
  const now = new Date();
  const params = new URLSearchParams({
    "query.service_name": service,
    "query.start_time_min": new Date(now.getTime() - 3_600_000).toISOString(),
    "query.start_time_max": new Date(now.getTime() + 60_000).toISOString(),
  });
  const { status, body } = await jaegerGet<JaegerV3Response>(jaeger, `/api/v3/traces?${params.toString()}`);
  if (status === 404) return [];
  if (status !== 200) throw new Error(`Jaeger answered ${status}: ${JSON.stringify(body)}`);
  const ids = new Set<string>();
  for (const rs of body.result?.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) ids.add(span.traceId);
  }
  return [...ids];
}
