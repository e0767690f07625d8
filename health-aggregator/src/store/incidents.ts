/** Incidents: one row per target outage, its root cause and the targets it affected; kept as long as hour rollups. */
import type { SqliteDatabase, SqliteStatement } from "./database.js";
import type { Incident, IncidentQuery, IncidentRepository, Removed, RetentionPolicy } from "./types.js";

const DAY = 86_400_000;

interface Row {
  id: number;
  target: string;
  started_at: number;
  ended_at: number | null;
  root_cause: string;
  affected: string;
  summary: string;
  maintenance: number;
}

const COLUMNS = "id, target, started_at, ended_at, root_cause, affected, summary, maintenance";

export class SqliteIncidentRepository implements IncidentRepository {
  private readonly insert;
  private readonly setRootCause;
  private readonly setAffected;
  private readonly setEnded;
  /** One statement per combination of filters (target, since, open only), prepared on first use. */
  private readonly queries = new Map<string, SqliteStatement>();
  private readonly retention;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare(
      "INSERT INTO incidents (target, started_at, root_cause, affected, summary, maintenance) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.setRootCause = db.prepare("UPDATE incidents SET root_cause = ? WHERE id = ?");
    this.setAffected = db.prepare("UPDATE incidents SET affected = ? WHERE id = ?");
    this.setEnded = db.prepare("UPDATE incidents SET ended_at = ? WHERE id = ?");
    this.retention = db.prepare("DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?");
  }

  open(incident: Omit<Incident, "id" | "endedAt" | "maintenance"> & { maintenance?: boolean }): number {
    return Number(
      this.insert.run(
        incident.targetId,
        incident.startedAt,
        incident.rootCause,
        JSON.stringify(incident.affected),
        incident.summary,
        incident.maintenance ? 1 : 0,
      ).lastInsertRowid,
    );
  }

  update(id: number, fields: { rootCause?: string; affected?: string[]; endedAt?: number }): void {
    if (fields.rootCause !== undefined) this.setRootCause.run(fields.rootCause, id);
    if (fields.affected !== undefined) this.setAffected.run(JSON.stringify(fields.affected), id);
    if (fields.endedAt !== undefined) this.setEnded.run(fields.endedAt, id);
  }

  list(query: IncidentQuery = {}): Incident[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.targetId) {
      where.push("target = ?");
      args.push(query.targetId);
    }
    if (query.since !== undefined) {
      where.push("(ended_at IS NULL OR ended_at >= ?)");
      args.push(query.since);
    }
    if (query.openOnly) where.push("ended_at IS NULL");
    const key = where.join(" AND ");
    let statement = this.queries.get(key);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT ${COLUMNS} FROM incidents ${key ? `WHERE ${key}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
      );
      this.queries.set(key, statement);
    }
    return (statement.all(...args, query.limit ?? 100) as Row[]).map((r) => ({
      id: r.id,
      targetId: r.target,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      rootCause: r.root_cause,
      affected: JSON.parse(r.affected) as string[],
      summary: r.summary,
      maintenance: r.maintenance === 1,
    }));
  }

  /** Ended incidents go with the hour rollups they summarise. */
  applyRetention(now: number, policy: RetentionPolicy): Removed {
    return { incidents: this.retention.run(now - policy.hourDays * DAY).changes };
  }
}
