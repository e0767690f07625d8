/**
 * Synthetic runs in the uptime database (migrations 4 and 6): one row per run, its steps and its trace-assertion
 * outcomes as JSON. Runs are minutes apart,
 * so each is written in its own statement as it finishes; retention deletes them with the raw results.
 */
import type Database from "better-sqlite3";
import type { RunResult, StepResult, TraceResult } from "../../../synthetics/index.js";

interface Row {
  flow: string;
  run_id: string;
  started_at: number;
  duration_ms: number;
  outcome: RunResult["outcome"];
  trigger: RunResult["trigger"];
  trace_id: string;
  error: string | null;
  steps: string;
  trace: string | null;
}

const fromRow = (r: Row): RunResult => ({
  flow: r.flow,
  runId: r.run_id,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  outcome: r.outcome,
  trigger: r.trigger,
  traceId: r.trace_id,
  ...(r.error !== null ? { error: r.error } : {}),
  steps: JSON.parse(r.steps) as StepResult[],
  ...(r.trace !== null ? { trace: JSON.parse(r.trace) as TraceResult } : {}),
});

export class SyntheticRunStore {
  private readonly insertRun;
  private readonly recent;

  constructor(private readonly db: Database.Database) {
    this.insertRun = db.prepare(
      `INSERT INTO synthetic_runs (flow, run_id, started_at, duration_ms, outcome, trigger, trace_id, error, steps, trace)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.recent = db.prepare("SELECT * FROM synthetic_runs WHERE flow = ? ORDER BY started_at DESC, id DESC LIMIT ?");
  }

  /** Stores a run (already scrubbed of secrets by the runner). */
  add(run: RunResult): void {
    this.insertRun.run(
      run.flow,
      run.runId,
      run.startedAt,
      run.durationMs,
      run.outcome,
      run.trigger,
      run.traceId,
      run.error ?? null,
      JSON.stringify(run.steps),
      run.trace ? JSON.stringify(run.trace) : null,
    );
  }

  /** The flow's latest runs, newest first. */
  runs(flow: string, limit: number): RunResult[] {
    return (this.recent.all(flow, limit) as Row[]).map(fromRow);
  }

  /** Failed or timed-out runs since the last success (what the consecutive-failures gauge restarts from). */
  consecutiveFailures(flow: string): number {
    let n = 0;
    for (const run of this.runs(flow, 100)) {
      if (run.outcome === "success") break;
      n++;
    }
    return n;
  }
}
