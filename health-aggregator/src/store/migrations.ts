/**
 * Versioned schema migrations, applied in order; PRAGMA user_version records how many have run. Append only:
 * never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: targets, raw results, rollups, incidents, failovers.
  `
  CREATE TABLE targets (idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
  CREATE TABLE instances (idx INTEGER PRIMARY KEY, target TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (target, name));
  CREATE TABLE results (
    target INTEGER NOT NULL, at INTEGER NOT NULL, instance INTEGER NOT NULL,
    status INTEGER NOT NULL, duration_ms INTEGER NOT NULL, error TEXT,
    PRIMARY KEY (target, at, instance)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_minute (
    target INTEGER NOT NULL, t INTEGER NOT NULL,
    up_ms INTEGER NOT NULL, degraded_ms INTEGER NOT NULL, down_ms INTEGER NOT NULL, maintenance_ms INTEGER NOT NULL,
    latency TEXT,
    PRIMARY KEY (target, t)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_hour (
    target INTEGER NOT NULL, t INTEGER NOT NULL,
    up_ms INTEGER NOT NULL, degraded_ms INTEGER NOT NULL, down_ms INTEGER NOT NULL, maintenance_ms INTEGER NOT NULL,
    latency TEXT,
    PRIMARY KEY (target, t)
  ) WITHOUT ROWID;
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY, target TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER,
    root_cause TEXT NOT NULL, affected TEXT NOT NULL, summary TEXT NOT NULL
  );
  CREATE INDEX incidents_by_time ON incidents (started_at);
  CREATE TABLE failovers (id INTEGER PRIMARY KEY, target TEXT NOT NULL, at INTEGER NOT NULL, from_instance TEXT NOT NULL, to_instance TEXT NOT NULL);
  `,
  // 2: day rollups, for the status page's 90-day bars and long windows at a glance.
  `
  CREATE TABLE rollup_day (
    target INTEGER NOT NULL, t INTEGER NOT NULL,
    up_ms INTEGER NOT NULL, degraded_ms INTEGER NOT NULL, down_ms INTEGER NOT NULL, maintenance_ms INTEGER NOT NULL,
    latency TEXT,
    PRIMARY KEY (target, t)
  ) WITHOUT ROWID;
  `,
  // 3: alert history from Alertmanager's webhook, one row per alert instance (fingerprint + start).
  `
  CREATE TABLE alerts (
    fingerprint TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER,
    status TEXT NOT NULL, alertname TEXT NOT NULL, severity TEXT NOT NULL, service TEXT,
    summary TEXT NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, starts_at)
  ) WITHOUT ROWID;
  CREATE INDEX alerts_by_update ON alerts (updated_at);
  `,
  // 4: synthetic flow runs (kept as long as raw results), one row per run with its steps as JSON.
  `
  CREATE TABLE synthetic_runs (
    id INTEGER PRIMARY KEY, flow TEXT NOT NULL, run_id TEXT NOT NULL UNIQUE, started_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL, outcome TEXT NOT NULL, trigger TEXT NOT NULL, trace_id TEXT NOT NULL,
    error TEXT, steps TEXT NOT NULL
  );
  CREATE INDEX synthetic_runs_by_flow ON synthetic_runs (flow, started_at);
  `,
  // 5: maintenance windows (admin API); incidents opened during one are marked. The targets a window covers are
  // resolved when it is created (systems expanded), so a later config change does not rewrite what it covered.
  `
  CREATE TABLE maintenance_windows (
    id INTEGER PRIMARY KEY, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, ended_early INTEGER NOT NULL DEFAULT 0,
    targets TEXT NOT NULL, systems TEXT NOT NULL, reason TEXT NOT NULL,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL, silence_ids TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX maintenance_by_end ON maintenance_windows (ends_at);
  ALTER TABLE incidents ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: a synthetic run's trace-assertion outcomes (synthetics' TraceResult as JSON; NULL for a run without any).
  `
  ALTER TABLE synthetic_runs ADD COLUMN trace TEXT;
  `,
];
