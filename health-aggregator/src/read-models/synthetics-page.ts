/**
 * The status page's "Synthetic checks" model: per enabled flow, its stored streak and latest runs, each linked to its
 * trace in Jaeger when `synthetics.jaeger_ui_url` is configured — at the offending span when a trace assertion failed.
 * synthetics/render.ts draws it.
 */
import type { RunResult } from "../../../synthetics/index.js";
import type { SyntheticsService } from "../synthetics/service.js";

export type SyntheticsPageModel = {
  name: string;
  description: string;
  consecutiveFailures: number;
  runs: {
    startedAt: number;
    durationMs: number;
    outcome: RunResult["outcome"];
    traceUrl: string | undefined;
    /** The run's trace could not be read, so its trace assertions were not evaluated. */
    traceUnavailable: boolean;
  }[];
}[];

/** Runs shown per flow. */
const RUNS_SHOWN = 10;

export function syntheticsPageModel(service: SyntheticsService): SyntheticsPageModel {
  return [...service.flows.values()].map((state) => ({
    name: state.flow.name,
    description: state.flow.description,
    consecutiveFailures: service.storedStreak(state.flow.name),
    runs: service.runs(state.flow.name, RUNS_SHOWN).map((r) => ({
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      outcome: r.outcome,
      // A failed trace assertion links to the span it names; otherwise the whole trace.
      traceUrl: service.traceUrl(r.traceId, r.trace?.assertions.find((a) => a.status === "failed")?.spanId),
      traceUnavailable: r.trace?.status === "unavailable",
    })),
  }));
}
