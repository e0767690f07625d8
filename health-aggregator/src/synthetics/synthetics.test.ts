/**
 * Synthetic flows inside the aggregator, through the front door: config validation, the routes (auth, schemas,
 * errors), cron ticks fired by hand through an injected scheduler, no overlapping runs, shutdown aborting a run in
 * flight, results stored and exported as metrics, consecutive failures surviving a restart, retention, and the
 * status page section with its trace links. The flow under test is the built-in `relaycore-chat`, run against a real
 * HTTP server on port 0 that answers like RelayCore and can be told to misbehave (the flows against the real
 * stand-ins are in test/synthetics/synthetics.test.ts).
 */
import { createServer, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setUpSuite } from "../../../testkit/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";
import type { CronScheduler } from "./service.js";

const adminToken = "admin-token-for-tests-0123456789";
const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  LOOKOUT_ADMIN_TOKEN: adminToken,
  LOOKOUT_PORT_AGGREGATOR: "0",
});

type Mode = "ok" | "wrong-model" | "hang";
let mode: Mode = "ok";
let requests = 0;
const hanging: ServerResponse[] = [];
const answer = (model: string) => ({
  model,
  provider: model.startsWith("nw-") ? "neuroweaver" : "external",
  reason: model.startsWith("nw-") ? "latency" : "fallback",
  output: `[${model}] 42 tokens of generated text`,
  finish_reason: "stop",
  usage: { input_tokens: 14, output_tokens: 42 },
  cost_usd: 0.0000281,
});
const relaycore = createServer((req, res) => {
  requests++;
  req.resume();
  req.on("end", () => {
    if (req.url === "/v1/budget") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ daily: { spent_usd: 1.5, budget_usd: 50 }, monthly: { spent_usd: 20, budget_usd: 1000 } }),
      );
      return;
    }
    if (mode === "hang") return hanging.push(res);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer(mode === "ok" ? "nw-llama-3-8b" : "external-large")));
  });
});
let relaycoreUrl = "";

setUpSuite(async () => {
  await new Promise<void>((resolve) => relaycore.listen(0, "127.0.0.1", resolve));
  relaycoreUrl = `http://127.0.0.1:${(relaycore.address() as AddressInfo).port}`;
});
afterAll(async () => {
  relaycore.closeAllConnections();
  await new Promise<void>((resolve) => relaycore.close(() => resolve()));
});

const config = (relaycoreChat = '{ schedule: "*/10 * * * *" }') => `
synthetics:
  jaeger_ui_url: "http://jaeger.example:16686/"
  urls: { relaycore: "${relaycoreUrl}" }
  flows:
    automatrix-workflow: { enabled: false }
    neuroweaver-deploy: { enabled: false }
    relaycore-chat: ${relaycoreChat}
targets:
  - { id: relaycore, name: RelayCore, system: RelayCore, instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
`;

/** A scheduler whose ticks the test fires. */
function manualScheduler() {
  const tasks: { expression: string; name: string; run: () => void; stopped: boolean }[] = [];
  const scheduler: CronScheduler = {
    schedule(expression, name, run) {
      const task = { expression, name, run, stopped: false };
      tasks.push(task);
      return { stop: () => (task.stopped = true) };
    },
  };
  return {
    scheduler,
    tick: (name: string) => tasks.filter((t) => t.name === name && !t.stopped).forEach((t) => t.run()),
    tasks,
  };
}

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  mode = "ok";
  for (const res of hanging.splice(0)) res.destroy();
  for (const c of cleanups.splice(0)) await c();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function build(dataDir = ":memory:", relaycoreChat?: string) {
  const cron = manualScheduler();
  const aggregator = new Aggregator({
    config: parseConfig(config(relaycoreChat), "test.yml", {}),
    dataDir,
    cronScheduler: cron.scheduler,
  });
  const app = buildApp({ settings, aggregator });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await aggregator.close();
  };
  cleanups.push(close);
  return { aggregator, app, cron, close };
}

const auth = { authorization: `Bearer ${adminToken}` };

describe("synthetic flows in the aggregator", () => {
  it("refuses config mistakes with file, line and path", () => {
    expect(() => parseConfig(config().replace("relaycore-chat: {", "relaycore-chatt: {"), "lookout.yml", {})).toThrow(
      /lookout\.yml:\d+:\d+: \/synthetics\/flows\/relaycore-chatt: unknown flow "relaycore-chatt" \(known: automatrix-workflow, relaycore-chat, neuroweaver-deploy\)/,
    );
    expect(() => parseConfig(config().replace('"*/10 * * * *"', '"every ten"'), "lookout.yml", {})).toThrow(
      /lookout\.yml:\d+:\d+: \/synthetics\/flows\/relaycore-chat\/schedule: "every ten" is not a valid cron expression/,
    );
    expect(() =>
      parseConfig(
        config().replace("automatrix-workflow: { enabled: false }", "automatrix-workflow: {}"),
        "lookout.yml",
        {},
      ),
    ).toThrow(/\/synthetics\/urls: flow "automatrix-workflow" calls automatrix: set synthetics.urls.automatrix/);
    expect(() =>
      parseConfig(config().replace('jaeger_ui_url: "http', 'jaeger_ui_url: "ftp'), "lookout.yml", {}),
    ).toThrow(/\/synthetics\/jaeger_ui_url: must match pattern/);
  });

  it("schedules the enabled flows with their configured schedule, and runs one now through the API", async () => {
    const { app, cron } = build();
    expect(cron.tasks.map((t) => [t.name, t.expression])).toEqual([]); // not started: nothing scheduled yet
    const flows = await app.inject({ method: "GET", url: "/api/v1/synthetics" });
    expect(flows.statusCode).toBe(200);
    expect(flows.json()).toEqual({
      flows: [
        {
          name: "relaycore-chat",
          description: expect.any(String) as unknown,
          schedule: "*/10 * * * *",
          timeoutMs: 30_000,
          alertAfter: 2,
          recheckMs: 5_000,
          consecutiveFailures: 0,
          running: false,
          lastRun: null,
        },
      ],
    });

    const denied = await app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs" });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toMatchObject({ error: "unauthorized" });
    const unknown = await app.inject({
      method: "POST",
      url: "/api/v1/synthetics/automatrix-workflow/runs",
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: "not_found",
      message: 'no enabled flow named "automatrix-workflow" (enabled: relaycore-chat)',
    });
    const bad = await app.inject({ method: "POST", url: "/api/v1/synthetics/Bad%20Name/runs", headers: auth });
    expect(bad.statusCode).toBe(400);

    const run = await app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs", headers: auth });
    expect(run.statusCode, run.body).toBe(201);
    const body = run.json<{
      outcome: string;
      traceId: string;
      traceUrl: string;
      steps: { name: string; status: string }[];
    }>();
    expect(body.outcome).toBe("success");
    expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.traceUrl).toBe(`http://jaeger.example:16686/trace/${body.traceId}`);
    expect(body.steps.map((s) => [s.name, s.status])).toEqual([
      ["route-chat", "passed"],
      ["check-budget", "passed"],
    ]);

    const history = await app.inject({ method: "GET", url: "/api/v1/synthetics/relaycore-chat/runs?limit=5" });
    expect(history.json<{ runs: { runId: string; trigger: string }[] }>().runs).toMatchObject([{ trigger: "manual" }]);
    expect(
      (await app.inject({ method: "GET", url: "/api/v1/synthetics/relaycore-chat/runs?limit=0" })).statusCode,
    ).toBe(400);
    expect((await app.inject({ method: "GET", url: "/api/v1/synthetics/nope/runs" })).statusCode).toBe(404);
  });

  it("never overlaps runs of a flow: a tick or a POST during a run is refused, and the run completes", async () => {
    const { app, aggregator, cron } = build();
    aggregator.synthetics.start();
    expect(cron.tasks.map((t) => [t.name, t.expression])).toEqual([["relaycore-chat", "*/10 * * * *"]]);
    mode = "hang";
    const first = app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs", headers: auth });
    while (hanging.length === 0) await new Promise((r) => setTimeout(r, 10));
    const seen = requests;
    cron.tick("relaycore-chat"); // scheduled tick while running: skipped
    const second = await app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs", headers: auth });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toEqual({
      error: "conflict",
      message: 'a run of flow "relaycore-chat" is already in progress',
    });
    const listing = await app.inject({ method: "GET", url: "/api/v1/synthetics" });
    expect(listing.json<{ flows: { running: boolean }[] }>().flows[0]!.running).toBe(true);
    expect(requests).toBe(seen); // nothing else reached the service
    // Release the hanging request: the first run completes normally.
    mode = "ok";
    const res = hanging.shift()!;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer("nw-llama-3-8b")));
    const done = await first;
    expect(done.json<{ outcome: string }>().outcome).toBe("success");
    expect(aggregator.synthetics.runs("relaycore-chat", 10)).toHaveLength(1);
    // Now a tick starts a run.
    cron.tick("relaycore-chat");
    await aggregator.synthetics.flows.get("relaycore-chat")!.running;
    expect(aggregator.synthetics.runs("relaycore-chat", 10).map((r) => r.trigger)).toEqual(["schedule", "manual"]);
  });

  it("rechecks a failed run until it reaches the alert threshold, and stops rechecking on a pass", async () => {
    const { aggregator, cron } = build(":memory:", '{ schedule: "*/10 * * * *", recheck_seconds: 1 }');
    aggregator.synthetics.start();
    const state = aggregator.synthetics.flows.get("relaycore-chat")!;
    expect(state.recheckMs).toBe(1_000);
    const triggers = () => aggregator.synthetics.runs("relaycore-chat", 10).map((r) => [r.trigger, r.outcome]);
    const settle = async (runs: number) => {
      while (aggregator.synthetics.runs("relaycore-chat", 10).length < runs || state.running)
        await new Promise((r) => setTimeout(r, 50));
    };

    // A failing tick is checked again a second later; the second failure reaches alertAfter (2): no more rechecks.
    mode = "wrong-model";
    cron.tick("relaycore-chat");
    await settle(2);
    expect(triggers()).toEqual([
      ["recheck", "failure"],
      ["schedule", "failure"],
    ]);
    expect(state.consecutiveFailures).toBe(2);
    expect(state.recheck).toBeUndefined();
    expect(await aggregator.metrics.registry.metrics()).toContain(
      'lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 2',
    );

    // A pass ends the streak and schedules nothing.
    mode = "ok";
    cron.tick("relaycore-chat");
    await settle(3);
    expect(triggers()[0]).toEqual(["schedule", "success"]);
    expect(state.recheck).toBeUndefined();

    // One failure, then the service recovers: the recheck passes and the streak never reaches the threshold.
    mode = "wrong-model";
    cron.tick("relaycore-chat");
    await settle(4);
    expect(state.recheck).toBeDefined();
    mode = "ok";
    await settle(5);
    expect(triggers().slice(0, 2)).toEqual([
      ["recheck", "success"],
      ["schedule", "failure"],
    ]);
    expect(state.consecutiveFailures).toBe(0);
    expect(state.recheck).toBeUndefined();
  });

  it("refuses a recheck delay out of range, naming the flow", () => {
    expect(() => parseConfig(config("{ recheck_seconds: 900 }"), "test.yml", {})).toThrow(
      /relaycore-chat\/recheck_seconds/,
    );
  });

  it("aborts a run in flight on shutdown, records it as a timeout and closes the request", async () => {
    const { app, aggregator, close } = build();
    mode = "hang";
    const run = app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs", headers: auth });
    while (hanging.length === 0) await new Promise((r) => setTimeout(r, 10));
    const socketClosed = new Promise<void>((resolve) => hanging[0]!.on("close", () => resolve()));
    const stored = aggregator.synthetics.flows.get("relaycore-chat")!.running!;
    await aggregator.synthetics.close();
    await socketClosed;
    const result = await stored;
    expect(result.outcome).toBe("timeout");
    expect(result.steps[0]).toMatchObject({ name: "route-chat", status: "failed", failure: { assertion: "timeout" } });
    expect((await run).statusCode).toBe(201);
    await close();
  });

  it("counts consecutive failures into metrics, keeps them across a restart, and shows runs on the status page", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-synthetics-"));
    dirs.push(dir);
    const first = build(dir);
    mode = "wrong-model";
    for (let i = 0; i < 2; i++) {
      const r = await first.app.inject({
        method: "POST",
        url: "/api/v1/synthetics/relaycore-chat/runs",
        headers: auth,
      });
      expect(r.json()).toMatchObject({
        outcome: "failure",
        error: 'step "route-chat": model $.model: expected "nw-llama-3-8b", got "external-large"',
        steps: [
          {
            name: "route-chat",
            status: "failed",
            attempts: 2,
            failure: { assertion: "model $.model", expected: '"nw-llama-3-8b"', actual: '"external-large"' },
          },
          { name: "check-budget", status: "skipped" },
        ],
      });
    }
    const metrics = await first.aggregator.metrics.registry.metrics();
    expect(metrics).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="failure"} 2');
    expect(metrics).toContain('lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 2');
    expect(metrics).toContain('lookout_synthetic_alert_threshold{flow="relaycore-chat"} 2');
    expect(metrics).toContain('lookout_synthetic_last_run_success{flow="relaycore-chat"} 0');
    expect(metrics).toMatch(
      /lookout_synthetic_step_duration_seconds_count\{flow="relaycore-chat",step="route-chat"\} 2/,
    );
    await first.close();

    // Restarted on the same database: the streak continues where it was.
    const second = build(dir);
    const restarted = await second.aggregator.metrics.registry.metrics();
    expect(restarted).toContain('lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 2');
    mode = "ok";
    await second.app.inject({ method: "POST", url: "/api/v1/synthetics/relaycore-chat/runs", headers: auth });
    expect(await second.aggregator.metrics.registry.metrics()).toContain(
      'lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 0',
    );

    const page = await second.app.inject({ method: "GET", url: "/status" });
    expect(page.body).toContain('<h2 id="synthetics">Synthetic checks</h2>');
    const runs = second.aggregator.synthetics.runs("relaycore-chat", 10);
    expect(runs.map((r) => r.outcome)).toEqual(["success", "failure", "failure"]);
    for (const r of runs) expect(page.body).toContain(`href="http://jaeger.example:16686/trace/${r.traceId}"`);
    expect(page.body).not.toContain(relaycoreUrl); // no internal URL on the public page
    expect(page.body).not.toContain("external-large"); // nor what a response said

    // Retention: synthetic runs go with the raw results.
    const removed = second.aggregator.store.applyRetention(Date.now() + 8 * 86_400_000, {
      rawDays: 7,
      minuteDays: 30,
      hourDays: 366,
    });
    expect(removed.synthetic_runs).toBe(3);
    expect(second.aggregator.synthetics.runs("relaycore-chat", 10)).toEqual([]);
  });

  it("reload enables, disables and reschedules flows without losing history", async () => {
    const { aggregator, cron } = build();
    aggregator.synthetics.start();
    aggregator.reload(parseConfig(config().replace('"*/10 * * * *"', '"*/3 * * * *"'), "test.yml", {}));
    expect(cron.tasks.filter((t) => !t.stopped).map((t) => [t.name, t.expression])).toEqual([
      ["relaycore-chat", "*/3 * * * *"],
    ]);
    aggregator.reload(
      parseConfig(config().replace("relaycore-chat: {", "relaycore-chat: { enabled: false,"), "test.yml", {}),
    );
    expect(cron.tasks.filter((t) => !t.stopped)).toEqual([]);
    expect(await aggregator.metrics.registry.metrics()).not.toContain('flow="relaycore-chat"');
  });
});
