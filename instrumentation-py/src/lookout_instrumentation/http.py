"""HTTP metrics as a pure ASGI middleware, and the /metrics and /health endpoints. The middleware labels each
request by the route template FastAPI matched (`scope["route"]`, set by the router on the scope it shares with the
middleware), `unmatched` when none did, and 499 when the client left before the response ended, as Node's does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Awaitable, Callable, MutableMapping, Optional

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .contract import CONTRACT
from .health import HealthMonitor
from .metrics import HTTP_METHODS, ServiceMetrics, method_label
from .server_span import ServerSpans
from .window import RequestWindow

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNMATCHED_ROUTE: str = CONTRACT["unmatchedRoute"]
#: Probes and scrapes would dominate the health window's figures; they are counted in the metrics only.
OUT_OF_WINDOW = frozenset(CONTRACT["untracedPaths"])


def _digest(value: str) -> bytes:
    # Hashing first gives equal-length inputs, so the comparison does not leak the token's length.
    return hashlib.sha256(value.encode("utf-8")).digest()


def bearer_matches(header: str | None, token: str) -> bool:
    """True when header is `Bearer <token>` with exactly this token (constant-time comparison)."""
    if not header or not token:
        return False
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    return hmac.compare_digest(_digest(value.strip()), _digest(token))


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return f"{scope.get('root_path', '')}{path}" if isinstance(path, str) else UNMATCHED_ROUTE


class MetricsMiddleware:
    """Counts, times and gauges every HTTP request. The labelled children of each metric are looked up once per label
    set and kept (prometheus_client's `labels()` validates and locks on every call, which cost more than the counting
    itself: bench/instrumentation-python.ts), so a request costs an increment, an observation and the window."""

    def __init__(
        self, app: ASGIApp, metrics: ServiceMetrics, window: RequestWindow, spans: Optional[ServerSpans] = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.window = window
        #: The server spans, when tracing is on (server_span.py).
        self.spans = spans
        #: The in-flight gauge's child per raw method, for the contract's methods only (a client cannot grow it).
        self._in_flight: dict[Any, Any] = {}
        #: (method, route, status code) → the counter's and the histogram's children; each part is bounded.
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _in_flight_gauge(self, method: Any) -> Any:
        gauge = self._in_flight.get(method)
        if gauge is None:
            gauge = self.metrics.http_in_flight.labels(method=method_label(method))
            if method in HTTP_METHODS:
                self._in_flight[method] = gauge
        return gauge

    def _children(self, method: str, route: str, code: int) -> tuple[Any, Any]:
        key = (method, route, code)
        children = self._series.get(key)
        if children is None:
            labels = {"method": method, "route": route, "status_code": str(code)}
            children = (self.metrics.http_requests.labels(**labels), self.metrics.http_duration.labels(**labels))
            self._series[key] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        raw_method = scope.get("method")
        in_flight = self._in_flight_gauge(raw_method)
        in_flight.inc()
        status = 0
        finished = False
        spans = self.spans
        span = spans.start(scope, raw_method) if spans is not None else None
        error: Optional[BaseException] = None

        async def send_and_watch(message: Message) -> None:
            nonlocal status, finished
            kind = message["type"]
            if kind == "http.response.start":
                status = int(message["status"])
                if span is not None:
                    spans.response_headers(span[0], message.get("headers"))  # type: ignore[union-attr]
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                finished = True

        try:
            await self.app(scope, receive, send_and_watch)
        except Exception as raised:
            error = raised
            if not status:
                status = 500
            raise
        finally:
            in_flight.dec()
            code = status if status and (finished or status >= 500) else 499
            seconds = time.perf_counter() - started
            route = route_template(scope)
            if span is not None:
                spans.end(span, None if route == UNMATCHED_ROUTE else route, code, error)  # type: ignore[union-attr]
            requests, duration = self._children(method_label(raw_method), route, code)
            requests.inc()
            duration.observe(seconds)
            if route not in OUT_OF_WINDOW:
                self.window.record(seconds * 1000, code >= 500)


def _status_code(status: str) -> int:
    return int(CONTRACT["health"]["httpStatus"].get(status, 503))


def add_endpoints(app: Any, metrics: ServiceMetrics | None, metrics_token: str, health: HealthMonitor) -> None:
    """GET /health (always) and GET /metrics behind the bearer token (when metrics are on)."""
    async def health_endpoint(_request: Request) -> Response:
        report = health.report()
        return JSONResponse(report, status_code=_status_code(report["status"]))

    # add_api_route (not Starlette's add_route): FastAPI's routes put themselves on scope["route"], which the metrics
    # middleware reads for the route label.
    app.add_api_route(CONTRACT["health"]["path"], health_endpoint, methods=["GET"], include_in_schema=False)
    if metrics is None:
        return
    auth = CONTRACT["auth"]

    async def metrics_endpoint(request: Request) -> Response:
        if not bearer_matches(request.headers.get("authorization"), metrics_token):
            body = {"error": "unauthorized", "message": "metrics requires an Authorization: Bearer token"}
            return Response(
                json.dumps(body),
                status_code=auth["unauthorizedStatus"],
                media_type="application/json",
                headers={"www-authenticate": auth["wwwAuthenticate"]},
            )
        content_type, body_bytes = metrics.exposition()
        return Response(body_bytes, media_type=content_type.split(";")[0], headers={"content-type": content_type})

    app.add_api_route(auth["metrics"]["path"], metrics_endpoint, methods=["GET"], include_in_schema=False)
