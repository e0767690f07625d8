/**
 * What the aggregator believes about each target, from the stream of CheckResults: the instances' latest results,
 * the target's observed status (failover-aware), and its confirmed status — which turns unhealthy only after N
 * consecutive failed observations and recovers only after M good ones, so one blip is not an outage. Pure logic:
 * no I/O, no clock; the engine feeds it results and acts on the transitions it returns.
 */
import type { TargetConfig } from "../config/load.js";
import type { CheckResult, Status } from "../checks/types.js";

export interface TargetState {
  config: TargetConfig;
  instances: Map<string, CheckResult>;
  /** Status of the latest observation (after failover logic), before hysteresis. */
  observed: Status | undefined;
  /** Status after hysteresis; undefined until the first observation. */
  confirmed: Status | undefined;
  since: number | undefined;
  failures: number;
  successes: number;
  /** The instance currently serving: the first healthy primary, else a healthy secondary. */
  serving: string | undefined;
  lastResult: CheckResult | undefined;
}

export interface Transition {
  targetId: string;
  from: Status | undefined;
  to: Status;
  at: number;
}

export interface Failover {
  targetId: string;
  at: number;
  from: string;
  to: string;
}

export function newTargetState(config: TargetConfig): TargetState {
  return {
    config,
    instances: new Map(),
    observed: undefined,
    confirmed: undefined,
    since: undefined,
    failures: 0,
    successes: 0,
    serving: undefined,
    lastResult: undefined,
  };
}

const up = (s: Status | undefined) => s === "healthy" || s === "degraded";

/** The target's status from its instances' latest results: primaries first, then a secondary serving (degraded). */
export function aggregate(state: TargetState): { status: Status; serving: string | undefined } {
  const byRole = (role: "primary" | "secondary") =>
    state.config.instances
      .filter((i) => i.role === role)
      .map((i) => ({ name: i.name, result: state.instances.get(i.name) }));
  const primaries = byRole("primary");
  const secondaries = byRole("secondary");
  const healthyPrimary =
    primaries.find((p) => p.result?.status === "healthy") ?? primaries.find((p) => up(p.result?.status));
  if (healthyPrimary) return { status: healthyPrimary.result!.status, serving: healthyPrimary.name };
  const secondary = secondaries.find((s) => up(s.result?.status));
  // Serving from a secondary works, but is not the normal shape: degraded.
  if (secondary) return { status: "degraded", serving: secondary.name };
  return { status: "unhealthy", serving: undefined };
}

/** Applies one result; returns the confirmed-status transition and the failover it caused, if any. */
export function applyResult(state: TargetState, result: CheckResult): { transition?: Transition; failover?: Failover } {
  state.instances.set(result.instance, result);
  state.lastResult = result;
  const { status, serving } = aggregate(state);
  state.observed = status;
  const out: { transition?: Transition; failover?: Failover } = {};

  if (serving && state.serving && serving !== state.serving) {
    const fromRole = state.config.instances.find((i) => i.name === state.serving)?.role;
    const toRole = state.config.instances.find((i) => i.name === serving)?.role;
    if (fromRole === "primary" && toRole === "secondary") {
      out.failover = { targetId: state.config.id, at: result.at, from: state.serving, to: serving };
    }
  }
  if (serving) state.serving = serving;

  let next = state.confirmed;
  if (status === "unhealthy") {
    state.failures++;
    state.successes = 0;
    if (state.failures >= state.config.failuresToDown) next = "unhealthy";
  } else {
    state.successes++;
    state.failures = 0;
    if (state.confirmed !== "unhealthy" || state.successes >= state.config.successesToUp) next = status;
  }
  if (next !== undefined && next !== state.confirmed) {
    out.transition = { targetId: state.config.id, from: state.confirmed, to: next, at: result.at };
    state.confirmed = next;
    state.since = result.at;
  }
  return out;
}

/**
 * The root cause of an unhealthy target: the deepest unhealthy target reachable through depends_on, or the target
 * itself when none of its dependencies is down. Ties go to the first in config order.
 */
export function rootCause(targetId: string, states: ReadonlyMap<string, TargetState>): string {
  let best = { id: targetId, depth: 0 };
  const seen = new Set<string>();
  const walk = (id: string, depth: number) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of states.get(id)?.config.dependsOn ?? []) {
      if (states.get(dep)?.confirmed !== "unhealthy") continue;
      if (depth + 1 > best.depth) best = { id: dep, depth: depth + 1 };
      walk(dep, depth + 1);
    }
  };
  walk(targetId, 0);
  return best.id;
}
