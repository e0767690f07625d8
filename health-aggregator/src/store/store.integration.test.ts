/**
 * The SQLite storage against real files in a temp dir: the storage contract (test-support/contract.ts) that every
 * implementation passes, then what is SQLite's own — its pragmas and migration version, a newer database refused,
 * and no committed result lost to `kill -9`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../shared/index.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteStorage } from "./storage.js";
import { storageContract } from "./test-support/contract.js";
import { T0 } from "./test-support/fixtures.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "lookout-store-"));
  dirs.push(dir);
  return join(dir, "uptime.db");
}
const removeDirs = () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
};

storageContract("SQLite", {
  create() {
    const path = tempFile();
    return {
      storage: new SqliteStorage({ path, flushEveryMs: 0 }),
      reopen: () => new SqliteStorage({ path, flushEveryMs: 0 }),
    };
  },
  dispose: removeDirs,
});

// The storages below are closed by their tests; the temp dirs go with the contract's clean-up (dispose) after each.
const open = (path: string) => new SqliteStorage({ path, flushEveryMs: 0 });

describe("SqliteStorage", () => {
  it("migrates once and reopens an existing file", () => {
    const file = tempFile();
    const first = open(file);
    first.writer.addResult({
      targetId: "api",
      instance: "main",
      role: "primary",
      status: "healthy",
      at: T0,
      durationMs: 1,
    });
    first.close();
    const second = open(file);
    expect(second.uptime.results("api")).toHaveLength(1);
    second.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("refuses a database newer than its migrations", () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => open(file)).toThrow(/newer than this aggregator knows/);
  });

  it("loses no committed result when the process is killed with -9", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-store-kill-"));
    dirs.push(dir);
    const file = join(dir, "uptime.db");
    // A child process writes results in small committed batches and reports each commit on stdout.
    const script = `
      import { SqliteStorage } from "${join(REPO_ROOT, "dist", "health-aggregator", "src", "store", "storage.js")}";
      const store = new SqliteStorage({ path: ${JSON.stringify(file)}, flushEveryMs: 0 });
      let at = ${T0};
      for (;;) {
        for (let i = 0; i < 50; i++) store.writer.addResult({ targetId: "api", instance: "main", role: "primary", status: "healthy", at: at++, durationMs: 1 });
        store.flush();
        process.stdout.write("committed " + (at - ${T0}) + "\\n");
        await new Promise((r) => setImmediate(r));
      }`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let committed = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const all = [...chunk.toString().matchAll(/committed (\d+)/g)];
        if (all.length) committed = Number(all[all.length - 1]![1]);
        if (committed >= 5_000 && child.exitCode === null) {
          child.kill("SIGKILL");
        }
      });
      child.on("exit", () => resolve());
    });
    expect(committed).toBeGreaterThanOrEqual(5_000);
    const db = new Database(file);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const count = (db.prepare("SELECT COUNT(*) n FROM results").get() as { n: number }).n;
    db.close();
    expect(count).toBeGreaterThanOrEqual(committed);
  });
});
