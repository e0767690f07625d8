/**
 * The synthetic flow metrics as the aggregator's /metrics serves them: exactly the names, types and labels agreed
 * with the alert rules and dashboards, and clean for promtool.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingToolMessage, toolPaths } from "../../../stack/index.js";
import { AggregatorMetrics } from "../metrics.js";

describe("synthetic flow metrics", () => {
  it("exports the agreed names, types and labels, and promtool check metrics finds nothing to report", async () => {
    const metrics = new AggregatorMetrics();
    const s = metrics.synthetics;
    s.declareFlow("relaycore-chat", 3, 0, ["no-failover", "neuroweaver-called-once"]);
    s.recordRun(
      "relaycore-chat",
      {
        outcome: "failure",
        durationMs: 1_250,
        finishedAt: 1_800_000_000_000,
        steps: [{ name: "route", durationMs: 1_200 }],
        trace: {
          status: "failed",
          durationMs: 11_500,
          assertions: [
            { name: "no-failover", status: "failed" },
            { name: "neuroweaver-called-once", status: "passed" },
          ],
        },
      },
      1,
    );
    // A run whose trace could not be read: counted apart, the assertions' last results stay as they were.
    s.recordRun(
      "relaycore-chat",
      {
        outcome: "success",
        durationMs: 31_000,
        finishedAt: 1_800_000_010_000,
        steps: [{ name: "route", durationMs: 1_000 }],
        trace: {
          status: "unavailable",
          durationMs: 30_000,
          assertions: [
            { name: "no-failover", status: "unavailable" },
            { name: "neuroweaver-called-once", status: "unavailable" },
          ],
        },
      },
      0,
    );
    const text = await metrics.registry.metrics();
    const expected: [string, string, string][] = [
      ["lookout_synthetic_runs_total", "counter", 'flow="relaycore-chat",outcome="failure"'],
      ["lookout_synthetic_run_duration_seconds", "histogram", 'flow="relaycore-chat"'],
      ["lookout_synthetic_step_duration_seconds", "histogram", 'flow="relaycore-chat",step="route"'],
      ["lookout_synthetic_consecutive_failures", "gauge", 'flow="relaycore-chat"'],
      ["lookout_synthetic_alert_threshold", "gauge", 'flow="relaycore-chat"'],
      ["lookout_synthetic_last_run_success", "gauge", 'flow="relaycore-chat"'],
      ["lookout_synthetic_last_run_timestamp_seconds", "gauge", 'flow="relaycore-chat"'],
      [
        "lookout_synthetic_trace_assertions_total",
        "counter",
        'flow="relaycore-chat",assertion="no-failover",outcome="failed"',
      ],
      ["lookout_synthetic_trace_assertion_last_passed", "gauge", 'flow="relaycore-chat",assertion="no-failover"'],
      ["lookout_synthetic_trace_unavailable_total", "counter", 'flow="relaycore-chat"'],
      ["lookout_synthetic_trace_wait_seconds", "histogram", 'flow="relaycore-chat"'],
    ];
    for (const [name, type, labels] of expected) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`^${name}(_count)?\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\} `, "m"));
    }
    expect(text).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="success"} 1');
    expect(text).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="failure"} 1');
    expect(text).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="timeout"} 0');
    expect(text).toContain('lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 0');
    const series = (name: string, labels: string) => `${name}{flow="relaycore-chat",${labels}} `;
    for (const [labels, value] of [
      ['assertion="no-failover",outcome="failed"', 1],
      ['assertion="no-failover",outcome="passed"', 0],
      ['assertion="no-failover",outcome="unavailable"', 1],
      ['assertion="neuroweaver-called-once",outcome="passed"', 1],
    ] as const)
      expect(text).toContain(`${series("lookout_synthetic_trace_assertions_total", labels)}${value}`);
    expect(text).toContain(`${series("lookout_synthetic_trace_assertion_last_passed", 'assertion="no-failover"')}0`);
    expect(text).toContain(
      `${series("lookout_synthetic_trace_assertion_last_passed", 'assertion="neuroweaver-called-once"')}1`,
    );
    expect(text).toContain('lookout_synthetic_trace_unavailable_total{flow="relaycore-chat"} 1');
    expect(text).toContain('lookout_synthetic_alert_threshold{flow="relaycore-chat"} 3');
    expect(text).toContain('lookout_synthetic_last_run_success{flow="relaycore-chat"} 1');
    expect(text).toContain('lookout_synthetic_last_run_timestamp_seconds{flow="relaycore-chat"} 1800000010');

    const { promtool } = toolPaths();
    if (!existsSync(promtool)) throw new Error(missingToolMessage("promtool", promtool));
    const check = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);

    s.forgetFlow("relaycore-chat", ["route"], ["no-failover", "neuroweaver-called-once"]);
    expect(await metrics.registry.metrics()).not.toContain('flow="relaycore-chat"');
  });
});
