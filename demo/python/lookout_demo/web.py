"""What both services' FastAPI apps share: JSON answers as the Node services wrote them, the error policy, 404s.

Handlers return ``reply(status, body)``; errors raised in a handler are answered by the app's error policy inside the
route (so the instrumentation's middleware sees and counts the answer, as a Fastify error handler's), and a request no
route takes gets Fastify's 404 body. Nothing here logs a request: only an error's class and message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from .validation import BadRequest

INTERNAL = {"error": "internal", "message": "internal error"}


def _js_value(value: Any) -> Any:
    """value as JSON.stringify would write it: integral doubles without ".0", dates as toISOString(), uuids as text."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _js_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_js_value(v) for v in value]
    if hasattr(value, "items"):  # asyncpg.Record
        return {str(k): _js_value(v) for k, v in value.items()}
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def js_json(value: Any) -> str:
    return json.dumps(_js_value(value), ensure_ascii=False, separators=(",", ":"))


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer, or an empty one (204) when body is None."""
    if body is None:
        return Response(status_code=status, headers=headers)
    return Response(js_json(body), status, headers, media_type="application/json; charset=utf-8")


ErrorPolicy = Callable[[Exception], Response]


def error_policy(logger: Any, unavailable: tuple[type[Exception], ...] = ()) -> ErrorPolicy:
    """Answers for errors raised in a handler: 4xx for BadRequest, 503 for the unavailable types, else 500.

    Only the error's class and message are logged, never the request, which may hold user data.
    """

    def answer(error: Exception) -> Response:
        if isinstance(error, BadRequest):
            return reply(error.status, {"error": "bad_request", "message": error.message})
        logger.error("request failed", extra={"err": {"type": type(error).__name__, "message": str(error)}})
        return reply(503 if isinstance(error, unavailable) else 500, INTERNAL)

    return answer


def routes_answering_errors(policy: ErrorPolicy) -> type[APIRoute]:
    """A route class whose handler's errors are answered by policy (FastAPI's generic Exception handler would run
    outside every middleware, where the instrumentation could not count the 500)."""

    class ErrorAnsweringRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def answered(request: Request) -> Response:
                try:
                    return await handler(request)
                except Exception as error:  # the policy decides; nothing escapes as a bare 500
                    return policy(error)

            return answered

    return ErrorAnsweringRoute


async def _not_found(request: Request, error: Exception) -> Response:
    if isinstance(error, StarletteHTTPException) and error.status_code not in (404, 405):
        return reply(error.status_code, {"error": "bad_request", "message": str(error.detail)})
    # Fastify's answer for a path or method no route takes (a known path with another method included).
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = {"message": f"Route {request.method}:{target} not found", "error": "Not Found", "statusCode": 404}
    return reply(404, body)


def install_not_found(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _not_found)
