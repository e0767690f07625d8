/**
 * Readiness probes. Each resolves to undefined when the component is ready, or to a short reason it is not yet
 * (shown if it never becomes ready). Probes never throw and always time out.
 */
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { type Dispatcher, request } from "undici";

export type ReadinessProbe = () => Promise<string | undefined>;

const PROBE_TIMEOUT_MS = 2_000;

/** Ready when GET url answers 2xx; dispatcher() supplies TLS client settings for an https URL. */
export function httpReady(
  url: string,
  headers: Record<string, string> = {},
  dispatcher?: () => Dispatcher,
): ReadinessProbe {
  return async () => {
    try {
      const response = await request(url, {
        headers,
        dispatcher: dispatcher?.(),
        headersTimeout: PROBE_TIMEOUT_MS,
        bodyTimeout: PROBE_TIMEOUT_MS,
      });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300
        ? undefined
        : `GET ${url} → ${response.statusCode}`;
    } catch (error) {
      return `GET ${url}: ${(error as Error).message}`;
    }
  };
}

/** Ready when PostgreSQL accepts a connection (pg_isready, shipped with the client packages). */
export function pgReady(host: string, port: number, user: string, _password: string): ReadinessProbe {
  return () =>
    new Promise((resolve) => {
      execFile(
        "pg_isready",
        ["-h", host, "-p", String(port), "-U", user, "-d", "postgres", "-t", "2"],
        { timeout: PROBE_TIMEOUT_MS + 1_000 },
        (error, stdout) => resolve(error ? `pg_isready: ${stdout.trim() || error.message}` : undefined),
      );
    });
}

/** Ready when Redis answers AUTH and PING with +OK and +PONG. */
export function redisReady(host: string, port: number, password: string): ReadinessProbe {
  return () =>
    new Promise((resolve) => {
      let received = "";
      const socket = connect({ host, port });
      const done = (reason: string | undefined) => {
        socket.destroy();
        resolve(reason);
      };
      socket.setTimeout(PROBE_TIMEOUT_MS, () => done(`redis ${host}:${port}: no answer`));
      socket.on("error", (error) => done(`redis ${host}:${port}: ${error.message}`));
      socket.on("connect", () => {
        const auth = `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`;
        socket.write(`${auth}*1\r\n$4\r\nPING\r\n`);
      });
      socket.on("data", (chunk) => {
        received += chunk.toString("utf8");
        if (received.includes("+PONG")) done(received.startsWith("+OK") ? undefined : `redis: ${received.trim()}`);
        else if (received.startsWith("-")) done(`redis: ${received.split("\r\n")[0]}`);
      });
    });
}

/** Polls probe until ready, the deadline passes, or shouldStop() says the component died. */
export async function waitReady(
  probe: ReadinessProbe,
  timeoutMs: number,
  shouldStop: () => string | undefined,
  intervalMs = 250,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | undefined = "not checked yet";
  while (Date.now() < deadline) {
    const stopped = shouldStop();
    if (stopped) return stopped;
    reason = await probe();
    if (reason === undefined) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return `not ready after ${Math.round(timeoutMs / 1000)}s: ${reason}`;
}
