/**
 * The stack's own PostgreSQL cluster: the component (postgres on the loopback, no Unix socket), its data directory
 * owned by the `postgres` user when the stack runs as root, and initdb with the stack's password.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { LookoutError, isRoot } from "../shared/index.js";
import { pgReady } from "./readiness.js";
import { type ComponentSpec, LOOPBACK, type StackContext } from "./spec.js";

/** PostgreSQL runs as the `postgres` user: hand it its directory and make sure it can reach it. */
export function preparePostgresDir(dir: string): void {
  // Parents first with default permissions: a recursive mkdir would give them 0700 too, locking postgres out.
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isRoot()) return;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      "running as root, but there is no `postgres` user to run PostgreSQL as (install the postgresql package)",
    );
  }
  chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  chmodSync(dir, 0o700);
  const probe = spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", dir]);
  if (probe.status !== 0) {
    throw new LookoutError(
      "LOOKOUT_ERR_PREREQUISITE",
      `the postgres user cannot reach ${dir}: one of its parent directories is not traversable by other users ` +
        `(check with \`namei -l ${dir}\`). Choose a LOOKOUT_HOME whose parents are (not under /root; the default ` +
        `as root is /var/lib/lookout).`,
    );
  }
}

/** Creates the cluster (user lookout, SCRAM passwords) unless dataDir already holds one. */
export function initPostgres(postgresBin: string, password: string, dataDir: string): void {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const pwfile = join(dataDir, "..", ".pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    chownSync(pwfile, Number(id.stdout.trim()), 0);
  }
  const initdb = join(postgresBin, "initdb");
  const args = [
    "-D",
    dataDir,
    "-U",
    "lookout",
    "--auth=scram-sha-256",
    `--pwfile=${pwfile}`,
    "-E",
    "UTF8",
    "--locale=C",
  ];
  const result = isRoot()
    ? spawnSync("runuser", ["-u", "postgres", "--", initdb, ...args], { encoding: "utf8" })
    : spawnSync(initdb, args, { encoding: "utf8" });
  spawnSync("rm", ["-f", pwfile]);
  if (result.status !== 0) {
    throw new LookoutError("LOOKOUT_ERR_STACK", `initdb failed for ${dataDir}:\n${result.stderr || result.stdout}`);
  }
}

/** The PostgreSQL component: its cluster under LOOKOUT_HOME/data/postgres/pgdata, created by initdb on first start. */
export function postgresComponent(ctx: StackContext): ComponentSpec {
  const { layout, ports, secrets, tools } = ctx;
  const pgData = join(layout.data("postgres"), "pgdata");
  return {
    name: "postgres",
    command: join(tools.postgresBin, "postgres"),
    args: [
      "-D",
      pgData,
      "-c",
      `port=${ports.POSTGRES}`,
      "-c",
      `listen_addresses=${LOOPBACK}`,
      // No Unix socket in /var/run/postgresql: that belongs to a system PostgreSQL, if any.
      "-c",
      `unix_socket_directories=`,
      "-c",
      "logging_collector=off",
    ],
    user: isRoot() ? "postgres" : undefined,
    prepare: () => {
      preparePostgresDir(layout.data("postgres"));
      preparePostgresDir(pgData);
      initPostgres(tools.postgresBin, secrets.postgres_password.value, pgData);
    },
    ready: pgReady(LOOPBACK, ports.POSTGRES, "lookout", secrets.postgres_password.value),
    url: `postgresql://lookout@${LOOPBACK}:${ports.POSTGRES}/postgres`,
    readyTimeoutSeconds: 60,
  };
}
