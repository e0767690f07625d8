/**
 * The unauthenticated /api/v1/status, from the engine's target states in memory. Unless public_status.details allows
 * more, only public targets, and no check error text: an error names what was called (an internal address, a
 * connection error), which is not for everyone.
 */
import { rootCause, type TargetState } from "../engine/state.js";
import { iso, isoAt } from "./time.js";

export interface StatusDeps {
  states: ReadonlyMap<string, TargetState>;
  /** public_status.details of the config in force. */
  details: () => boolean;
  now: () => number;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export function statusModel({ states, details: showDetails, now }: StatusDeps) {
  const details = showDetails();
  const shown = [...states.values()].filter((state) => details || state.config.public);
  const targets = shown.map((state) => {
    const status = state.confirmed ?? "unknown";
    const entry: Record<string, unknown> = {
      id: state.config.id,
      name: state.config.name,
      system: state.config.system,
      status,
      since: iso(state.since),
      lastCheckAt: iso(state.lastResult?.at),
      latencyMs: state.lastResult ? round1(state.lastResult.durationMs) : null,
      dependsOn: state.config.dependsOn,
      labels: state.config.labels,
      instances: state.config.instances.map((i) => {
        const r = state.instances.get(i.name);
        return {
          name: i.name,
          role: i.role,
          status: r?.status ?? "unknown",
          latencyMs: r ? round1(r.durationMs) : null,
          ...(r?.error && details ? { error: r.error } : {}),
          ...(r?.dependencies ? { dependencies: r.dependencies } : {}),
        };
      }),
    };
    if (details && state.lastResult?.error && status !== "healthy") entry.error = state.lastResult.error;
    if (status === "unhealthy") entry.rootCause = rootCause(state.config.id, states);
    if (state.serving) entry.serving = state.serving;
    return entry;
  });
  return { generatedAt: isoAt(now()), targets };
}
