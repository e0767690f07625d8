"""Settings every demo service reads from its environment, once, at start (as demo/shared/settings.ts does)."""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

VERSION = "0.1.0"

#: Tokens a demo service may read from the file named by ``<NAME>_FILE`` (compose mounts its secrets as files).
FILE_SECRETS = ("LOOKOUT_ADMIN_TOKEN", "LOOKOUT_METRICS_TOKEN", "LOOKOUT_OTLP_TOKEN")


class ConfigError(Exception):
    """A setting is missing or malformed; the service refuses to start, naming the variable."""

    code = "LOOKOUT_ERR_CONFIG"


@dataclass(frozen=True)
class DemoSettings:
    host: str
    port: int
    admin_token: str
    #: PostgreSQL URL of the maintenance database; each service creates and uses its own database beside it.
    postgres_url: str
    redis_url: str
    version: str = VERSION


def _required(env: Mapping[str, str], name: str, min_length: int = 1) -> str:
    value = env.get(name, "")
    if len(value) < min_length:
        detail = f" (at least {min_length} characters)" if min_length > 1 else ""
        raise ConfigError(f"{name} must be set{detail}")
    return value


def port_from(env: Mapping[str, str], name: str, fallback: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return fallback
    try:
        port = int(raw.strip())
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigError(f"{name}={json.dumps(raw)} is not a port")
    return port


def _secret_file(env: Mapping[str, str], variable: str) -> str | None:
    path = env.get(variable)
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as file:
            value = file.read().strip()
    except OSError as error:
        raise ConfigError(f"{variable}={path}: {error.strerror or error}") from error
    if value == "":
        raise ConfigError(f"{variable}={path}: the file is empty")
    return value


def load_secret_files(env: MutableMapping[str, str]) -> None:
    """Fills each unset FILE_SECRETS variable from the file its ``_FILE`` variable names.

    Secrets need not pass through the environment (where ``docker inspect`` shows them). Call before instrument(),
    which reads the metrics and OTLP tokens from the environment.
    """
    for name in FILE_SECRETS:
        if not env.get(name):
            value = _secret_file(env, f"{name}_FILE")
            if value is not None:
                env[name] = value


def _with_password_file(env: Mapping[str, str], url_variable: str, password_file_variable: str) -> str:
    raw = _required(env, url_variable)
    password = _secret_file(env, password_file_variable)
    if password is None:
        return raw
    parts = urlsplit(raw)
    if not parts.scheme or not parts.netloc:
        raise ConfigError(f"{url_variable} is not a URL")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    username = userinfo.split(":", 1)[0]
    # Percent-encoded, as the URL password setter does in Node; asyncpg and redis-py decode it.
    netloc = f"{username}:{quote(password, safe='')}@{hostport}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def demo_settings(env: Mapping[str, str], port_variable: str, default_port: int) -> DemoSettings:
    return DemoSettings(
        host=env.get("LOOKOUT_DEMO_HOST", "127.0.0.1"),
        port=port_from(env, port_variable, default_port),
        admin_token=_required(env, "LOOKOUT_ADMIN_TOKEN", 16),
        postgres_url=_with_password_file(env, "LOOKOUT_POSTGRES_URL", "LOOKOUT_POSTGRES_PASSWORD_FILE"),
        redis_url=_with_password_file(env, "LOOKOUT_REDIS_URL", "LOOKOUT_REDIS_PASSWORD_FILE"),
    )


def upstream_url(env: Mapping[str, str], name: str) -> str:
    """An upstream service's base URL, without a trailing slash."""
    return _required(env, name).rstrip("/")


def number_from(env: Mapping[str, str], name: str, fallback: float) -> float:
    """A numeric setting such as a latency scale or a timeout; a value that is not a number ≥ 0 stops the start."""
    raw = env.get(name)
    if raw is None or raw == "":
        return fallback
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ConfigError(f"{name}={json.dumps(raw)} is not a number ≥ 0")
    return value
