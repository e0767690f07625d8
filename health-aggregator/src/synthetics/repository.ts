/**
 * Synthetic runs in the uptime database (migrations 4 and 6): one row per run, its steps and its trace-assertion
 * outcomes as JSON. Runs are minutes apart, so each is written in its own statement as it finishes; they are raw
 * results too, and are kept as long as the raw check results.
 */
import type { RunResult, StepResult, TraceResult } from "../../../synthetics/index.js";
import type { SqliteDatabase } from "../store/database.js";
import type { Removed, RetentionPolicy, SyntheticRunRepository } from "../store/types.js";

const DAY = 86_400_000;

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

export class SqliteSyntheticRunRepository implements SyntheticRunRepository {
  private readonly insertRun;
  private readonly recent;
  private readonly retention;

  constructor(db: SqliteDatabase) {
    this.insertRun = db.prepare(
      `INSERT INTO synthetic_runs (flow, run_id, started_at, duration_ms, outcome, trigger, trace_id, error, steps, trace)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.recent = db.prepare("SELECT * FROM synthetic_runs WHERE flow = ? ORDER BY started_at DESC, id DESC LIMIT ?");
    this.retention = db.prepare("DELETE FROM synthetic_runs WHERE started_at < ?");
  }

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

  runs(flow: string, limit: number): RunResult[] {
    return (this.recent.all(flow, limit) as Row[]).map(fromRow);
  }

  applyRetention(now: number, policy: RetentionPolicy): Removed {
    return { synthetic_runs: this.retention.run(now - policy.rawDays * DAY).changes };
  }
}
