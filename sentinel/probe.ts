/**
 * Probes the public status page from outside, the way a visitor reaches it: one GET with an overall timeout. Every
 * way it can fail becomes a short reason a person reads — never the raw error, which may carry addresses the config
 * does not name. `json` expects the aggregator's /api/v1/status; `html` its /status page, so a proxy's or a captive
 * portal's HTML error page answered with 200 still counts as a failure on the API.
 */
import { request } from "undici";
import type { ProbeConfig, ProbeResult } from "./types.js";

export type Prober = (config: ProbeConfig, now: () => number) => Promise<ProbeResult>;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** Why a request failed, from the error's code (undici and Node's net errors). */
export function failureReason(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? "";
  if (err.name === "TimeoutError" || err.name === "AbortError" || /TIMEOUT/.test(code)) {
    return `no complete answer within ${seconds(timeoutMs)} (hung or too slow)`;
  }
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused (nothing listening)",
    ECONNRESET: "connection reset",
    UND_ERR_SOCKET: "connection closed before the answer was complete",
    ENOTFOUND: "the host name does not resolve",
    EAI_AGAIN: "the host name could not be resolved (DNS failing)",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
  };
  if (known[code]) return known[code];
  if (/CERT|SSL|TLS/.test(code)) return `TLS handshake failed (${code})`;
  return `request failed${code ? ` (${code})` : ""}`;
}

/** What is wrong with an answer, or undefined when it is what `expect` asks for. */
export function answerProblem(
  status: number,
  contentType: string,
  body: string,
  expect: "json" | "html",
): string | undefined {
  const type = contentType.split(";")[0]!.trim().toLowerCase() || "no content type";
  if (status < 200 || status > 299) return `answered HTTP ${status}${type === "text/html" ? " (an HTML page)" : ""}`;
  if (expect === "html") return type === "text/html" ? undefined : `answered ${type}, not the HTML status page`;
  if (type === "text/html") return "answered an HTML page, not the status API's JSON";
  if (!/[/+]json$/.test(type)) return `answered ${type}, not JSON`;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" ? undefined : "answered JSON that is not an object";
  } catch {
    return "answered invalid JSON";
  }
}

/** One probe with undici. */
export const probeStatusPage: Prober = async (config, now) => {
  const started = now();
  const done = (ok: boolean, reason: string): ProbeResult => ({ at: now(), ok, reason, durationMs: now() - started });
  try {
    const response = await request(config.url, {
      method: "GET",
      headers: { accept: config.expect === "json" ? "application/json" : "text/html" },
      // No redirect is followed: a status page that redirects is reported as its 3xx.
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    const body = await response.body.text();
    const header = response.headers["content-type"];
    const problem = answerProblem(
      response.statusCode,
      Array.isArray(header) ? header[0]! : (header ?? ""),
      body,
      config.expect,
    );
    return problem ? done(false, problem) : done(true, `HTTP ${response.statusCode}`);
  } catch (error) {
    return done(false, failureReason(error, config.timeoutMs));
  }
};
