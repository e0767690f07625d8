/**
 * The uptime database on SQLite: every repository of types.ts over one file, the writer's flush timer, and the
 * retention pass that asks each repository to delete its own old rows. WAL with synchronous=NORMAL keeps every
 * committed transaction across a `kill -9` (database.ts).
 */
import { SqliteAlertHistoryRepository } from "../alerts/repository.js";
import { SqliteMaintenanceRepository } from "../maintenance/repository.js";
import { SqliteSyntheticRunRepository } from "../synthetics/repository.js";
import { openDatabase, type SqliteDatabase } from "./database.js";
import { SqliteFailoverRepository } from "./failovers.js";
import { SqliteIncidentRepository } from "./incidents.js";
import { SqliteLatencyRepository } from "./latency.js";
import { TargetIndex } from "./targets.js";
import type { Removed, RetentionPolicy, Retained, Storage } from "./types.js";
import { SqliteUptimeRepository } from "./uptime.js";
import { UptimeWriter } from "./uptime-writer.js";

export interface SqliteStorageOptions {
  /** File path, or ":memory:". */
  path: string;
  /** How often queued results are committed (ms; default 1000; 0: only on flush()). */
  flushEveryMs?: number;
  /** Queued writes that trigger a commit at once (default 2000). */
  maxQueue?: number;
}

export class SqliteStorage implements Storage {
  readonly writer: UptimeWriter;
  readonly uptime: SqliteUptimeRepository;
  readonly latency: SqliteLatencyRepository;
  readonly incidents: SqliteIncidentRepository;
  readonly failovers: SqliteFailoverRepository;
  readonly alerts: SqliteAlertHistoryRepository;
  readonly maintenance: SqliteMaintenanceRepository;
  readonly syntheticRuns: SqliteSyntheticRunRepository;
  private readonly db: SqliteDatabase;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: SqliteStorageOptions) {
    this.db = openDatabase(options.path);
    const ids = new TargetIndex(this.db);
    this.writer = new UptimeWriter(this.db, ids, options.maxQueue);
    const flush = () => this.writer.flush();
    this.uptime = new SqliteUptimeRepository(this.db, ids, flush);
    this.latency = new SqliteLatencyRepository(this.db, flush);
    this.incidents = new SqliteIncidentRepository(this.db);
    this.failovers = new SqliteFailoverRepository(this.db);
    this.alerts = new SqliteAlertHistoryRepository(this.db);
    this.maintenance = new SqliteMaintenanceRepository(this.db);
    this.syntheticRuns = new SqliteSyntheticRunRepository(this.db);
    const flushEvery = options.flushEveryMs ?? 1_000;
    if (flushEvery > 0) {
      this.timer = setInterval(flush, flushEvery);
      this.timer.unref();
    }
  }

  applyRetention(now: number, policy: RetentionPolicy): Removed {
    this.writer.flush();
    const retained: Retained[] = [
      this.uptime,
      this.incidents,
      this.failovers,
      this.alerts,
      this.maintenance,
      this.syntheticRuns,
    ];
    return Object.assign({}, ...retained.map((r) => r.applyRetention(now, policy))) as Removed;
  }

  flush(): void {
    this.writer.flush();
  }

  /** SQLite's own figures: pages in use and the file's page size (the benchmark's bytes per target-year). */
  sizeInfo(): { pageSize: number; pages: number; freePages: number } {
    return {
      pageSize: this.db.pragma("page_size", { simple: true }) as number,
      pages: this.db.pragma("page_count", { simple: true }) as number,
      freePages: this.db.pragma("freelist_count", { simple: true }) as number,
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.writer.flush();
    this.db.close();
  }
}
