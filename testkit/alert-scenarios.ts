/**
 * Alerting against the running native stack: starts `lookout stack up` on free ports in a throwaway LOOKOUT_HOME,
 * injects faults with the demo services' /admin/faults knobs, and times the path fault → rules → Alertmanager → the
 * aggregator's webhook by polling the aggregator's alert history (`GET /api/v1/alerts`, every 250 ms). Shared by
 * test/alerts/ (does each alert arrive, naming the right service?), bench/alerts.ts (how fast?) and
 * bench/alerts-soak.ts (does nothing arrive when all is well?).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { homeLayout, REPO_ROOT } from "../shared/index.js";
import { freeStackPortEnv, releaseStackPortEnv, withPortRetry } from "./ports.js";
import { type Ports, resolvePorts, readState } from "../stack/index.js";

export interface AlertRecord {
  alertname: string;
  severity: string;
  service: string | null;
  status: string;
  startsAt: string;
}

export interface AlertStack {
  home: string;
  ports: Ports;
  env: NodeJS.ProcessEnv;
  /** Every notification the aggregator has recorded (its alert history, newest first). */
  alerts(): Promise<AlertRecord[]>;
  faults(service: DemoService, body: Record<string, unknown> | "reset"): Promise<void>;
  /** SIGTERMs a component's process (the supervisor restarts it), as a rolling restart of one instance would. */
  restart(component: string): void;
  output(): string;
  stop(): Promise<void>;
}

export type DemoService = "automatrix" | "relaycore" | "neuroweaver";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the whole stack as `npm start` does (demo services and load generator included), on reserved ports; a start
 * that loses a port to another process is retried on new ones.
 */
export function startAlertStack(extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<AlertStack> {
  return withPortRetry("lookout stack up", () => startAlertStackOnce(extraEnv, timeoutMs));
}

async function startAlertStackOnce(extraEnv: NodeJS.ProcessEnv, timeoutMs: number): Promise<AlertStack> {
  const home = mkdtempSync("/tmp/lookout-alerts-");
  // Traversable: PostgreSQL runs as its own user when started by root.
  chmodSync(home, 0o711);
  const portEnv = await freeStackPortEnv();
  const ports = resolvePorts(portEnv);
  const env: NodeJS.ProcessEnv = { ...process.env, ...portEnv, LOOKOUT_HOME: home, ...extraEnv };
  delete env.LOOKOUT_ADMIN_TOKEN;
  delete env.LOOKOUT_METRICS_TOKEN;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, "bin", "lookout.mjs"), "stack", "up", "--no-setup"],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // Interrupted (Ctrl-C, a CI timeout), take the stack down with us instead of leaving it running on its ports.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping the stack in ${home}`);
    if (child.exitCode === null) child.kill("SIGTERM");
    void exited.then(() => {
      rmSync(home, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const deadline = Date.now() + timeoutMs;
  const failed = async (message: string): Promise<never> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(home, { recursive: true, force: true });
    releaseStackPortEnv(portEnv);
    throw new Error(message);
  };
  while (!/all \d+ components ready/.test(output)) {
    if (child.exitCode !== null) await failed(`lookout stack up exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) await failed(`stack not ready after ${timeoutMs / 1000}s:\n${output}`);
    await sleep(200);
  }
  const adminToken = readFileSync(join(home, "secrets", "admin_token"), "utf8").trim();
  const servicePort = { automatrix: ports.AUTOMATRIX, relaycore: ports.RELAYCORE, neuroweaver: ports.NEUROWEAVER };
  return {
    home,
    ports,
    env,
    output: () => output,
    async alerts() {
      const response = await fetch(`http://127.0.0.1:${ports.AGGREGATOR}/api/v1/alerts?state=all&limit=500`);
      if (!response.ok) throw new Error(`GET /api/v1/alerts answered ${response.status}`);
      return ((await response.json()) as { alerts: AlertRecord[] }).alerts;
    },
    async faults(service, body) {
      const response = await fetch(`http://127.0.0.1:${servicePort[service]}/admin/faults`, {
        method: body === "reset" ? "DELETE" : "POST",
        headers:
          body === "reset"
            ? { authorization: `Bearer ${adminToken}` }
            : { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: body === "reset" ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${service} /admin/faults answered ${response.status}: ${await response.text()}`);
    },
    restart(component) {
      const state = readState(homeLayout(home));
      const pid = state?.components.find((c) => c.name === component)?.pid;
      if (!pid) throw new Error(`no running ${component} in ${home}`);
      process.kill(pid, "SIGTERM");
    },
    async stop() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
      releaseStackPortEnv(portEnv);
    },
  };
}

/** The key of one notification (an alert firing for a service) in the aggregator's history. */
const key = (a: AlertRecord) => `${a.alertname}|${a.service ?? ""}|${a.startsAt}`;

/** Firing notifications other than the watchdog that were not in `before`. */
export function newFiring(before: AlertRecord[], now: AlertRecord[]): AlertRecord[] {
  const seen = new Set(before.map(key));
  return now.filter((a) => a.alertname !== "Watchdog" && a.status === "firing" && !seen.has(key(a)));
}

/**
 * Waits until a firing notification matching `match` that was not there at `before` reaches the webhook; returns the
 * seconds since `injectedAt`. Rejects after timeoutMs with what did arrive.
 */
export async function waitForNotification(
  stack: AlertStack,
  before: AlertRecord[],
  injectedAt: number,
  match: (a: AlertRecord) => boolean,
  timeoutMs: number,
): Promise<{ seconds: number; alert: AlertRecord }> {
  const deadline = Date.now() + timeoutMs;
  let last: AlertRecord[] = [];
  while (Date.now() < deadline) {
    last = newFiring(before, await stack.alerts());
    const hit = last.find(match);
    if (hit) return { seconds: (Date.now() - injectedAt) / 1000, alert: hit };
    await sleep(250);
  }
  throw new Error(
    `no matching notification within ${timeoutMs / 1000}s; new ones: ${JSON.stringify(last.map((a) => `${a.alertname}/${a.service}`))}`,
  );
}

/** Waits until no alert matching `match` is firing in the aggregator's history (its resolve notification arrived). */
export async function waitResolved(
  stack: AlertStack,
  match: (a: AlertRecord) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await stack.alerts()).some((a) => a.status === "firing" && match(a))) return;
    await sleep(1_000);
  }
  throw new Error(`still firing after ${timeoutMs / 1000}s`);
}

export interface Scenario {
  name: string;
  service: DemoService;
  /** The fault knobs to set. */
  fault: Record<string, unknown>;
  /** The alert that must arrive, naming `service`. */
  alertname: string;
  severity: "critical" | "warning";
  /** What the issue asks of it, in seconds. */
  requirementSeconds: number;
  aimSeconds?: number;
}

/** The injections of issue 7 §5, each on its own service and alert so they can follow each other. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "hard down",
    service: "automatrix",
    fault: { down: true },
    alertname: "ServiceDown",
    severity: "critical",
    requirementSeconds: 30,
    aimSeconds: 15,
  },
  {
    name: "error-rate spike",
    service: "relaycore",
    fault: { errorRate: 0.5 },
    alertname: "ServiceErrorRateHigh",
    severity: "critical",
    requirementSeconds: 30,
  },
  {
    name: "latency spike",
    service: "neuroweaver",
    // Past NeuroWeaver's 10 s threshold (alerts/rules/slo-targets.yml) by a margin its normal tail never reaches.
    fault: { latencyMs: 12_000 },
    alertname: "ServiceLatencyP99High",
    severity: "critical",
    requirementSeconds: 30,
  },
  {
    name: "AI budget burn",
    service: "relaycore",
    fault: { runawayCost: true },
    alertname: "AIBudgetBurnRateHigh",
    severity: "critical",
    requirementSeconds: 30,
  },
  {
    name: "failing synthetic flow",
    service: "relaycore",
    // Every RelayCore request fails, so relaycore-chat fails run after run (it runs every minute, alerts after 3).
    fault: { errorRate: 1 },
    alertname: "SyntheticFlowFailing",
    severity: "critical",
    requirementSeconds: 30,
  },
];

/** Injects one scenario's fault and times its notification; resets the fault afterwards whatever happens. */
export async function measure(
  stack: AlertStack,
  scenario: Scenario,
  timeoutMs: number,
): Promise<{ seconds: number; alert: AlertRecord }> {
  const before = await stack.alerts();
  const injectedAt = Date.now();
  await stack.faults(scenario.service, scenario.fault);
  try {
    return await waitForNotification(
      stack,
      before,
      injectedAt,
      (a) => a.alertname === scenario.alertname && a.service === scenario.service,
      timeoutMs,
    );
  } finally {
    await stack.faults(scenario.service, "reset");
  }
}
