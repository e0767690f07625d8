"""Helpers the demo's tests share (a module of its own: `conftest` is ambiguous when npm test runs this suite and
instrumentation-py's in one pytest process)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from demo_servers import PASSWORD

ADMIN_TOKEN = "admin-token-0123456789"
METRICS_TOKEN = "metrics-token-0123456789"
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}
METRICS = {"authorization": f"Bearer {METRICS_TOKEN}"}


def secret_files(directory: Path) -> dict[str, str]:
    """The password and token variables as compose gives them: each secret in its own file."""
    files = {
        "LOOKOUT_POSTGRES_PASSWORD_FILE": PASSWORD,
        "LOOKOUT_REDIS_PASSWORD_FILE": PASSWORD,
        "LOOKOUT_ADMIN_TOKEN_FILE": ADMIN_TOKEN,
    }
    env = {}
    for variable, value in files.items():
        path = directory / variable.lower()
        path.write_text(f"{value}\n")
        env[variable] = str(path)
    return env


def eventually(probe: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """probe()'s first truthy value, polled until timeout (the health monitor checks in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def metric(client: httpx.Client, name: str, **labels: str) -> float | None:
    """The value of the sample of metric name with exactly these labels (in any order), None when there is none."""
    text = client.get("/metrics", headers=METRICS).text
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        found, _, label_text = sample.partition("{")
        if found == name and dict(re.findall(r'(\w+)="([^"]*)"', label_text)) == labels:
            return float(value)
    return None

