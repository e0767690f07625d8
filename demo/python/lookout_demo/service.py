"""The process side of a demo service (as demo/shared/main.ts): settings, the app, uvicorn, one line on failure.

A service module's ``main()`` is one call to run_service(). The socket is bound here, before uvicorn runs, so a port
in use fails the start with its own message; uvicorn then serves on it, handles SIGTERM and SIGINT (stop accepting,
finish requests in flight, run the lifespan's shutdown, which closes the pools) and returns.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, MutableMapping
from typing import NoReturn

import uvicorn
from fastapi import FastAPI

from .settings import DemoSettings, load_secret_files

#: Requests still held by the ``down`` fault must not keep a SIGTERM waiting for ever.
GRACEFUL_SHUTDOWN_S = 10


def _fail(service: str, error: BaseException | str) -> NoReturn:
    line: dict[str, object] = {"level": 60, "name": service}
    code = getattr(error, "code", None)
    if isinstance(code, str):
        line["code"] = code
    line["msg"] = f"failed to start: {error}"
    sys.stderr.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stderr.flush()
    sys.exit(1)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"listen {host}:{port}: {error.strerror or error}") from error
    sock.set_inheritable(True)
    return sock


def record_start_failure(app: FastAPI, error: BaseException) -> None:
    """Called by a lifespan whose startup failed, so that the process reports that error, not uvicorn's."""
    app.state.start_failure = error


class _QuietAfterStartFailure(logging.Filter):
    """Drops uvicorn's own report of a failed startup (a traceback and "Application startup failed"): the process
    reports it in one line instead."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__()
        self._app = app

    def filter(self, record: logging.LogRecord) -> bool:
        return not hasattr(self._app.state, "start_failure")


def run_service(
    service: str,
    build: Callable[[MutableMapping[str, str]], tuple[FastAPI, DemoSettings]],
    env: MutableMapping[str, str] = os.environ,
) -> None:
    try:
        load_secret_files(env)
        app, settings = build(env)
        sock = _bind(settings.host, settings.port)
    except Exception as error:
        _fail(service, error)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    server = uvicorn.Server(config)
    uvicorn_errors = logging.getLogger("uvicorn.error")
    quiet = _QuietAfterStartFailure(app)
    uvicorn_errors.addFilter(quiet)
    # uvicorn restores the handlers it found and re-raises the signal after its graceful stop; with these the
    # process then exits 0, as the Node services do, instead of dying by the signal.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda _signal, _frame: None)
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits 3 when the lifespan's startup failed: reported below, in one line
        pass
    finally:
        uvicorn_errors.removeFilter(quiet)
    if not server.started:
        _fail(service, getattr(app.state, "start_failure", None) or "the application did not start")
