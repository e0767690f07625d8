/**
 * The HTTP server span of each Express request, made by the metrics middleware that already wraps it
 * (`instrument({ expressServerSpans: true })`, then installExpress), as the Python instrumentation's server_span.py
 * does for FastAPI.
 *
 * @opentelemetry/instrumentation-http made it before: it patches the server's `emit`, parses the URL, the Host and
 * Forwarded headers, binds the request and the response emitters to the span's context (six listener methods each,
 * wrapped per request) and sets the route only at the end, from Express's request. Here the span carries the same
 * stable HTTP conventions' attributes, named `METHOD /route/template` once Express has matched, W3C trace context from
 * the global propagator, the contract's allowlisted headers only, query parameter names never values, ERROR for a 5xx
 * answer; only the request emitter is bound (so a body parser's callback, and the route after it, run inside the
 * span); and it is the active span while the app handles the request, so database, cache and HTTP client spans and
 * log lines belong to it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from "@opentelemetry/semantic-conventions";
import { CONTRACT } from "./contract.js";

/** The methods the HTTP conventions know; any other is `_OTHER`, with the original in http.request.method_original. */
const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "QUERY",
]);
const UNTRACED = new Set(CONTRACT.untracedPaths);
const REQUEST_HEADERS = CONTRACT.headerAllowlist.map((h) => [
  h.toLowerCase(),
  `http.request.header.${h.toLowerCase()}`,
]);
const RESPONSE_HEADERS = CONTRACT.headerAllowlist.map((h) => [
  h.toLowerCase(),
  `http.response.header.${h.toLowerCase()}`,
]);

/** Query strings can carry anything a user typed: the parameter names, never the values. */
export function redactedQuery(query: string): string {
  return [...new URLSearchParams(query).keys()].map((n) => `${n}=REDACTED`).join("&");
}

/** `host[:port]` of a Host header (IPv6 in brackets); the port of the scheme when none is given. */
function hostAndPort(host: string, scheme: string): [string, number | undefined] {
  const colon = host.lastIndexOf(":");
  if (colon > host.lastIndexOf("]")) {
    const port = Number(host.slice(colon + 1));
    return [host.slice(0, colon), Number.isInteger(port) ? port : undefined];
  }
  return [host, scheme === "https" ? 443 : 80];
}

export interface StartedServerSpan {
  readonly span: Span;
  readonly context: Context;
  /** The span's name before the route is known: the method. */
  readonly name: string;
}

export class ServerSpans {
  constructor(private readonly tracer: Tracer) {}

  /** The request's span and the context to run the app in; undefined for a probe or a scrape (not traced). */
  start(request: IncomingMessage): StartedServerSpan | undefined {
    const url = request.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (UNTRACED.has(path)) return undefined;
    const headers = request.headers;
    const method = request.method ?? "GET";
    const known = KNOWN_METHODS.has(method);
    const scheme = (request.socket as TLSSocket).encrypted ? "https" : "http";
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: known ? method : "_OTHER",
      [ATTR_URL_SCHEME]: scheme,
      [ATTR_URL_PATH]: path,
      [ATTR_NETWORK_PEER_ADDRESS]: request.socket.remoteAddress,
      [ATTR_NETWORK_PEER_PORT]: request.socket.remotePort,
      [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
    };
    if (!known) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
    if (q !== -1 && q < url.length - 1) attributes[ATTR_URL_QUERY] = redactedQuery(url.slice(q + 1));
    if (headers.host) {
      const [address, port] = hostAndPort(headers.host, scheme);
      attributes[ATTR_SERVER_ADDRESS] = address;
      if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
    }
    // The first X-Forwarded-For entry is the client behind a proxy; the socket's peer otherwise.
    const forwarded = headers["x-forwarded-for"];
    const client = typeof forwarded === "string" ? forwarded.split(",")[0]!.trim() : request.socket.remoteAddress;
    if (client) attributes[ATTR_CLIENT_ADDRESS] = client;
    if (headers["user-agent"]) attributes[ATTR_USER_AGENT_ORIGINAL] = headers["user-agent"];
    for (const [name, key] of REQUEST_HEADERS) {
      const value = headers[name!];
      if (value !== undefined) attributes[key!] = Array.isArray(value) ? value : [value];
    }
    const parent = headers.traceparent ? propagation.extract(ROOT_CONTEXT, headers) : ROOT_CONTEXT;
    const name = known ? method : "HTTP";
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return { span, context: trace.setSpan(parent, span), name };
  }

  /**
   * Ends the span when the response finished (or the client left: then without a status code). `route` is the
   * template the framework matched, undefined when none did.
   */
  end(started: StartedServerSpan, response: ServerResponse, route: string | undefined): void {
    const { span } = started;
    if (span.isRecording()) {
      if (route !== undefined) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${started.name} ${route}`);
      }
      if (response.headersSent) {
        const code = response.statusCode;
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, code);
        if (code >= 500) {
          span.setAttribute(ATTR_ERROR_TYPE, String(code));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        for (const [name, key] of RESPONSE_HEADERS) {
          const value = response.getHeader(name!);
          if (value !== undefined) span.setAttribute(key!, Array.isArray(value) ? value : [String(value)]);
        }
      }
    }
    span.end();
  }
}

/** Runs fn with the request's span active, and binds the request's listeners (a body parser's) to it. */
export function withServerSpan(started: StartedServerSpan, request: IncomingMessage, fn: () => void): void {
  context.bind(started.context, request);
  context.with(started.context, fn);
}
