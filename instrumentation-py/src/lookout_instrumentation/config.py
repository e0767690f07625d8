"""Settings read once from the environment, as the OpenTelemetry SDK specification names them (`OTEL_*`) plus
Lookout's own (`LOOKOUT_*`). A value the library does not know stops the service at start with a message naming the
variable and the value, instead of the SDK's silent fall-back to its default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import unquote

from .contract import CONTRACT

SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
PROTOCOLS = ("grpc", "http/protobuf")


class InstrumentationConfigError(ValueError):
    code = "LOOKOUT_ERR_CONFIG"


@dataclass
class Settings:
    service_name: str
    version: str
    metrics_token: str
    enabled: bool = True
    tracing: bool = True
    traces_exporter: str = "otlp"
    otlp_protocol: str = "grpc"
    otlp_endpoint: str = "http://localhost:4317"
    otlp_headers: dict[str, str] = field(default_factory=dict)
    resource_attributes: dict[str, str] = field(default_factory=dict)
    sampler: str = "parentbased_always_on"
    sampler_ratio: float = 1.0
    user_id_hash_key: Optional[str] = None
    log_level: str = "info"
    bsp_max_queue_size: int = 16_384
    bsp_max_export_batch_size: int = 2_048


def _pairs(variable: str, raw: str) -> dict[str, str]:
    """`k=v,k2=v2` with percent-encoded values (W3C baggage format, as OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES)."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InstrumentationConfigError(f"{variable}: {item!r} is not key=value")
        pairs[key.strip()] = unquote(value.strip())
    return pairs


def _boolean(env: Mapping[str, str], variable: str) -> bool:
    raw = env.get(variable, "").strip().lower()
    if raw in ("", "false"):
        return False
    if raw == "true":
        return True
    raise InstrumentationConfigError(f"{variable}={env[variable]!r} is not true or false")


def _integer(env: Mapping[str, str], variable: str, default: int) -> int:
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise InstrumentationConfigError(f"{variable}={raw!r} is not a positive integer")
    return int(raw)


def read_settings(
    env: Mapping[str, str],
    service_name: str,
    version: str,
    metrics_token: Optional[str] = None,
    otlp_endpoint: Optional[str] = None,
) -> Settings:
    token_variable = CONTRACT["auth"]["metrics"]["tokenVariable"]
    minimum = CONTRACT["auth"]["metrics"]["minTokenLength"]
    token = metrics_token if metrics_token is not None else env.get(token_variable, "")
    # Security by default: without a token /metrics could not be protected, so refuse to start.
    if len(token) < minimum:
        raise InstrumentationConfigError(
            f"{token_variable} must be set (at least {minimum} characters) to protect /metrics"
        )
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "grpc"
    if protocol not in PROTOCOLS:
        raise InstrumentationConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: use one of {', '.join(PROTOCOLS)}")
    exporter = env.get("OTEL_TRACES_EXPORTER", "otlp").strip() or "otlp"
    if exporter not in ("otlp", "none"):
        raise InstrumentationConfigError(f"OTEL_TRACES_EXPORTER={exporter!r}: use otlp or none")
    sampler = env.get("OTEL_TRACES_SAMPLER", "").strip() or "parentbased_always_on"
    if sampler not in SAMPLERS:
        raise InstrumentationConfigError(f"OTEL_TRACES_SAMPLER={sampler!r}: use one of {', '.join(SAMPLERS)}")
    ratio = 1.0
    raw_ratio = env.get("OTEL_TRACES_SAMPLER_ARG", "").strip()
    if raw_ratio and sampler.endswith("traceidratio"):
        try:
            ratio = float(raw_ratio)
        except ValueError:
            ratio = -1.0
        if not 0.0 <= ratio <= 1.0:
            raise InstrumentationConfigError(f"OTEL_TRACES_SAMPLER_ARG={raw_ratio!r} is not a ratio between 0 and 1")
    headers = _pairs("OTEL_EXPORTER_OTLP_HEADERS", env.get("OTEL_EXPORTER_OTLP_HEADERS", ""))
    if not any(k.lower() == "authorization" for k in headers) and env.get("LOOKOUT_OTLP_TOKEN"):
        headers["authorization"] = f"Bearer {env['LOOKOUT_OTLP_TOKEN']}"
    headers = {k.lower(): v for k, v in headers.items()}  # gRPC metadata keys are lower case
    default_endpoint = "http://localhost:4318" if protocol == "http/protobuf" else "http://localhost:4317"
    enabled = env.get("LOOKOUT_INSTRUMENTATION", "").strip().lower() != "off"
    disabled = _boolean(env, "OTEL_SDK_DISABLED")
    return Settings(
        service_name=env.get("OTEL_SERVICE_NAME") or service_name,
        version=version,
        metrics_token=token,
        enabled=enabled,
        tracing=enabled and not disabled and env.get("LOOKOUT_TRACING", "").strip().lower() != "off",
        traces_exporter=exporter,
        otlp_protocol=protocol,
        otlp_endpoint=otlp_endpoint or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or default_endpoint,
        otlp_headers=headers,
        resource_attributes=_pairs("OTEL_RESOURCE_ATTRIBUTES", env.get("OTEL_RESOURCE_ATTRIBUTES", "")),
        sampler=sampler,
        sampler_ratio=ratio,
        user_id_hash_key=env.get(CONTRACT["aiSpan"]["userIdHash"]["keyVariable"]),
        log_level=env.get("LOG_LEVEL", "info"),
        bsp_max_queue_size=_integer(env, "OTEL_BSP_MAX_QUEUE_SIZE", 16_384),
        bsp_max_export_batch_size=_integer(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 2_048),
    )
