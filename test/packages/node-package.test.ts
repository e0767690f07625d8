/**
 * @lookout/instrumentation as a team installs it: `npm pack` of instrumentation/, the tarball installed with Express
 * from the npm registry into an empty project outside the repository, and a small Express app there instrumented by
 * the package's one call — its /metrics, /health and route-template labels checked over HTTP.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/index.js";
import { setUpSuite, getJson, spawnOnFreePort, terminate } from "../../testkit/index.js";

const METRICS_TOKEN = "package-test-metrics-token-0123";
const APP = `import { instrument, installExpress } from "@lookout/instrumentation";
const instrumentation = await instrument({ serviceName: "orders" });
const { default: express } = await import("express");
const app = express();
const health = instrumentation.healthMonitor([{ name: "database", check: async () => {} }]);
await health.start();
installExpress(app, instrumentation, health);
app.get("/orders/:orderId", (request, response) => {
  instrumentation.logger.info({ order: request.params.orderId }, "order read");
  response.json({ id: request.params.orderId });
});
app.listen(Number(process.env.PORT), "127.0.0.1");
`;

let project: string;
let tarball: string;
let files: string[];
let service: { child: ChildProcess; port: number } | undefined;

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

setUpSuite(async () => {
  project = mkdtempSync(join(tmpdir(), "lookout-node-package-"));
  const packed = JSON.parse(
    run("npm", ["pack", "--json", "--pack-destination", project], join(REPO_ROOT, "instrumentation")),
  ) as { filename: string; files: { path: string }[] }[];
  tarball = join(project, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "orders", private: true, type: "module" }));
  writeFileSync(join(project, "app.mjs"), APP);
  const express = (
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    }
  ).dependencies.express!;
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", tarball, `express@${express}`], project);
  service = await spawnOnFreePort(
    process.execPath,
    () => [join(project, "app.mjs")],
    "/health",
    60_000,
    (port) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      LOOKOUT_METRICS_TOKEN: METRICS_TOKEN,
      OTEL_TRACES_EXPORTER: "none",
    }),
  );
}, 600_000);

afterAll(async () => {
  await terminate(service?.child);
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("ships the compiled code, its type declarations and the contract, and no sources or tests", () => {
    expect(files).toEqual(
      expect.arrayContaining(["package.json", "contract.json", "dist/index.js", "dist/index.d.ts"]),
    );
    expect(files.filter((f) => f.startsWith("src/") || f.includes(".test."))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(project, "node_modules/@lookout/instrumentation/package.json"), "utf8"),
    ) as {
      version: string;
      peerDependencies: Record<string, string>;
    };
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(manifest.peerDependencies)).toEqual(expect.arrayContaining(["express", "fastify"]));
  });

  it("instruments an Express app installed outside the repository", async () => {
    const base = `http://127.0.0.1:${service!.port}`;
    expect((await getJson(`${base}/orders/A-1001`)).status).toBe(200);
    expect((await getJson(`${base}/metrics`)).status).toBe(401);
    const metrics = await getJson<string>(`${base}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(
      /^http_requests_total\{method="GET",route="\/orders\/:orderId",status_code="200"\} 1$/m,
    );
    expect(metrics.body).not.toContain("A-1001");
    const health = await getJson<{ status: string; dependencies: object }>(`${base}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "healthy", dependencies: { database: { status: "healthy" } } });
  });
});
