"""The fault gate (a pure ASGI middleware) and ``/admin/faults`` for the FastAPI services (as demo/shared/http.ts).

The gate sits innermost, between the app's middleware and its router: the instrumentation's HTTP metrics and server
spans see injected latency and errors like real ones (as the Fastify hook after the metrics hook did), and ``down``
holds every request the router would take, /health and /metrics included. A held request is answered never: when the
fault is reset its connection is closed, without a byte written.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

from fastapi import FastAPI, Request
from lookout_instrumentation import bearer_matches
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import FaultInjector
from .validation import read_body
from .web import reply

INJECTED = {"error": "internal", "message": "injected fault"}
UNAUTHORIZED = {"error": "unauthorized", "message": "admin endpoints require an Authorization: Bearer token"}

#: The server's own ``send`` for the request being handled (middleware wraps it on the way in).
_server_send: contextvars.ContextVar[Send | None] = contextvars.ContextVar("lookout_demo_server_send", default=None)


class HeldRequestDropped(Exception):
    """Raised for a released request when the server gives no way to close its connection (not uvicorn)."""


class DemoApp(FastAPI):
    """A FastAPI app that keeps the server's ``send`` per request, so the fault gate can drop a held connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _server_send.set(send if scope["type"] == "http" else None)
        try:
            await super().__call__(scope, receive, send)
        finally:
            _server_send.reset(token)


def _drop_connection() -> None:
    """Closes the current request's connection without answering.

    ASGI has no message for that; uvicorn's ``send`` is a method of the request cycle, which holds the connection's
    transport. Once closed, uvicorn sees the client gone and writes nothing for the request.
    """
    cycle = getattr(_server_send.get(), "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise HeldRequestDropped("held request released: the connection is dropped")
    transport.close()


def _target(scope: Scope) -> str:
    """The request's path with its query string, as raw as Node's ``request.url``."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope["path"]
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class FaultGate:
    """Applies the service's faults to each HTTP request before the router handles it."""

    def __init__(self, app: ASGIApp, faults: FaultInjector, routes: list[Any]) -> None:
        self._app = app
        self._faults = faults
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        released = asyncio.Event()
        verdict = await self._faults.admit(_target(scope), released.set)
        if verdict == "continue":
            await self._app(scope, receive, send)
        elif verdict == "error":
            self._match_route(scope)
            await reply(500, INJECTED)(scope, receive, send)
        else:
            await self._hold(released, receive)

    def _match_route(self, scope: Scope) -> None:
        # The route the request was for, as routing would set it, so the injected 500 is counted under its template.
        for route in self._routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                return

    async def _hold(self, released: asyncio.Event, receive: Receive) -> None:
        waits = [asyncio.ensure_future(released.wait()), asyncio.ensure_future(_disconnected(receive))]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            self._faults.forget(released.set)
        if released.is_set():
            _drop_connection()


def install_faults(app: FastAPI, faults: FaultInjector, admin_token: str) -> None:
    """Puts the fault gate in front of app's router and adds GET/POST/DELETE /admin/faults behind the admin token."""
    router = app.router
    router.middleware_stack = FaultGate(router.middleware_stack, faults, router.routes)

    @app.api_route("/admin/faults", methods=["GET", "POST", "DELETE"], include_in_schema=False)
    async def admin_faults(request: Request) -> Any:
        body = await read_body(request)
        if not bearer_matches(request.headers.get("authorization"), admin_token):
            return reply(401, UNAUTHORIZED, {"www-authenticate": 'Bearer realm="admin"'})
        if request.method == "DELETE":
            faults.reset()
        elif request.method == "POST":
            problem = faults.update(body)
            if problem is not None:
                return reply(400, {"error": "bad_request", "message": problem})
        return reply(200, faults.state)
