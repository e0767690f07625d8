/**
 * Checks against real servers that misbehave: a real HTTP server on port 0 answering HTML, 500, nothing, a body that
 * drips one byte a second, 50 MB, invalid JSON, the wrong shape, a reset connection; a closed port; and the stack's
 * real PostgreSQL and Redis (started by the same code as `npm start`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, freePort, startPartialStack, type PartialStack } from "../../../testkit/index.js";
import type { InstanceConfig, TargetConfig } from "../config/load.js";
import { createHttpPool, jsonPath } from "./http.js";
import { runCheck } from "./run.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const routes: Record<string, Handler> = {
  "/healthy": (_q, r) =>
    json(r, 200, {
      status: "healthy",
      timestamp: new Date().toISOString(),
      uptime: 1,
      version: "1",
      dependencies: { database: { status: "healthy", responseTime: 3 } },
      metrics: {},
    }),
  "/degraded": (_q, r) =>
    json(r, 200, { status: "degraded", dependencies: { redis: { status: "unhealthy", responseTime: 5000 } } }),
  "/unhealthy-503": (_q, r) =>
    json(r, 503, { status: "unhealthy", dependencies: { database: { status: "unhealthy", responseTime: 0 } } }),
  "/ietf": (_q, r) => {
    r.writeHead(200, { "content-type": "application/health+json" });
    r.end(
      JSON.stringify({
        status: "warn",
        checks: {
          "postgres:responseTime": [{ status: "pass", observedValue: 12, observedUnit: "ms" }],
          "cache:connections": [{ status: "fail" }],
        },
      }),
    );
  },
  "/html": (_q, r) => {
    r.writeHead(200, { "content-type": "text/html" });
    r.end("<html><body>It works!</body></html>");
  },
  "/500": (_q, r) => {
    r.writeHead(500, { "content-type": "text/plain" });
    r.end("Internal Server Error");
  },
  "/hang": () => {
    /* never answers */
  },
  "/drip": (_q, r) => {
    r.writeHead(200, { "content-type": "application/json" });
    const body = JSON.stringify({ status: "healthy" });
    let i = 0;
    const timer = setInterval(() => {
      if (i >= body.length || r.destroyed) return clearInterval(timer);
      r.write(body[i++]!);
    }, 1_000);
    r.on("close", () => clearInterval(timer));
  },
  "/huge": (_q, r) => {
    r.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const push = () => {
      while (sent < 50 && !r.destroyed) {
        sent++;
        if (!r.write(chunk)) return r.once("drain", push);
      }
      r.end();
    };
    push();
  },
  "/invalid-json": (_q, r) => {
    r.writeHead(200, { "content-type": "application/json" });
    r.end('{"status": "healthy",');
  },
  "/wrong-shape": (_q, r) => json(r, 200, { state: "ok", healthy: true }),
  "/reset": (q) => q.socket.destroy(),
  "/plain": (_q, r) => {
    r.writeHead(204);
    r.end();
  },
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

let server: Server;
let base = "";
const pool = createHttpPool();

setUpSuite(async () => {
  server = createServer((req, res) => (routes[req.url ?? ""] ?? ((_q, r) => json(r, 404, {})))(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await pool.close();
});

function target(instance: InstanceConfig, overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    id: "t",
    name: "t",
    system: "s",
    intervalMs: 15_000,
    timeoutMs: 1_500,
    retries: 0,
    degradedAfterMs: undefined,
    failuresToDown: 2,
    successesToUp: 2,
    dependsOn: [],
    labels: {},
    public: true,
    instances: [instance],
    ...overrides,
  };
}

function http(path: string, format: "lookout" | "health+json" | "status" = "lookout", extra = {}): InstanceConfig {
  return {
    name: "main",
    role: "primary",
    check: {
      kind: "http",
      url: `${base}${path}`,
      method: "GET",
      headers: {},
      format,
      expectStatus: undefined,
      assertions: [],
      ...extra,
    },
  };
}

async function check(instance: InstanceConfig, overrides: Partial<TargetConfig> = {}) {
  const t = target(instance, overrides);
  return runCheck({ pool, now: () => performance.timeOrigin + performance.now() }, t, instance);
}

describe("HTTP checks", () => {
  it("reads a healthy HealthCheckResponse with its dependencies", async () => {
    const result = await check(http("/healthy"));
    expect(result).toMatchObject({
      targetId: "t",
      instance: "main",
      status: "healthy",
      httpStatus: 200,
      dependencies: { database: { status: "healthy", responseTime: 3 } },
    });
    expect(result.error).toBeUndefined();
  });

  it("takes degraded from the body", async () => {
    expect(await check(http("/degraded"))).toMatchObject({
      status: "degraded",
      dependencies: { redis: { status: "unhealthy" } },
    });
  });

  it("is unhealthy on a 503 but keeps the dependency detail", async () => {
    expect(await check(http("/unhealthy-503"))).toMatchObject({
      status: "unhealthy",
      httpStatus: 503,
      dependencies: { database: { status: "unhealthy" } },
    });
  });

  it("understands application/health+json", async () => {
    expect(await check(http("/ietf", "health+json"))).toMatchObject({
      status: "degraded",
      dependencies: { postgres: { status: "healthy", responseTime: 12 }, cache: { status: "unhealthy" } },
    });
  });

  it("takes a plain status code when configured so", async () => {
    expect(await check(http("/plain", "status"))).toMatchObject({ status: "healthy", httpStatus: 204 });
    expect(await check(http("/500", "status"))).toMatchObject({ status: "unhealthy", error: "HTTP 500" });
  });

  it.each([
    ["HTML instead of JSON", "/html", "expected JSON, got text/html (HTTP 200)"],
    ["a 500 with a text body", "/500", "expected JSON, got text/plain (HTTP 500)"],
    ["invalid JSON", "/invalid-json", "expected JSON, got application/json (HTTP 200)"],
    ["the wrong shape", "/wrong-shape", 'response is not a HealthCheckResponse: "status" is undefined'],
    ["a reset connection", "/reset", "connection reset"],
    ["a 50 MB body", "/huge", "response body larger than 262144 bytes"],
    ["no answer at all", "/hang", "no complete answer within 1500 ms"],
    ["a body dripping one byte a second", "/drip", "no complete answer within 1500 ms"],
  ])("is unhealthy with a reason on %s", async (_what, path, reason) => {
    const result = await check(http(path));
    expect(result.status).toBe("unhealthy");
    expect(result.error).toBe(reason);
  });

  it("says connection refused for a closed port", async () => {
    const port = await freePort();
    const instance: InstanceConfig = {
      name: "main",
      role: "primary",
      check: {
        kind: "http",
        url: `http://127.0.0.1:${port}/health`,
        method: "GET",
        headers: {},
        format: "lookout",
        expectStatus: undefined,
        assertions: [],
      },
    };
    expect(await check(instance)).toMatchObject({ status: "unhealthy", error: "connection refused" });
  });

  it("a hanging target does not delay the others", async () => {
    const hanging = check(http("/hang"));
    let hangingDone = false;
    void hanging.then(() => (hangingDone = true));
    const fast = await check(http("/healthy"));
    expect(fast.status).toBe("healthy");
    expect(hangingDone).toBe(false); // the fast one finished while the hanging one still waited for its timeout
    expect((await hanging).status).toBe("unhealthy");
  });

  it("marks a slow healthy answer degraded", async () => {
    const result = await check(http("/healthy"), { degradedAfterMs: 0 });
    expect(result.status).toBe("degraded");
    expect(result.error).toMatch(/^answered in \d+ ms \(degraded above 0 ms\)$/);
  });

  it("applies JSON-path assertions", async () => {
    const pass = http("/healthy", "lookout", {
      assertions: [
        { path: "$.dependencies.database.status", equals: "healthy" },
        { path: "$.version", exists: true },
      ],
    });
    expect((await check(pass)).status).toBe("healthy");
    const fail = http("/healthy", "lookout", { assertions: [{ path: "$.version", equals: "2" }] });
    expect(await check(fail)).toMatchObject({
      status: "unhealthy",
      error: 'assertion $.version: expected "2", got "1"',
    });
  });

  it("retries before calling a target unhealthy", async () => {
    let calls = 0;
    const flaky = createServer((_q, r) =>
      ++calls < 3 ? json(r, 500, { status: "unhealthy" }) : json(r, 200, { status: "healthy" }),
    );
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`;
    const instance: InstanceConfig = {
      name: "main",
      role: "primary",
      check: {
        kind: "http",
        url,
        method: "GET",
        headers: {},
        format: "lookout",
        expectStatus: undefined,
        assertions: [],
      },
    };
    expect((await check(instance, { retries: 2 })).status).toBe("healthy");
    expect(calls).toBe(3);
    await new Promise<void>((r) => flaky.close(() => r()));
  });

  it("evaluates the JSON-path subset", () => {
    const value = { a: { b: [{ c: 1 }] } };
    expect(jsonPath(value, "$.a.b[0].c")).toEqual({ found: true, value: 1 });
    expect(jsonPath(value, "$.a.x")).toEqual({ found: false, value: undefined });
    expect(jsonPath(value, "$.a.b[3]")).toEqual({ found: false, value: undefined });
    expect(jsonPath(value, "$.constructor")).toEqual({ found: false, value: undefined });
  });
});

describe("TCP, PostgreSQL and Redis checks against real servers", () => {
  let stack: PartialStack;
  setUpSuite(async () => {
    stack = await startPartialStack(["postgres", "redis"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const pgUrl = () =>
    `postgresql://lookout:${encodeURIComponent(stack.ctx.secrets.postgres_password.value)}@127.0.0.1:${stack.ctx.ports.POSTGRES}/postgres`;
  const redisUrl = (password: string) => `redis://:${encodeURIComponent(password)}@127.0.0.1:${stack.ctx.ports.REDIS}`;
  const instance = (check: InstanceConfig["check"]): InstanceConfig => ({ name: "main", role: "primary", check });

  it("runs SELECT 1 on PostgreSQL", async () => {
    expect(await check(instance({ kind: "postgres", url: pgUrl() }))).toMatchObject({ status: "healthy" });
  });

  it("reports a wrong PostgreSQL password without echoing the URL", async () => {
    const url = pgUrl().replace(encodeURIComponent(stack.ctx.secrets.postgres_password.value), "wrong-password");
    const result = await check(instance({ kind: "postgres", url }));
    expect(result.status).toBe("unhealthy");
    expect(result.error).toMatch(/password authentication failed/);
    expect(result.error).not.toContain("wrong-password");
  });

  it("PINGs Redis with its password and reports a wrong one", async () => {
    expect(
      await check(instance({ kind: "redis", url: redisUrl(stack.ctx.secrets.redis_password.value) })),
    ).toMatchObject({ status: "healthy" });
    const bad = await check(instance({ kind: "redis", url: redisUrl("nope") }));
    expect(bad.status).toBe("unhealthy");
    expect(bad.error).toMatch(/^redis: WRONGPASS/);
  });

  it("connects over TCP, and says refused on a closed port", async () => {
    expect(await check(instance({ kind: "tcp", host: "127.0.0.1", port: stack.ctx.ports.REDIS }))).toMatchObject({
      status: "healthy",
    });
    expect(await check(instance({ kind: "tcp", host: "127.0.0.1", port: await freePort() }))).toMatchObject({
      status: "unhealthy",
      error: "connection refused",
    });
  });
});
