"""JSON log lines with the contract's fields (pino's names, so Node and Python logs read alike): `level` as a number,
`time` in milliseconds, `pid`, `hostname`, `name`, `msg`, the record's `extra` fields, and `trace_id`, `span_id`,
`trace_flags` on every line written inside a span. Keys that could hold user data (the contract's redactedKeys) are
censored, at the top and one level down, as a second line of defence: services never log bodies or headers."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from typing import Any, TextIO

from opentelemetry import trace

from .contract import CONTRACT

_LOGS = CONTRACT["logs"]
_REDACTED = frozenset(_LOGS["redactedKeys"])
_CENSOR = _LOGS["censor"]
_LEVELS = {logging.DEBUG: 20, logging.INFO: 30, logging.WARNING: 40, logging.ERROR: 50, logging.CRITICAL: 60}
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


def trace_fields() -> dict[str, str]:
    """The trace fields of the current span, or nothing outside a valid span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "trace_flags": format(int(context.trace_flags), "02x"),
    }


def _censor(value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict) and depth < 2:
        return {k: _CENSOR if k in _REDACTED else _censor(v, depth + 1) for k, v in value.items()}
    return value


class JsonFormatter(logging.Formatter):
    def __init__(self, service_name: str, with_trace: bool = True) -> None:
        super().__init__()
        self._service = service_name
        self._with_trace = with_trace
        self._static = {"pid": os.getpid(), "hostname": socket.gethostname()}

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": _LEVELS.get(record.levelno, 30),
            "time": int(record.created * 1000),
            **self._static,
            "name": self._service,
            "msg": record.getMessage(),
        }
        if record.name != self._service:
            line["logger"] = record.name
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line["err"] = {"type": type(error).__name__, "message": str(error)}
        if self._with_trace:
            line.update(trace_fields())
        return json.dumps(_censor(line), default=str, ensure_ascii=False)


def configure_logging(
    service_name: str, level: str | None = None, stream: TextIO | None = None, with_trace: bool = True
) -> logging.Logger:
    """The service's logger, and uvicorn's loggers through the same handler (its access log off: the HTTP metrics
    and traces say more, and an access line holds the query string)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service_name, with_trace))
    resolved = (level or "info").upper()
    logger = logging.getLogger(service_name)
    for target in (logger, logging.getLogger("uvicorn"), logging.getLogger("uvicorn.error")):
        target.handlers[:] = [handler]
        target.setLevel(resolved)
        target.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
    return logger
