"""Settings from the environment, secrets from files, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lookout_demo.settings import ConfigError, demo_settings, load_secret_files, number_from, upstream_url

BASE = {
    "LOOKOUT_ADMIN_TOKEN": "a" * 16,
    "LOOKOUT_POSTGRES_URL": "postgresql://lookout@db:5432/postgres?sslmode=disable",
    "LOOKOUT_REDIS_URL": "redis://redis:6379/3",
}


def test_defaults() -> None:
    settings = demo_settings(BASE, "LOOKOUT_PORT_NEUROWEAVER", 8003)
    assert (settings.host, settings.port, settings.version) == ("127.0.0.1", 8003, "0.1.0")
    assert settings.redis_url == "redis://redis:6379/3"
    assert demo_settings({**BASE, "LOOKOUT_PORT_NEUROWEAVER": "9"}, "LOOKOUT_PORT_NEUROWEAVER", 8003).port == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"LOOKOUT_ADMIN_TOKEN": "short"}, "LOOKOUT_ADMIN_TOKEN must be set (at least 16 characters)"),
        ({"LOOKOUT_POSTGRES_URL": ""}, "LOOKOUT_POSTGRES_URL must be set"),
        ({"LOOKOUT_PORT_X": "70000"}, 'LOOKOUT_PORT_X="70000" is not a port'),
        ({"LOOKOUT_PORT_X": "http"}, 'LOOKOUT_PORT_X="http" is not a port'),
    ],
)
def test_refuses_bad_settings_naming_the_variable(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        demo_settings({**BASE, **change}, "LOOKOUT_PORT_X", 1)
    assert str(raised.value) == message
    assert raised.value.code == "LOOKOUT_ERR_CONFIG"


def test_passwords_from_files_are_put_into_the_urls_encoded(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("p@ss word/:\n")
    env = {**BASE, "LOOKOUT_POSTGRES_PASSWORD_FILE": str(secret), "LOOKOUT_REDIS_PASSWORD_FILE": str(secret)}
    settings = demo_settings(env, "P", 1)
    assert settings.postgres_url == "postgresql://lookout:p%40ss%20word%2F%3A@db:5432/postgres?sslmode=disable"
    assert settings.redis_url == "redis://:p%40ss%20word%2F%3A@redis:6379/3"


def test_tokens_from_files_fill_unset_variables_only(tmp_path: Path) -> None:
    (tmp_path / "admin").write_text("from-file-0123456789\n")
    (tmp_path / "metrics").write_text("metrics-from-file\n")
    env = {
        "LOOKOUT_ADMIN_TOKEN_FILE": str(tmp_path / "admin"),
        "LOOKOUT_METRICS_TOKEN": "already-set-0123456789",
        "LOOKOUT_METRICS_TOKEN_FILE": str(tmp_path / "metrics"),
    }
    load_secret_files(env)
    assert env["LOOKOUT_ADMIN_TOKEN"] == "from-file-0123456789"
    assert env["LOOKOUT_METRICS_TOKEN"] == "already-set-0123456789"
    assert "LOOKOUT_OTLP_TOKEN" not in env


def test_a_missing_or_empty_secret_file_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^LOOKOUT_ADMIN_TOKEN_FILE=/nonexistent: No such file or directory$"):
        load_secret_files({"LOOKOUT_ADMIN_TOKEN_FILE": "/nonexistent"})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_secret_files({"LOOKOUT_OTLP_TOKEN_FILE": str(tmp_path / "empty")})


def test_upstream_urls_and_numbers() -> None:
    assert upstream_url({"U": "http://relaycore:8002//"}, "U") == "http://relaycore:8002"
    assert number_from({}, "N", 45_000) == 45_000
    assert number_from({"N": "0"}, "N", 1) == 0
    with pytest.raises(ConfigError, match='N="-1" is not a number ≥ 0'):
        number_from({"N": "-1"}, "N", 1)
