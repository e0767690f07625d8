/**
 * The port walk: how to knock on each port of the README's table (stack/ports.ts) as an outsider would, with no
 * credentials or wrong ones, and whether the answer was a refusal. A refusal is a 401/403, a gRPC UNAUTHENTICATED,
 * an authentication error from PostgreSQL or Redis, or nothing listening at all.
 */
import { spawnSync } from "node:child_process";
import { connect as http2Connect } from "node:http2";
import { connect } from "node:net";
import { Agent, request } from "undici";

export type Credentials = "none" | "wrong";

export interface Knock {
  refused: boolean;
  /** What answered, e.g. "GET /metrics → 401" or "connect ECONNREFUSED". */
  detail: string;
}

/** tls: the listener speaks TLS and asks for a client certificate (stack/tls.ts); the knock presents none. */
export type Probe =
  | { kind: "http"; path: string; scheme: "Basic" | "Bearer"; tls?: boolean }
  | { kind: "grpc"; path: string; tls?: boolean }
  | { kind: "postgres" }
  | { kind: "redis" };

const TIMEOUT_MS = 5_000;
const WRONG = { Basic: `Basic ${Buffer.from("lookout:wrong-password").toString("base64")}`, Bearer: "Bearer wrong" };

// An outsider does not check whose server it reached; what is tested is whether it lets them in.
const untrusting = new Agent({ connect: { rejectUnauthorized: false } });

async function knockHttp(
  port: number,
  path: string,
  scheme: "Basic" | "Bearer",
  tls: boolean,
  creds: Credentials,
): Promise<Knock> {
  try {
    const response = await request(`${tls ? "https" : "http"}://127.0.0.1:${port}${path}`, {
      dispatcher: tls ? untrusting : undefined,
      headers: creds === "wrong" ? { authorization: WRONG[scheme] } : {},
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    await response.body.dump();
    return {
      refused: response.statusCode === 401 || response.statusCode === 403,
      detail: `GET ${path} → ${response.statusCode}`,
    };
  } catch (error) {
    return { refused: true, detail: `GET ${path}: ${(error as Error).message}` };
  }
}

/** A unary gRPC call with an empty message; the answer's grpc-status says whether it was let in. */
function knockGrpc(port: number, path: string, tls: boolean, creds: Credentials): Promise<Knock> {
  return new Promise((resolve) => {
    const done = (knock: Knock) => {
      clearTimeout(timer);
      session.close();
      resolve(knock);
    };
    const session = http2Connect(`${tls ? "https" : "http"}://127.0.0.1:${port}`, { rejectUnauthorized: false });
    const timer = setTimeout(
      () => done({ refused: false, detail: `${path}: no answer in ${TIMEOUT_MS} ms` }),
      TIMEOUT_MS,
    );
    session.on("error", (error: Error) => done({ refused: true, detail: `${path}: ${error.message}` }));
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...(creds === "wrong" ? { authorization: WRONG.Bearer } : {}),
    });
    let status: string | undefined;
    const take = (headers: Record<string, unknown>) => (status ??= headers["grpc-status"] as string | undefined);
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("error", (error: Error) => done({ refused: true, detail: `${path}: ${error.message}` }));
    stream.on("data", () => undefined);
    stream.on("end", () =>
      // 16 UNAUTHENTICATED, 7 PERMISSION_DENIED.
      done({ refused: status === "16" || status === "7", detail: `${path} → grpc-status ${status ?? "(none)"}` }),
    );
    stream.end(Buffer.from([0, 0, 0, 0, 0])); // an uncompressed, empty message
  });
}

function knockPostgres(port: number, creds: Credentials): Knock {
  const result = spawnSync(
    "psql",
    ["-h", "127.0.0.1", "-p", String(port), "-U", "lookout", "-d", "postgres", "-w", "-c", "select 1"],
    {
      encoding: "utf8",
      timeout: TIMEOUT_MS,
      env: { ...process.env, PGPASSWORD: creds === "wrong" ? "wrong-password" : "", PGCONNECT_TIMEOUT: "5" },
    },
  );
  const said = (result.stderr || result.stdout || result.error?.message || "").trim().split("\n")[0] ?? "";
  return { refused: result.status !== 0, detail: `psql: ${said}` };
}

function knockRedis(port: number, creds: Credentials): Promise<Knock> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const done = (knock: Knock) => {
      socket.destroy();
      resolve(knock);
    };
    socket.setTimeout(TIMEOUT_MS, () => done({ refused: false, detail: `redis: no answer in ${TIMEOUT_MS} ms` }));
    socket.on("error", (error) => done({ refused: true, detail: `redis: ${error.message}` }));
    socket.on("connect", () => socket.write(creds === "wrong" ? "AUTH wrong-password\r\nPING\r\n" : "PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      const lines = received.split("\r\n").filter(Boolean);
      if (lines.length < (creds === "wrong" ? 2 : 1)) return;
      const last = lines.at(-1)!;
      done({ refused: last.startsWith("-NOAUTH") || last.startsWith("-WRONGPASS"), detail: `redis: ${last}` });
    });
  });
}

export function knock(port: number, probe: Probe, creds: Credentials): Promise<Knock> {
  switch (probe.kind) {
    case "http":
      return knockHttp(port, probe.path, probe.scheme, probe.tls ?? false, creds);
    case "grpc":
      return knockGrpc(port, probe.path, probe.tls ?? false, creds);
    case "postgres":
      return Promise.resolve(knockPostgres(port, creds));
    case "redis":
      return knockRedis(port, creds);
  }
}

const OTLP_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const JAEGER_QUERY_GRPC = "/jaeger.api_v3.QueryService/GetServices";

/**
 * How each port is knocked on, and what may answer: `public` names why a port may let anyone in (health probes, the
 * public status page); `knownOpen` a port that still answers without credentials, with the reason — the walk
 * insists it still does, so the list cannot go stale when one is closed.
 */
export const PORT_WALK: Record<string, { probe: Probe; public?: string; knownOpen?: string }> = {
  AGGREGATOR: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  OTLP_GRPC: { probe: { kind: "grpc", path: OTLP_EXPORT } },
  OTLP_HTTP: { probe: { kind: "http", path: "/v1/traces", scheme: "Bearer" } },
  COLLECTOR_HEALTH: { probe: { kind: "http", path: "/", scheme: "Bearer" }, public: "health probe" },
  COLLECTOR_METRICS: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  COLLECTOR_PPROF: { probe: { kind: "http", path: "/debug/pprof/", scheme: "Basic" } },
  COLLECTOR_ZPAGES: { probe: { kind: "http", path: "/debug/tracez", scheme: "Basic" } },
  SAMPLER1_OTLP_GRPC: { probe: { kind: "grpc", path: OTLP_EXPORT } },
  SAMPLER1_HEALTH: { probe: { kind: "http", path: "/", scheme: "Bearer" }, public: "health probe" },
  SAMPLER1_METRICS: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  SAMPLER2_OTLP_GRPC: { probe: { kind: "grpc", path: OTLP_EXPORT } },
  SAMPLER2_HEALTH: { probe: { kind: "http", path: "/", scheme: "Bearer" }, public: "health probe" },
  SAMPLER2_METRICS: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  JAEGER_QUERY: { probe: { kind: "http", path: "/api/services", scheme: "Basic", tls: true } },
  JAEGER_QUERY_GRPC: { probe: { kind: "grpc", path: JAEGER_QUERY_GRPC, tls: true } },
  JAEGER_OTLP_GRPC: { probe: { kind: "grpc", path: OTLP_EXPORT, tls: true } },
  JAEGER_HEALTH: { probe: { kind: "http", path: "/status", scheme: "Basic" }, public: "health probe" },
  PROMETHEUS: { probe: { kind: "http", path: "/api/v1/query?query=up", scheme: "Basic" } },
  ALERTMANAGER: { probe: { kind: "http", path: "/api/v2/silences", scheme: "Basic" } },
  NODE_EXPORTER: { probe: { kind: "http", path: "/metrics", scheme: "Basic" } },
  POSTGRES_EXPORTER: { probe: { kind: "http", path: "/metrics", scheme: "Basic" } },
  REDIS_EXPORTER: { probe: { kind: "http", path: "/metrics", scheme: "Basic", tls: true } },
  POSTGRES: { probe: { kind: "postgres" } },
  REDIS: { probe: { kind: "redis" } },
  AUTOMATRIX: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  RELAYCORE: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
  NEUROWEAVER: { probe: { kind: "http", path: "/metrics", scheme: "Bearer" } },
};
