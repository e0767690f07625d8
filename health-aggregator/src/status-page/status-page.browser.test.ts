/// <reference lib="dom" />
/**
 * The public status page in real headless Chromium (Debian's, driven by playwright-core), served by the real app on a
 * port: landmarks, readability without JavaScript, keyboard access to each day's detail, contrast, a narrow screen,
 * nothing internal on the page. With LOOKOUT_UPDATE_SCREENSHOTS=1 it refreshes docs/images/status-page.png.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite } from "../../../testkit/index.js";
import { REPO_ROOT } from "../../../shared/index.js";
import { missingToolMessage, toolPaths } from "../../../stack/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import type { Status } from "../checks/types.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";
import { ManualClock } from "../engine/manual-clock.js";

const CONFIG = `
defaults: { interval: 15m, timeout: 5s }
synthetics:
  jaeger_ui_url: "https://jaeger.acme.example/"
  urls: { automatrix: "http://10.1.2.3:8001", relaycore: "http://10.1.2.3:8002", neuroweaver: "http://10.1.2.3:8003" }
targets:
  - { id: automatrix, name: AutoMatrix API, system: AutoMatrix, depends_on: [relaycore], instances: [{ name: main, http: { url: "http://10.1.2.3:8001/health" } }] }
  - { id: automatrix-worker, name: Workflow workers, system: AutoMatrix, instances: [{ name: main, tcp: { host: 10.1.2.3, port: 9 } }] }
  - { id: relaycore, name: RelayCore router, system: RelayCore, depends_on: [neuroweaver], instances: [{ name: main, http: { url: "http://10.1.2.3:8002/health" } }] }
  - { id: neuroweaver, name: NeuroWeaver inference, system: NeuroWeaver, instances: [{ name: main, http: { url: "http://10.1.2.3:8003/health" } }] }
  - { id: secret-infra, name: Secret infra, system: Internal, public: false, instances: [{ name: main, tcp: { host: 10.9.9.9, port: 1 } }] }
`;

function contrast(fg: number[], bg: number[]): number {
  const lum = (c: number[]) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

describe("status page in Chromium", () => {
  let browser: Browser;
  let url = "";
  let close: () => Promise<void> = async () => {};

  setUpSuite(async () => {
    const { chromium: chromiumPath } = toolPaths();
    if (!existsSync(chromiumPath)) throw new Error(missingToolMessage("chromium", chromiumPath));
    const start = Date.parse("2026-08-29T00:00:00Z");
    const clock = new ManualClock(start);
    const aggregator = new Aggregator({
      config: parseConfig(CONFIG, "test.yml", {}),
      dataDir: ":memory:",
      clock,
      title: "Acme status",
    });
    // 90 days of history: a bad afternoon for NeuroWeaver 40 days ago, an outage now that takes RelayCore and AutoMatrix with it.
    const feed = (id: string, status: Status) =>
      aggregator.engine.record({
        targetId: id,
        instance: "main",
        role: "primary",
        status,
        at: clock.now(),
        durationMs: 20 + (clock.now() % 37),
        ...(status === "unhealthy" ? { error: "connect ECONNREFUSED 10.1.2.3:8003" } : {}),
      });
    for (let day = 0; day < 90; day++) {
      for (let step = 0; step < 96; step++) {
        const down = day === 50 && step >= 56 && step < 64;
        const now = day === 89 && step >= 90;
        for (const id of ["automatrix", "automatrix-worker", "relaycore", "neuroweaver", "secret-infra"]) {
          const cascade = id === "neuroweaver" || id === "relaycore" || id === "automatrix";
          feed(id, (down && id === "neuroweaver") || (now && cascade) ? "unhealthy" : "healthy");
        }
        clock.advance(15 * 60_000);
      }
    }
    // Maintenance: the workers are in a window now; the API has one scheduled for tomorrow.
    aggregator.maintenance.create({
      start: clock.now(),
      end: clock.now() + 2 * 3_600_000,
      targets: ["automatrix-worker"],
      systems: [],
      reason: "Queue migration",
      createdBy: "test",
    });
    aggregator.maintenance.create({
      start: clock.now() + 86_400_000,
      end: clock.now() + 90_000_000,
      targets: ["automatrix"],
      systems: [],
      reason: "Database upgrade",
      createdBy: "test",
    });
    // Synthetic runs: RelayCore's chat flow failing the last two runs (a failover), the others passing.
    const runs = aggregator.store.syntheticRuns;
    for (let i = 0; i < 12; i++) {
      const at = clock.now() - (12 - i) * 5 * 60_000;
      for (const [flow, failing] of [
        ["automatrix-workflow", false],
        ["relaycore-chat", i >= 10],
        ["neuroweaver-deploy", false],
      ] as const) {
        runs.add({
          flow,
          runId: `${flow}-${i}`,
          traceId: `${i.toString(16).padStart(2, "0")}${flow.length.toString(16).padStart(2, "0")}`.padEnd(32, "a"),
          trigger: "schedule",
          startedAt: at,
          durationMs: 400 + i * 37,
          outcome: failing ? "failure" : "success",
          steps: [
            {
              name: "step",
              status: failing ? "failed" : "passed",
              durationMs: 400,
              attempts: 1,
              ...(failing
                ? {
                    failure: {
                      assertion: "model $.model",
                      expected: '"nw-llama-3-8b"',
                      actual: '"external-large"',
                      message: "model: expected nw-llama-3-8b, got external-large (http://10.1.2.3:8002)",
                    },
                  }
                : {}),
            },
          ],
          ...(failing ? { error: "model mismatch at http://10.1.2.3:8002" } : {}),
        });
      }
    }
    const settings = settingsFromEnv({
      LOOKOUT_METRICS_TOKEN: "m".repeat(20),
      LOOKOUT_ADMIN_TOKEN: "a".repeat(20),
      LOOKOUT_PORT_AGGREGATOR: "0",
    });
    const app = buildApp({ settings, aggregator });
    await app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/status`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    close = async () => {
      await browser.close();
      await app.close();
      await aggregator.close();
    };
  });
  afterAll(async () => close());

  it("shows every public system with landmarks, states and the root cause", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(url);
    expect(await page.title()).toBe("Acme status");
    for (const landmark of ["banner", "main", "contentinfo"])
      expect(await page.getByRole(landmark as "main").count()).toBe(1);
    expect(await page.getByRole("status").textContent()).toBe("Some systems are down");
    expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual([
      "AutoMatrix",
      "RelayCore",
      "NeuroWeaver",
      "Synthetic checks",
      "Ongoing incidents",
      "Active alerts",
      "Resolved in the last 14 days",
    ]);
    expect(await page.locator('[data-target="neuroweaver"] .state').textContent()).toContain("Down");
    expect(await page.locator('[data-target="automatrix-worker"] .state').textContent()).toContain("Operational");
    const ongoing = await page.locator("section", { has: page.locator("#incidents-open") }).textContent();
    expect(ongoing).toContain("Root cause: NeuroWeaver inference");
    // Three incidents with one root cause read as one event.
    expect(
      await page
        .locator("section", { has: page.locator("#incidents-open") })
        .locator(".incident")
        .count(),
    ).toBe(1);
    expect(ongoing).toMatch(/also affected: (AutoMatrix API, RelayCore router|RelayCore router, AutoMatrix API)/);
    const body = await page.content();
    for (const secret of ["10.1.2.3", "ECONNREFUSED", "Secret infra", "10.9.9.9", "external-large"])
      expect(body).not.toContain(secret);
    // LOOKOUT_UPDATE_SCREENSHOTS=1 refreshes the one in docs/; otherwise the test leaves the clone untouched.
    const shots = process.env.LOOKOUT_UPDATE_SCREENSHOTS ? join(REPO_ROOT, "docs", "images") : tmpdir();
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "status-page.png"), fullPage: true });
    await page.close();
  });

  it("draws a response-time chart per system with its figures as text, and shows maintenance", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    for (const system of ["AutoMatrix", "RelayCore", "NeuroWeaver"]) {
      const chart = page.getByRole("img", { name: `Response time of ${system}, last 24 hours` });
      expect(await chart.count()).toBe(1);
      // The description repeats the figures for assistive technology; the caption shows them to everyone.
      expect(await chart.locator("desc").textContent()).toMatch(/^p50 \d+ ms, p95 \d+ ms; slowest hour \d\d:\d\d UTC/);
      const section = page.locator("section", { has: page.getByRole("heading", { name: system, exact: true }) });
      expect(await section.locator("figcaption").textContent()).toMatch(
        /^Response time, last 24 h: p50 \d+ ms · p95 \d+ ms · slowest hour/,
      );
      // A point for each of the 23 finished hours (a check every 15 minutes); the hour just begun has none yet.
      const p50 = await section.locator("path.p50").getAttribute("d");
      expect(p50?.match(/[ML]/g)).toHaveLength(23);
    }
    const automatrix = page.locator("section", { has: page.getByRole("heading", { name: "AutoMatrix", exact: true }) });
    const notices = await automatrix.locator(".maintenance").allTextContents();
    expect(notices).toEqual([
      expect.stringMatching(
        /^Under maintenance until 2026-11-27 02:00 UTC: Queue migration \(Workflow workers\)$/,
      ) as string,
      expect.stringMatching(
        /^Scheduled maintenance from 2026-11-28 00:00 UTC to 2026-11-28 01:00 UTC: Database upgrade \(AutoMatrix API\)$/,
      ) as string,
    ]);
    expect(await page.locator('[data-target="automatrix-worker"] .state').textContent()).toContain("maintenance");
    const colors = await page.evaluate(() =>
      [".key.p50", ".key.p95", ".chart text", ".maintenance p"].map((selector) => {
        const el = document.querySelector(selector)!;
        const style = getComputedStyle(el);
        return [style.color || style.fill, getComputedStyle(el.closest("p") ?? document.body).backgroundColor];
      }),
    );
    for (const [fg, bg] of colors) {
      const rgb = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number);
      const background = bg === "rgba(0, 0, 0, 0)" ? [255, 255, 255] : rgb(bg!);
      expect(contrast(rgb(fg!), background)).toBeGreaterThanOrEqual(4.5);
    }
    await page.close();
  });

  it("shows each synthetic flow's latest runs, each linked to its trace in Jaeger", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const section = page.getByRole("region", { name: "Synthetic checks" });
    expect(await section.locator(".flow").count()).toBe(3);
    expect(await section.locator('[data-flow="relaycore-chat"] .state').textContent()).toBe("Failing (2 in a row)");
    expect(await section.locator('[data-flow="automatrix-workflow"] .state').textContent()).toBe("Passing");
    const runs = page.getByRole("list", { name: "Latest runs of relaycore-chat, newest first" }).getByRole("link");
    expect(await runs.count()).toBe(10);
    const newest = runs.first();
    expect(await newest.getAttribute("href")).toBe(`https://jaeger.acme.example/trace/${"0b0e".padEnd(32, "a")}`);
    expect(await newest.getAttribute("aria-label")).toMatch(
      /^Run at 2026-11-26 2\d:\d\d UTC failed in 0\.8 s: view its trace$/,
    );
    // Reachable by keyboard like any link.
    await newest.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toContain("/trace/");
    await page.close();
  });

  it("gives each day's detail to keyboard and screen-reader users", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const bars = page.getByRole("list", { name: "Daily availability of NeuroWeaver, last 90 days" }).locator("li");
    expect(await bars.count()).toBe(90);
    const labels = await bars.evaluateAll((items) => items.map((li) => li.getAttribute("aria-label") ?? ""));
    const badDays = labels.map((label, i) => [label, i] as const).filter(([label]) => label.includes("down"));
    expect(badDays.map(([label]) => label)).toEqual([
      expect.stringMatching(/^2026-10-18: 9\d\.\d\d% available, down 2 h 0 min$/) as string,
      // Confirmed down from the 2nd failed check (23:00); the last check (23:45) has no successor yet, so it covers nothing.
      expect.stringMatching(/^2026-11-26: \d+\.\d\d% available, down 1 h 0 min$/) as string,
    ]);
    const badDay = bars.nth(badDays[0]![1]);
    await badDay.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("title"))).toMatch(/down 2 h 0 min/);
    await page.close();
  });

  it("is complete without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url);
    expect(await page.locator(".target").count()).toBe(4);
    expect(await page.locator(".bar").count()).toBe(3 * 90);
    expect(await page.locator("figure.chart svg").count()).toBe(3);
    await context.close();
  });

  it("fits a phone screen and keeps text contrast at 4.5:1 or better", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(url);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    const colors = await page.evaluate(() =>
      [".state.healthy", ".state.unhealthy", ".meta", "h1", ".run.success a", ".run.failure a"].map((selector) => {
        const el = document.querySelector(selector)!;
        return getComputedStyle(el).color.match(/\d+/g)!.slice(0, 3).map(Number);
      }),
    );
    for (const color of colors) expect(contrast(color, [255, 255, 255])).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });
});
