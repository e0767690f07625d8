// The status-page probe against real HTTP servers: every way a status page fails gives its own clear reason.
import { createServer, type RequestListener, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../testkit/index.js";
import { probeStatusPage } from "./probe.js";
import type { ProbeConfig } from "./types.js";

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

const probe = (url: string, expect: ProbeConfig["expect"] = "json") =>
  probeStatusPage({ url, expect, intervalMs: 10_000, timeoutMs: 1_000, failures: 1 }, () => Date.now());
const answer =
  (status: number, type: string, body: string): RequestListener =>
  (_req, res) =>
    res.writeHead(status, { "content-type": type }).end(body);

describe("status page probe", () => {
  it("passes on the status API's JSON", async () => {
    const base = await serve(answer(200, "application/json; charset=utf-8", '{"targets":[]}'));
    expect(await probe(`${base}/api/v1/status`)).toMatchObject({ ok: true, reason: "HTTP 200" });
  });

  it("passes on the HTML status page when told to expect it", async () => {
    const base = await serve(answer(200, "text/html; charset=utf-8", "<html>All systems operational</html>"));
    expect(await probe(`${base}/status`, "html")).toMatchObject({ ok: true });
  });

  it.each([
    [
      "an HTML page where JSON is expected",
      answer(200, "text/html", "<html>Sign in to Wi-Fi</html>"),
      "answered an HTML page, not the status API's JSON",
    ],
    ["a non-2xx", answer(503, "application/json", "{}"), "answered HTTP 503"],
    [
      "a proxy's HTML error page",
      answer(502, "text/html", "<html>Bad gateway</html>"),
      "answered HTTP 502 (an HTML page)",
    ],
    ["invalid JSON", answer(200, "application/json", "{"), "answered invalid JSON"],
    ["plain text", answer(200, "text/plain", "ok"), "answered text/plain, not JSON"],
    ["a redirect", (_q, s) => s.writeHead(302, { location: "/login" }).end(), "answered HTTP 302"],
    ["a hang", () => undefined, "no complete answer within 1s (hung or too slow)"],
    [
      "a body that never ends",
      (_q, s) => s.writeHead(200, { "content-type": "application/json" }).write("{"),
      "no complete answer within 1s (hung or too slow)",
    ],
  ] as [string, RequestListener, string][])("fails on %s", async (_what, handler, reason) => {
    const base = await serve(handler);
    expect(await probe(`${base}/api/v1/status`)).toMatchObject({ ok: false, reason });
  });

  it("fails on JSON where the HTML page is expected", async () => {
    const base = await serve(answer(200, "application/json", "{}"));
    expect(await probe(`${base}/status`, "html")).toMatchObject({
      ok: false,
      reason: "answered application/json, not the HTML status page",
    });
  });

  it("fails on a refused connection, without the address in the reason", async () => {
    // A reserved port nothing listens on (testkit/ports.ts).
    const result = await probe(`http://127.0.0.1:${await freePort()}/api/v1/status`);
    expect(result).toMatchObject({ ok: false, reason: "connection refused (nothing listening)" });
  });

  it("fails on a name that does not resolve", async () => {
    const result = await probe("http://status.invalid/api/v1/status");
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/host name/);
  });
});
