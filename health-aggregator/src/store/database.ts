/**
 * Opens the uptime database (SQLite through better-sqlite3): WAL with synchronous=NORMAL, so every committed
 * transaction survives a `kill -9`, foreign keys on, and the migrations of migrations.ts applied in order. Only the
 * SQLite repositories see the handle; everything else goes through the interfaces of types.ts.
 */
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement<unknown[]>;

/** Opens (creating if needed) and migrates the database at `path`, a file or ":memory:". */
export function openDatabase(path: string): SqliteDatabase {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only power loss can lose the last ones.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(
      `the uptime database is version ${version}, newer than this aggregator knows (${MIGRATIONS.length})`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
