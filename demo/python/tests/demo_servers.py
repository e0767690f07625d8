"""Real servers for the tests: a throwaway PostgreSQL (initdb into a temp dir) and redis-server, each on a free port
and with a password, a fake RelayCore, and the app under test served by uvicorn on a free port.

A missing binary fails the test with the command that installs it: the tests never skip.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import uvicorn

PASSWORD = "pw with spaces/&:@"  # needs percent-encoding in a URL: the *_PASSWORD_FILE path has to encode it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout} s")


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def postgres_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    pytest.fail("PostgreSQL is needed (initdb, postgres): install it with `apt-get install postgresql`")


def redis_server_bin() -> str:
    found = shutil.which("redis-server")
    if not found:
        pytest.fail("redis-server is needed: install it with `apt-get install redis-server`")
    return found


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root (stack/components.ts does the same).
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    port: int
    base: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The maintenance database's URL without the password (given as a file, as compose does)."""
        return f"postgresql://lookout@127.0.0.1:{self.port}/postgres?sslmode=disable"

    @classmethod
    def start(cls) -> Postgres:
        binaries = postgres_bin()
        base = tempfile.mkdtemp(prefix="lookout-demo-pg-")
        os.chmod(base, 0o755)
        if os.geteuid() == 0:
            shutil.chown(base, "postgres", "postgres")
        pwfile = os.path.join(base, "pwfile")
        with open(pwfile, "w") as file:
            file.write(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        data = os.path.join(base, "data")
        init = [f"{binaries}/initdb", "-D", data, "-U", "lookout", "--auth=scram-sha-256", f"--pwfile={pwfile}"]
        result = subprocess.run(_as_postgres([*init, "-E", "UTF8", "--locale=C"]), capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"initdb failed: {result.stderr or result.stdout}")
        port = free_port()
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={base}", "-c", "fsync=off"]
        command = _as_postgres([f"{binaries}/postgres", "-D", data, "-p", str(port), *options])
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _accepts(port), "PostgreSQL")
        time.sleep(0.3)  # accepting before it finished recovery answers "the database system is starting up"
        return cls(port, base, process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @classmethod
    def start(cls) -> Redis:
        port = free_port()
        command = [redis_server_bin(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen([*command, "--requirepass", PASSWORD], stdout=subprocess.DEVNULL)
        wait_for(lambda: _accepts(port), "redis-server")
        return cls(port, process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class FakeRelayCore:
    """A test double for RelayCore (outside this package's scope): POST /v1/completions answers a fixed completion,
    or `status` with no completion; GET /health answers `health`. Records each completion request's JSON body."""

    status: int = 200
    health: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeRelayCore:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer(double.health, {"status": "healthy" if double.health == 200 else "unhealthy"})

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["content-length"])))
                double.requests.append(request)
                if double.status != 200:
                    self._answer(double.status, {"error": "upstream"})
                    return
                model = "nw-mixtral-8x7b" if request["task"] == "extract" else "nw-llama-3-8b"
                usage = {"input_tokens": 20, "output_tokens": 40}
                answer = {"model": model, "provider": "neuroweaver", "reason": "capability", "output": "done"}
                self._answer(200, {**answer, "finish_reason": "stop", "usage": usage, "cost_usd": 0.0000285})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Served:
    """An ASGI app served by uvicorn in a thread on a free port, as main() serves it (no signal handlers here)."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on")
        config.timeout_graceful_shutdown = 5
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        wait_for(lambda: self.server.started or not self.thread.is_alive(), "the app")
        if not self.server.started:
            raise RuntimeError("the app did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
