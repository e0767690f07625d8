/**
 * Runs one check of one target instance: the protocol-specific probe (HTTP, TCP, PostgreSQL `SELECT 1`, Redis
 * `PING`), retries, and the degraded-by-latency rule. Returns a CheckResult; never throws.
 */
import { connect } from "node:net";
import pg from "pg";
import type { Agent } from "undici";
import type { InstanceConfig, TargetConfig } from "../config/load.js";
import { httpCheck, type HttpOutcome } from "./http.js";
import type { CheckResult } from "./types.js";

export interface CheckDeps {
  pool: Agent;
  now: () => number;
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: HttpOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ status: "unhealthy", error: `no connection within ${timeoutMs} ms` }));
    socket.once("connect", () => done({ status: "healthy" }));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done({
        status: "unhealthy",
        error: error.code === "ECONNREFUSED" ? "connection refused" : (error.code ?? error.message),
      }),
    );
  });
}

async function postgresCheck(url: string, timeoutMs: number): Promise<HttpOutcome> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "lookout-health-aggregator",
  });
  // A server that dies mid-check emits 'error' on the client; without a listener that would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { status: "healthy" };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    // Never echo the URL: it holds the password.
    return {
      status: "unhealthy",
      error: e.code === "ECONNREFUSED" ? "connection refused" : (e.message ?? "error").split("\n")[0]!.slice(0, 200),
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** `PING` over RESP, with `AUTH` first when the URL carries a password. */
function redisCheck(url: string, timeoutMs: number): Promise<HttpOutcome> {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  const user = decodeURIComponent(parsed.username);
  return new Promise((resolve) => {
    let received = "";
    const socket = connect({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    const done = (outcome: HttpOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ status: "unhealthy", error: `no answer within ${timeoutMs} ms` }));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done({
        status: "unhealthy",
        error: error.code === "ECONNREFUSED" ? "connection refused" : (error.code ?? error.message),
      }),
    );
    socket.once("connect", () => {
      const parts = password ? (user ? ["AUTH", user, password] : ["AUTH", password]) : [];
      const command = (args: string[]) =>
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
      socket.write(`${parts.length ? command(parts) : ""}${command(["PING"])}`);
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (received.startsWith("-"))
        done({ status: "unhealthy", error: `redis: ${received.split("\r\n")[0]!.slice(1, 120)}` });
      else if (received.includes("+PONG")) done({ status: "healthy" });
      else if (received.length > 4096) done({ status: "unhealthy", error: "redis: unexpected answer" });
    });
  });
}

async function probe(deps: CheckDeps, instance: InstanceConfig, timeoutMs: number): Promise<HttpOutcome> {
  const check = instance.check;
  switch (check.kind) {
    case "http":
      return httpCheck(deps.pool, check, timeoutMs);
    case "tcp":
      return tcpCheck(check.host, check.port, timeoutMs);
    case "postgres":
      return postgresCheck(check.url, timeoutMs);
    case "redis":
      return redisCheck(check.url, timeoutMs);
  }
}

export async function runCheck(deps: CheckDeps, target: TargetConfig, instance: InstanceConfig): Promise<CheckResult> {
  const at = deps.now();
  let outcome: HttpOutcome = { status: "unhealthy", error: "not run" };
  let started = at;
  for (let attempt = 0; attempt <= target.retries; attempt++) {
    started = deps.now();
    outcome = await probe(deps, instance, target.timeoutMs);
    if (outcome.status !== "unhealthy") break;
  }
  const durationMs = Math.max(0, deps.now() - started);
  let status = outcome.status;
  let error = outcome.error;
  if (status === "healthy" && target.degradedAfterMs !== undefined && durationMs > target.degradedAfterMs) {
    status = "degraded";
    error = `answered in ${Math.round(durationMs)} ms (degraded above ${target.degradedAfterMs} ms)`;
  }
  const result: CheckResult = {
    targetId: target.id,
    instance: instance.name,
    role: instance.role,
    status,
    at,
    durationMs,
  };
  if (error) result.error = error;
  if (outcome.httpStatus !== undefined) result.httpStatus = outcome.httpStatus;
  if (outcome.dependencies && Object.keys(outcome.dependencies).length > 0) result.dependencies = outcome.dependencies;
  return result;
}
