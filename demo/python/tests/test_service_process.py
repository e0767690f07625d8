"""`python -m lookout_demo.<service>` as the stack runs it: secrets from files, one JSON line when it cannot start,
a clean exit on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from demo_servers import FakeRelayCore, Postgres, Redis, free_port
from demo_support import METRICS, METRICS_TOKEN, eventually, secret_files


def process_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKOUT_")}
    # The same packages as this test run sees (instrumentation-py/src and demo/python).
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.update({"OTEL_TRACES_EXPORTER": "none", **extra})
    return env


def run(service: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", f"lookout_demo.{service}"]
    return subprocess.run(command, env=process_env(env), capture_output=True, text=True, timeout=timeout)


def failure_line(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 1, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def full_env(postgres: Postgres, redis_server: Redis, tmp_path: Path) -> dict[str, str]:
    env = secret_files(tmp_path)
    (tmp_path / "metrics").write_text(METRICS_TOKEN + "\n")
    env.update(
        {
            "LOOKOUT_METRICS_TOKEN_FILE": str(tmp_path / "metrics"),
            "LOOKOUT_POSTGRES_URL": postgres.url,
            "LOOKOUT_REDIS_URL": redis_server.url(5),
            "LOOKOUT_PORT_NEUROWEAVER": str(free_port()),
            "LOOKOUT_PORT_AUTOMATRIX": str(free_port()),
        }
    )
    return env


def test_a_bad_setting_fails_the_start_with_one_json_line(full_env: dict[str, str]) -> None:
    del full_env["LOOKOUT_ADMIN_TOKEN_FILE"]
    line = failure_line(run("neuroweaver", {**full_env, "LOOKOUT_ADMIN_TOKEN": "short"}))
    assert line == {
        "level": 60,
        "name": "neuroweaver",
        "code": "LOOKOUT_ERR_CONFIG",
        "msg": "failed to start: LOOKOUT_ADMIN_TOKEN must be set (at least 16 characters)",
    }
    line = failure_line(run("automatrix", {**full_env, "LOOKOUT_ADMIN_TOKEN": "x" * 16}))
    assert line["msg"] == "failed to start: LOOKOUT_RELAYCORE_URL must be set"


def test_an_unreachable_database_or_a_taken_port_fails_the_start(full_env: dict[str, str]) -> None:
    unreachable = f"postgresql://lookout@127.0.0.1:{free_port()}/postgres"
    line = failure_line(run("neuroweaver", {**full_env, "LOOKOUT_POSTGRES_URL": unreachable}))
    assert str(line["msg"]).startswith("failed to start: ")
    assert line["name"] == "neuroweaver"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = failure_line(run("neuroweaver", {**full_env, "LOOKOUT_PORT_NEUROWEAVER": str(port)}))
    assert str(line["msg"]).startswith(f"failed to start: listen 127.0.0.1:{port}: ")


@pytest.mark.parametrize("service", ["neuroweaver", "automatrix"])
def test_serves_with_secrets_from_files_and_stops_on_sigterm(service: str, full_env: dict[str, str]) -> None:
    relaycore = FakeRelayCore().start()
    full_env["LOOKOUT_RELAYCORE_URL"] = relaycore.url
    port = full_env[f"LOOKOUT_PORT_{service.upper()}"]
    command = [sys.executable, "-m", f"lookout_demo.{service}"]
    process = subprocess.Popen(command, env=process_env(full_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:

            def healthy() -> bool:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                try:
                    return client.get("/health").status_code == 200
                except httpx.TransportError:
                    return False

            eventually(healthy, f"{service} healthy", 60)
            assert client.get("/metrics", headers=METRICS).status_code == 200
            assert client.get("/metrics").status_code == 401
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        relaycore.stop()
