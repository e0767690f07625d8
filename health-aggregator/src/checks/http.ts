/**
 * HTTP health checks over one shared undici connection pool. A check has one deadline for everything — connect,
 * headers and body — so a target that hangs or drips its body a byte a second fails at its timeout and never holds
 * up another check. Bodies are read up to MAX_BODY_BYTES and no further.
 */
import { Agent, request } from "undici";
import type { HttpCheckConfig } from "../config/load.js";
import type { DependencyStatus, Status } from "./types.js";

export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpOutcome {
  status: Status;
  error?: string;
  httpStatus?: number;
  dependencies?: Record<string, DependencyStatus>;
}

export function createHttpPool(connections = 512): Agent {
  return new Agent({
    connections,
    keepAliveTimeout: 30_000,
    // Health endpoints answer small bodies; pipelining would let one slow target delay another on the same socket.
    pipelining: 1,
  });
}

const LOOKOUT_STATUSES = new Set<Status>(["healthy", "degraded", "unhealthy"]);

/** IETF draft-inadarei-api-health-check statuses. */
function ietfStatus(value: unknown): Status | undefined {
  switch (value) {
    case "pass":
    case "ok":
    case "up":
      return "healthy";
    case "warn":
      return "degraded";
    case "fail":
    case "error":
    case "down":
      return "unhealthy";
    default:
      return undefined;
  }
}

/** Evaluates the `$.a.b[0]` subset of JSON path the config allows. */
export function jsonPath(value: unknown, path: string): { found: boolean; value: unknown } {
  let current: unknown = value;
  const steps = path.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]/g) ?? [];
  for (const step of steps) {
    if (step.startsWith(".")) {
      if (!current || typeof current !== "object" || Array.isArray(current)) return { found: false, value: undefined };
      const key = step.slice(1);
      if (!Object.hasOwn(current, key)) return { found: false, value: undefined };
      current = (current as Record<string, unknown>)[key];
    } else {
      const index = Number(step.slice(1, -1));
      if (!Array.isArray(current) || index >= current.length) return { found: false, value: undefined };
      current = current[index];
    }
  }
  return { found: true, value: current };
}

/** Interprets a parsed body in the configured format. */
export function interpretBody(format: HttpCheckConfig["format"], body: unknown): HttpOutcome {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { status: "unhealthy", error: "response body is not a JSON object" };
  }
  const record = body as Record<string, unknown>;
  if (format === "lookout") {
    const status = record.status;
    if (typeof status !== "string" || !LOOKOUT_STATUSES.has(status as Status)) {
      return {
        status: "unhealthy",
        error: `response is not a HealthCheckResponse: "status" is ${JSON.stringify(status)}`,
      };
    }
    const dependencies: Record<string, DependencyStatus> = {};
    const deps = record.dependencies;
    if (deps && typeof deps === "object" && !Array.isArray(deps)) {
      for (const [name, dep] of Object.entries(deps as Record<string, unknown>)) {
        const d = dep as { status?: unknown; responseTime?: unknown } | null;
        if (d && typeof d.status === "string" && LOOKOUT_STATUSES.has(d.status as Status)) {
          dependencies[name.slice(0, 64)] = {
            status: d.status as Status,
            responseTime: typeof d.responseTime === "number" ? d.responseTime : 0,
          };
        }
      }
    }
    return { status: status as Status, dependencies };
  }
  // IETF health+json: status plus optional checks { "name:measure": [{ status, observedValue, observedUnit }] }.
  const status = ietfStatus(record.status);
  if (!status)
    return { status: "unhealthy", error: `response is not health+json: "status" is ${JSON.stringify(record.status)}` };
  const dependencies: Record<string, DependencyStatus> = {};
  if (record.checks && typeof record.checks === "object") {
    for (const [name, entries] of Object.entries(record.checks as Record<string, unknown>)) {
      const list = Array.isArray(entries) ? (entries as Record<string, unknown>[]) : [];
      const first = list.find((e) => e && typeof e === "object");
      const s = first ? ietfStatus(first.status) : undefined;
      if (s) {
        const ms = first?.observedUnit === "ms" && typeof first.observedValue === "number" ? first.observedValue : 0;
        dependencies[name.split(":")[0]!.slice(0, 64)] = { status: s, responseTime: ms };
      }
    }
  }
  return { status, dependencies };
}

async function readCapped(body: AsyncIterable<Buffer>, limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) return { text: "", truncated: true };
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: false };
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (
    e.name === "TimeoutError" ||
    e.name === "AbortError" ||
    e.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e.code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return `no complete answer within ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  return (e.message ?? String(error)).split("\n")[0]!.slice(0, 200);
}

export async function httpCheck(pool: Agent, config: HttpCheckConfig, timeoutMs: number): Promise<HttpOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(config.url, {
      dispatcher: pool,
      method: config.method,
      headers: { accept: "application/health+json, application/json;q=0.9, */*;q=0.1", ...config.headers },
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const httpStatus = response.statusCode;
    const expected = config.expectStatus
      ? config.expectStatus.includes(httpStatus)
      : httpStatus >= 200 && httpStatus < 300;
    if (config.format === "status" && config.assertions.length === 0) {
      await response.body.dump();
      return expected
        ? { status: "healthy", httpStatus }
        : { status: "unhealthy", httpStatus, error: `HTTP ${httpStatus}` };
    }
    const { text, truncated } = await readCapped(response.body, MAX_BODY_BYTES);
    if (truncated) {
      response.body.destroy();
      return { status: "unhealthy", httpStatus, error: `response body larger than ${MAX_BODY_BYTES} bytes` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const type = String(response.headers["content-type"] ?? "no content type").split(";")[0];
      return { status: "unhealthy", httpStatus, error: `expected JSON, got ${type} (HTTP ${httpStatus})` };
    }
    let outcome: HttpOutcome =
      config.format === "status" ? { status: "healthy" } : interpretBody(config.format, parsed);
    outcome.httpStatus = httpStatus;
    if (!expected) {
      outcome = { ...outcome, status: "unhealthy", error: outcome.error ?? `HTTP ${httpStatus}` };
    }
    for (const assertion of config.assertions) {
      const { found, value } = jsonPath(parsed, assertion.path);
      const fails =
        (assertion.exists === true && !found) ||
        (assertion.exists === false && found) ||
        (assertion.equals !== undefined && (!found || value !== assertion.equals));
      if (fails) {
        return {
          ...outcome,
          status: "unhealthy",
          error: `assertion ${assertion.path}: expected ${assertion.equals !== undefined ? JSON.stringify(assertion.equals) : assertion.exists ? "present" : "absent"}, got ${found ? JSON.stringify(value)?.slice(0, 100) : "nothing"}`,
        };
      }
    }
    return outcome;
  } catch (error) {
    return { status: "unhealthy", error: describeError(error, timeoutMs) };
  }
}
