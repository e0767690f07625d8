"""Fixtures: one PostgreSQL and one Redis for the whole run, the services' environment with secrets in files."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from demo_servers import Postgres, Redis
from demo_support import METRICS_TOKEN, secret_files


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = Postgres.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    server = Redis.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def instrumentation_env() -> Iterator[None]:
    """What instrument() reads: the metrics token, and no span export (spans are still made; no collector here).

    Restored afterwards: npm test runs other suites in the same process."""
    wanted = {
        "LOOKOUT_METRICS_TOKEN": METRICS_TOKEN,
        "OTEL_TRACES_EXPORTER": "none",
        "LOOKOUT_USER_ID_HASH_KEY": "test-user-id-hash-key-0123456789abcdef",
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def service_env(postgres: Postgres, redis_server: Redis, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for demo_settings(): URLs without passwords, every secret from a file."""
    env = secret_files(tmp_path_factory.mktemp("secrets"))
    env.update({"LOOKOUT_POSTGRES_URL": postgres.url, "LOOKOUT_ADMIN_TOKEN": ""})
    return env
