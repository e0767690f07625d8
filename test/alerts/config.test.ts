/**
 * The alerting config as a whole, with the real promtool, amtool and Alertmanager:
 * - every alert rule carries what routing, inhibition and the runbook need, templates only labels that cannot hold
 *   personal data, and has promtool unit tests that see it fire and see it stay silent;
 * - `amtool config routes test` walks the rendered routing tree for each kind of alert;
 * - a real Alertmanager, fed alerts through its API, notifies a webhook of the root cause only (inhibition).
 * (`lookout validate` runs promtool check/test and amtool check-config; stack/validate.test.ts covers that.)
 */
import { type spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, requireTools, spawnOnFreePort, terminate } from "../../testkit/index.js";
import { parse } from "yaml";
import { renderValues, resolvePorts, renderFile, loadSecrets } from "../../stack/index.js";
import { homeLayout, REPO_ROOT } from "../../shared/index.js";

const tools = requireTools("promtool", "amtool", "alertmanager");

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface TestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const yamlFiles = (dir: string, suffix: string) =>
  readdirSync(join(REPO_ROOT, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(REPO_ROOT, dir, f));
const rules: Rule[] = yamlFiles("alerts/rules", ".yml").flatMap((f) =>
  (parse(readFileSync(f, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules),
);
const alerts = rules.filter((r) => r.alert);
const cases = yamlFiles("alerts/tests", ".test.yml").flatMap((f) =>
  (parse(readFileSync(f, "utf8")) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []),
);

/** Labels an annotation may print: identities of components and config, never anything from a request or a user. */
const SAFE_LABELS = new Set([
  "service",
  "target",
  "system",
  "job",
  "instance",
  "flow",
  "exporter",
  "integration",
  "rule_group",
  "mountpoint",
  "device",
  "datname",
  "period",
]);

describe("alert rules", () => {
  it("has alerts in every area", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(30);
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))("%s has severity, cause and its annotations", (name, alert) => {
    expect(["critical", "warning", "none"]).toContain(alert.labels?.severity);
    if (name !== "Watchdog") expect(alert.labels?.cause).toMatch(/^[a-z-]+$/);
    expect(alert.annotations?.summary).toBeTruthy();
    expect(alert.annotations?.description).toBeTruthy();
    expect(alert.annotations?.runbook_url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
    const printed = [...JSON.stringify(alert.annotations).matchAll(/\$labels\.([a-z_]+)/g)].map((m) => m[1]);
    expect(printed.filter((l) => !SAFE_LABELS.has(l!))).toEqual([]);
  });

  it.each(alerts.filter((a) => a.alert !== "Watchdog").map((a) => [a.alert!]))(
    "%s has promtool cases where it fires and where it stays silent",
    (name) => {
      const mine = cases.filter((c) => c.alertname === name);
      expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
    },
  );

  it("passes promtool's unit tests", () => {
    const run = spawnSync(tools.promtool, ["test", "rules", ...yamlFiles("alerts/tests", ".test.yml")], {
      encoding: "utf8",
      timeout: 600_000,
    });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/FAILED/);
    expect(run.status).toBe(0);
  }, 600_000);
});

describe("Alertmanager routing and inhibition", () => {
  const scratch = mkdtempSync(join(tmpdir(), "lookout-alerting-test-"));
  let config: string;
  const received: { alertname: string; service: string; status: string }[] = [];
  let webhook: Server;
  let alertmanager: ReturnType<typeof spawn> | undefined;

  /** Renders alerts/alertmanager.yml as the stack would, with the webhook pointing at port. */
  function render(webhookPort: number): string {
    const layout = homeLayout(scratch);
    const values = renderValues({
      layout,
      ports: resolvePorts({ LOOKOUT_PORT_AGGREGATOR: String(webhookPort) }),
      secrets: loadSecrets(layout.secrets, {}),
      tools,
      retention: "30d",
    });
    return renderFile(join(REPO_ROOT, "alerts", "alertmanager.yml"), layout.config, values);
  }

  setUpSuite(async () => {
    webhook = createServer((request, response) => {
      let body = "";
      request.on("data", (c: Buffer) => (body += c.toString()));
      request.on("end", () => {
        const payload = JSON.parse(body) as { alerts: { status: string; labels: Record<string, string> }[] };
        for (const a of payload.alerts) {
          received.push({ alertname: a.labels.alertname!, service: a.labels.service ?? "", status: a.status });
        }
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => webhook.listen(0, "127.0.0.1", () => r()));
    const address = webhook.address();
    config = render(typeof address === "object" && address ? address.port : 0);
  });

  afterAll(async () => {
    // Alertmanager writes on the way out: remove its data only once it has exited.
    await terminate(alertmanager);
    await new Promise<void>((r) => webhook.close(() => r()));
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each([
    ["a page for a service, people notifications off", "severity=critical service=relaycore", "lookout-aggregator"],
    [
      "a page for a service",
      "severity=critical service=relaycore lookout_notify=on",
      "lookout-aggregator,services-page",
    ],
    [
      "a page for PostgreSQL",
      "severity=critical service=postgres lookout_notify=on",
      "lookout-aggregator,platform-page",
    ],
    [
      "a ticket for a service",
      "severity=warning service=neuroweaver lookout_notify=on",
      "lookout-aggregator,services-ticket",
    ],
    [
      "a ticket for the collector",
      "severity=warning service=otel-collector lookout_notify=on",
      "lookout-aggregator,platform-ticket",
    ],
    ["the watchdog, never to people", "alertname=Watchdog severity=none lookout_notify=on", "lookout-aggregator"],
    [
      "the watchdog to the sentinel as well, when one is configured",
      "alertname=Watchdog severity=none lookout_sentinel=on",
      "lookout-sentinel,lookout-aggregator",
    ],
    ["no other alert to the sentinel", "severity=critical service=relaycore lookout_sentinel=on", "lookout-aggregator"],
  ])("routes %s (amtool config routes test)", (_what, labels, receivers) => {
    const run = spawnSync(
      tools.amtool,
      ["config", "routes", "test", `--config.file=${config}`, `--verify.receivers=${receivers}`, ...labels.split(" ")],
      { encoding: "utf8" },
    );
    expect(run.stdout.trim(), run.stderr).toBe(receivers);
    expect(run.status).toBe(0);
  });

  it("notifies the root cause of a cascade and mutes its dependants and the warnings of the same cause", async () => {
    const started = await spawnOnFreePort(
      tools.alertmanager,
      (port) => [
        `--config.file=${config}`,
        `--storage.path=${join(scratch, "am-data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      "/-/ready",
    );
    alertmanager = started.child;
    const api = `http://127.0.0.1:${started.port}/api/v2`;
    const alert = (labels: Record<string, string>) => ({ labels, annotations: { summary: "test" } });
    // NeuroWeaver down, and what it causes upstream; plus, on an unrelated service, a critical and its warning.
    const posted = await fetch(`${api}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        alert({
          alertname: "ServiceDown",
          service: "neuroweaver",
          target: "neuroweaver",
          severity: "critical",
          cause: "down",
        }),
        alert({ alertname: "LookoutScrapeTargetDown", service: "neuroweaver", severity: "warning", cause: "scrape" }),
        alert({ alertname: "ServiceLatencyP99High", service: "relaycore", severity: "critical", cause: "latency" }),
        alert({ alertname: "AIProviderFailover", service: "relaycore", severity: "warning", cause: "failover" }),
        alert({ alertname: "ServiceLatencyP99High", service: "automatrix", severity: "critical", cause: "latency" }),
        alert({ alertname: "HostMemoryCritical", service: "host", severity: "critical", cause: "memory" }),
        alert({ alertname: "HostMemoryLow", service: "host", severity: "warning", cause: "memory" }),
      ]),
    });
    expect(posted.status).toBe(200);
    // Critical group_wait is 2 s, warnings 30 s: wait out both.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !received.some((r) => r.alertname === "HostMemoryCritical")) {
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 35_000));
    const notified = [...new Set(received.map((r) => `${r.alertname}/${r.service}`))].sort();
    expect(notified).toEqual(["HostMemoryCritical/host", "ServiceDown/neuroweaver"]);
  }, 120_000);
});
