/// <reference lib="dom" />
/**
 * The example dashboard (index.html + dashboard.ts, bundled by esbuild) in real headless Chromium, served from its
 * own origin while the aggregator listens on another: the page renders the aggregator's live targets through the
 * typed client — the browser allowed the cross-origin reply because the page's origin is in cors.origins — and a
 * bearer request passes its preflight. The same page served from an origin not in the list is refused by the browser.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/index.js";
import { missingToolMessage, toolPaths } from "../../stack/index.js";
import { Aggregator, buildApp, ManualClock, parseConfig, settingsFromEnv } from "../../health-aggregator/index.js";
import { setUpSuite } from "../../testkit/index.js";

const EXAMPLE = join(REPO_ROOT, "api-client", "example");
const METRICS_TOKEN = "metrics-token-for-the-dashboard";

/** Bundles the page the way a team would ship it: one ES module with the client inside, next to index.html. */
async function buildPage(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "lookout-dashboard-"));
  await build({
    entryPoints: [join(EXAMPLE, "dashboard.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(out, "dashboard.js"),
    logLevel: "silent",
  });
  copyFileSync(join(EXAMPLE, "index.html"), join(out, "index.html"));
  return out;
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript" };

/** A static file server on its own port, so its pages are of an origin other than the aggregator's. */
async function servePage(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const name = new URL(request.url ?? "/", "http://x").pathname.slice(1) || "index.html";
    const path = join(dir, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(path)) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": TYPES[extname(name)] ?? "application/octet-stream" });
    response.end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("the example dashboard in Chromium, on another origin", () => {
  let browser: Browser;
  let api = "";
  let allowed = "";
  let refused = "";
  let close = async () => {};

  setUpSuite(async () => {
    const { chromium: chromiumPath } = toolPaths();
    if (!existsSync(chromiumPath)) throw new Error(missingToolMessage("chromium", chromiumPath));
    const dir = await buildPage();
    const page = await servePage(dir);
    const other = await servePage(dir);
    allowed = page.origin;
    refused = other.origin;
    const config = `
cors: { origins: ["${allowed}"] }
defaults: { interval: 15s, timeout: 5s, failures_to_down: 1, successes_to_up: 1 }
targets:
  - { id: relaycore, name: RelayCore router, system: RelayCore, instances: [{ name: main, http: { url: "http://10.1.2.3:8002/health" } }] }
  - { id: neuroweaver, name: NeuroWeaver inference, system: NeuroWeaver, instances: [{ name: main, http: { url: "http://10.1.2.3:8003/health" } }] }
`;
    const clock = new ManualClock(Date.parse("2026-12-04T00:00:00Z"));
    const aggregator = new Aggregator({ config: parseConfig(config, "t.yml", {}), dataDir: ":memory:", clock });
    for (const [targetId, status] of [
      ["relaycore", "healthy"],
      ["neuroweaver", "unhealthy"],
    ] as const) {
      aggregator.engine.record({ targetId, instance: "main", role: "primary", status, at: clock.now(), durationMs: 9 });
    }
    const settings = settingsFromEnv({ LOOKOUT_METRICS_TOKEN: METRICS_TOKEN, LOOKOUT_ADMIN_TOKEN: "a".repeat(20) });
    const app = buildApp({ settings, aggregator });
    await app.listen({ host: "127.0.0.1", port: 0 });
    api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
    });
    close = async () => {
      await browser.close();
      for (const server of [page.server, other.server]) await new Promise((resolve) => server.close(resolve));
      await app.close();
      await aggregator.close();
      rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(async () => close());

  it("renders the aggregator's live targets on an allowed origin", async () => {
    const page = await browser.newPage();
    await page.goto(`${allowed}/index.html?aggregator=${encodeURIComponent(api)}`);
    await page.getByRole("status").filter({ hasText: "2 targets" }).waitFor();
    const rows = await page
      .locator("#targets tr")
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    expect(rows).toEqual([
      ["RelayCore router", "RelayCore", "healthy"],
      ["NeuroWeaver inference", "NeuroWeaver", "unhealthy"],
    ]);
    // A request with a bearer token is preflighted (Authorization is not a simple header) and allowed.
    const status = await page.evaluate(
      async ([url, token]) => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
      [api, METRICS_TOKEN] as const,
    );
    expect(status).toBe(200);
    await page.close();
  });

  it("is refused by the browser on an origin not configured", async () => {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on("console", (message) => messages.push(message.text()));
    await page.goto(`${refused}/index.html?aggregator=${encodeURIComponent(api)}`);
    await page.getByRole("status").filter({ hasText: "Could not read" }).waitFor();
    expect(await page.locator("#targets tr").count()).toBe(0);
    expect(messages.join("\n")).toMatch(/blocked by CORS policy.*No 'Access-Control-Allow-Origin' header/s);
    await page.close();
  });
});
