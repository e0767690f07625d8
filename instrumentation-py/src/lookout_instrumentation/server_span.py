"""The HTTP server span of each request, made by the metrics middleware (http.py) that already wraps it.

OpenTelemetry's FastAPI instrumentation made it before: a second ASGI layer that matched the route once more itself,
read every header for each propagation field, and set both the old and the stable HTTP conventions' attributes; in
CPython that was about 100 µs of CPU per request, most of what tracing a request cost
(bench/instrumentation-python.ts). Here the span carries the stable HTTP conventions' attributes (as Node's
instrumentation-http sends them), named `METHOD /route/template` once the router has matched, W3C trace context from
the global propagator, the contract's allowlisted headers only, query parameter names never values, ERROR for a 5xx
answer or an exception (recorded as an event), and it is the current span while the app handles the request, so
database, cache and HTTP client spans and log lines belong to it.
"""

from __future__ import annotations

from typing import Any, MutableMapping, Optional

from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from .contract import CONTRACT
from .metrics import HTTP_METHODS
from .tracing import redacted_query

Scope = MutableMapping[str, Any]
#: Probes and scrapes are not traced (the contract's untracedPaths).
UNTRACED = frozenset(CONTRACT["untracedPaths"])


def _header_attributes(prefix: str) -> dict[bytes, str]:
    return {h.lower().encode("latin-1"): f"{prefix}.{h.lower().replace('-', '_')}" for h in CONTRACT["headerAllowlist"]}


class ServerSpans:
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer
        self._request_headers = _header_attributes("http.request.header")
        self._response_headers = _header_attributes("http.response.header")

    def start(self, scope: Scope, method: str) -> Optional[tuple[Span, object]]:
        """The request's span, made current; None for an untraced path."""
        if scope.get("path") in UNTRACED:
            return None
        carrier: dict[str, str] = {}
        attributes: dict[str, Any] = {
            "http.request.method": method if method in HTTP_METHODS else "_OTHER",
            "url.scheme": scope.get("scheme", "http"),
            "url.path": scope.get("path", ""),
        }
        host = None
        for name, value in scope.get("headers") or ():
            if name == b"traceparent" or name == b"tracestate":
                carrier[name.decode("latin-1")] = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
            elif name == b"user-agent":
                attributes["user_agent.original"] = value.decode("latin-1")
            elif name in self._request_headers:
                key = self._request_headers[name]
                attributes[key] = (*attributes.get(key, ()), value.decode("latin-1"))
        query = scope.get("query_string")
        if query:
            attributes["url.query"] = redacted_query(query.decode("latin-1"))
        if scope.get("http_version"):
            attributes["network.protocol.version"] = scope["http_version"]
        if host:
            address, _, port = host.rpartition(":") if host.rpartition(":")[2].isdigit() else (host, "", "")
            attributes["server.address"] = address
            if port:
                attributes["server.port"] = int(port)
        elif scope.get("server"):
            attributes["server.address"], attributes["server.port"] = scope["server"][0], scope["server"][1]
        client = scope.get("client")
        if client:
            attributes["client.address"] = client[0]
        parent = propagate.extract(carrier) if carrier else context.get_current()
        span = self._tracer.start_span(
            attributes["http.request.method"] if method in HTTP_METHODS else "HTTP",
            context=parent,
            kind=SpanKind.SERVER,
            attributes=attributes,
        )
        return span, context.attach(trace.set_span_in_context(span, parent))

    def response_headers(self, span: Span, headers: Any) -> None:
        """The allowlisted response headers, from the http.response.start message."""
        for name, value in headers or ():
            key = self._response_headers.get(bytes(name).lower())
            if key is not None:
                span.set_attribute(key, (value.decode("latin-1"),))

    def end(self, started: tuple[Span, object], route: Optional[str], code: int, error: Optional[BaseException]) -> None:
        span, token = started
        context.detach(token)  # type: ignore[arg-type]
        if span.is_recording():
            if route is not None:
                span.update_name(f"{span.name} {route}")
                span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", code)
            if error is not None:
                span.record_exception(error)
                span.set_attribute("error.type", type(error).__qualname__)
                span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            elif code >= 500:
                span.set_attribute("error.type", str(code))
                span.set_status(Status(StatusCode.ERROR))
        span.end()
