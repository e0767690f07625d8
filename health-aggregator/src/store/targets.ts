/**
 * The targets and instances tables: rows elsewhere name a target and an instance by a small integer, so a year of
 * results and rollups stays within a few MB. The ids are read once and kept in memory.
 */
import type { SqliteDatabase } from "./database.js";

export class TargetIndex {
  private readonly targets = new Map<string, number>();
  private readonly instances = new Map<string, number>();
  private readonly insertTarget;
  private readonly insertInstance;

  constructor(db: SqliteDatabase) {
    for (const row of db.prepare("SELECT idx, id FROM targets").all() as { idx: number; id: string }[]) {
      this.targets.set(row.id, row.idx);
    }
    const instances = db.prepare("SELECT idx, target, name FROM instances").all() as {
      idx: number;
      target: string;
      name: string;
    }[];
    for (const row of instances) this.instances.set(`${row.target}\u0000${row.name}`, row.idx);
    this.insertTarget = db.prepare("INSERT INTO targets (id) VALUES (?)");
    this.insertInstance = db.prepare("INSERT INTO instances (target, name) VALUES (?, ?)");
  }

  /** The target's index, or undefined when nothing was ever stored for it. */
  find(id: string): number | undefined {
    return this.targets.get(id);
  }

  /** The target's index, created on first use. */
  target(id: string): number {
    let idx = this.targets.get(id);
    if (idx === undefined) {
      idx = Number(this.insertTarget.run(id).lastInsertRowid);
      this.targets.set(id, idx);
    }
    return idx;
  }

  /** The instance's index, created on first use. */
  instance(target: string, name: string): number {
    const key = `${target}\u0000${name}`;
    let idx = this.instances.get(key);
    if (idx === undefined) {
      idx = Number(this.insertInstance.run(target, name).lastInsertRowid);
      this.instances.set(key, idx);
    }
    return idx;
  }
}
