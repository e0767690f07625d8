/**
 * The aggregator process as the stack runs it (dist/health-aggregator/src/server.js): config reload on file change
 * and SIGHUP without losing history, an invalid new config refused with its location while the old one stays in
 * force, graceful SIGTERM, and `kill -9` followed by a restart with the database intact.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, freePort, eventually, getJson, lookout } from "../../testkit/index.js";
import { REPO_ROOT } from "../../shared/index.js";

const dir = mkdtempSync(join(tmpdir(), "lookout-aggregator-process-"));
const configPath = join(dir, "targets.yml");
let target: Server;
let targetUrl = "";
let port = 0;
let child: ChildProcess | undefined;
let log = "";

function config(ids: string[]): string {
  return `targets:\n${ids.map((id) => `  - id: ${id}\n    interval: 1s\n    timeout: 500ms\n    instances: [{ name: main, http: { url: "${targetUrl}" } }]\n`).join("")}`;
}

function start(): Promise<void> {
  const proc = spawn(process.execPath, [join(REPO_ROOT, "dist", "health-aggregator", "src", "server.js")], {
    env: {
      ...process.env,
      LOOKOUT_PORT_AGGREGATOR: String(port),
      LOOKOUT_METRICS_TOKEN: "m".repeat(24),
      LOOKOUT_ADMIN_TOKEN: "a".repeat(24),
      LOOKOUT_AGGREGATOR_CONFIG: configPath,
      LOOKOUT_AGGREGATOR_DATA_DIR: join(dir, "data"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  proc.stdout.on("data", (c: Buffer) => (log += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (log += c.toString()));
  return eventually(
    async () => ((await getJson(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined),
    20_000,
    "the aggregator listening",
  ).then(() => undefined);
}

async function targetIds(): Promise<string[]> {
  const { body } = await getJson<{ targets: { id: string }[] }>(`http://127.0.0.1:${port}/api/v1/status`);
  return body.targets.map((t) => t.id).sort();
}

setUpSuite(async () => {
  const build = lookout(["ports"], { ...process.env }); // compiles dist/ when sources changed, as npm start does
  if (build.status !== 0) throw new Error(build.output);
  target = createServer((_q, r) => {
    r.writeHead(200, { "content-type": "application/json" });
    r.end(JSON.stringify({ status: "healthy" }));
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", () => r()));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
  port = await freePort();
  writeFileSync(configPath, config(["alpha"]));
  await start();
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await new Promise<void>((r) => target.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe("aggregator process", () => {
  it("reloads when the config file changes, keeping what it knows", async () => {
    expect(await targetIds()).toEqual(["alpha"]);
    await eventually(
      async () =>
        (await getJson<{ targets: { status: string }[] }>(`http://127.0.0.1:${port}/api/v1/status`)).body.targets[0]!
          .status === "healthy"
          ? true
          : undefined,
      10_000,
      "alpha healthy",
    );
    writeFileSync(configPath, config(["alpha", "beta"]));
    await eventually(
      async () => ((await targetIds()).join() === "alpha,beta" ? true : undefined),
      10_000,
      "beta added by the reload",
    );
    const { body } = await getJson<{ targets: { id: string; status: string }[] }>(
      `http://127.0.0.1:${port}/api/v1/status`,
    );
    expect(body.targets.find((t) => t.id === "alpha")!.status).toBe("healthy"); // state kept across the reload
  });

  it("refuses an invalid config with its location and keeps the running one", async () => {
    writeFileSync(configPath, `${config(["alpha"])}    intervl: 5s\n`);
    await eventually(() => (log.includes("config reload refused") ? true : undefined), 10_000, "the refusal logged");
    expect(log).toMatch(/targets\.yml:6:\d+: \/targets\/0\/intervl: unknown setting \\"intervl\\"/);
    expect(await targetIds()).toEqual(["alpha", "beta"]);
  });

  it("reloads on SIGHUP", async () => {
    writeFileSync(configPath, config(["gamma"]));
    child!.kill("SIGHUP");
    await eventually(
      async () => ((await targetIds()).join() === "gamma" ? true : undefined),
      10_000,
      "gamma after SIGHUP",
    );
  });

  it("survives kill -9 with every committed result and an intact database, then resumes", async () => {
    await new Promise((r) => setTimeout(r, 3_000)); // a few committed batches
    child!.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const db = new Database(join(dir, "data", "uptime.db"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const before = (db.prepare("SELECT COUNT(*) n FROM results").get() as { n: number }).n;
    db.close();
    expect(before).toBeGreaterThan(0);
    log = "";
    await start();
    await eventually(
      () => {
        const db2 = new Database(join(dir, "data", "uptime.db"), { readonly: true });
        const after = (db2.prepare("SELECT COUNT(*) n FROM results").get() as { n: number }).n;
        db2.close();
        return after > before ? true : undefined;
      },
      10_000,
      "new results after the restart",
    );
  });

  it("finishes its writes and exits 0 on SIGTERM", async () => {
    child!.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child!.once("exit", (c) => r(c)));
    expect(code).toBe(0);
    expect(log).toContain('"shutting down"');
  });
});
