"""Tracing for a FastAPI service: the OpenTelemetry SDK with OTLP (gRPC by default, http/protobuf on request) to the
gateway with the bearer token, W3C trace context, parent-based always-on unless OTEL_TRACES_SAMPLER says otherwise,
the server span from the metrics middleware (server_span.py), and the instrumentation of httpx, asyncpg and redis.
Privacy as in instrumentation/src/tracing.ts: no bodies; headers only from the contract's allowlist; query strings keep their
parameter names, never values; Redis commands by name only; SQL without parameters; database spans only inside a
trace (a background PING must not start one of its own)."""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import set_global_textmap
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from .config import Settings
from .otlp_encoding import SpanEncoder

_URL_KEYS = ("http.url", "url.full", "http.target")


def redacted_query(query: str) -> str:
    """`a=1&b=2` → `a=REDACTED&b=REDACTED`: which parameters were sent, never their values."""
    return "&".join(f"{name}=REDACTED" for name, _ in parse_qsl(query.lstrip("?"), keep_blank_values=True))


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=redacted_query(parts.query))) if parts.query else url


def _redact_span_urls(span: Any, query: str) -> None:
    if not query or not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in _URL_KEYS:
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, _redact_url(value))
    span.set_attribute("url.query", redacted_query(query))


class _ParentRequiredForClients(Sampler):
    """Drops a database or cache client span that would start a trace: such a span only means something inside a
    request (Node's instrumentations call this requireParentSpan). The asyncpg and redis instrumentations set their
    attributes after the span starts, so the sampler cannot see `db.system`: a root client span is taken for one of
    theirs unless it carries an HTTP method (httpx passes its attributes at the start)."""

    def __init__(self, inner: Sampler) -> None:
        self._inner = inner

    def should_sample(
        self,
        parent_context: Optional[Context],
        trace_id: int,
        name: str,
        kind: Optional[SpanKind] = None,
        attributes: Attributes = None,
        links: Optional[Sequence[Link]] = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind == SpanKind.CLIENT and not parent.is_valid:
            http = attributes and ("http.request.method" in attributes or "http.method" in attributes)
            if not http:
                return SamplingResult(Decision.DROP)
        return self._inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"ParentRequiredForClients{{{self._inner.get_description()}}}"


def sampler_for(name: str, ratio: float) -> Sampler:
    return {
        "always_on": ALWAYS_ON,
        "always_off": ALWAYS_OFF,
        "traceidratio": TraceIdRatioBased(ratio),
        "parentbased_always_on": ParentBased(ALWAYS_ON),
        "parentbased_always_off": ParentBased(ALWAYS_OFF),
        "parentbased_traceidratio": ParentBased(TraceIdRatioBased(ratio)),
    }[name]


def _otlp_exporter(settings: Settings) -> SpanExporter:
    """The SDK's OTLP span exporter for the protocol, writing its requests with otlp_encoding.SpanEncoder (the same
    bytes as the SDK's encoder, for a fraction of its CPU)."""
    headers = dict(settings.otlp_headers)
    encoder = SpanEncoder()
    if settings.otlp_protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http import trace_exporter as http

        # The HTTP exporter calls its module's encode_spans(spans).SerializePartialToString() inline; the bytes it
        # gets are the same whichever exporter of the process asks.
        http.encode_spans = lambda spans: _Encoded(encoder.encode(spans))  # type: ignore[assignment]
        return http.OTLPSpanExporter(endpoint=f"{settings.otlp_endpoint.rstrip('/')}/v1/traces", headers=headers)
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

    class Exporter(GrpcExporter):
        def _translate_data(self, data: Sequence[ReadableSpan]) -> Any:
            return encoder.request(data)

    endpoint = settings.otlp_endpoint
    insecure = endpoint.startswith("http://")
    return Exporter(endpoint=endpoint, insecure=insecure, headers=tuple(headers.items()))


class _Encoded:
    """An encoded request where the HTTP exporter expects a message to serialise."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def SerializePartialToString(self) -> bytes:  # noqa: N802 — the protobuf method's name
        return self._data


def start_tracing(app: Any, settings: Settings, span_exporter: Optional[SpanExporter] = None) -> TracerProvider:
    attributes: dict[str, Any] = dict(settings.resource_attributes)
    attributes["service.name"] = settings.service_name
    attributes.setdefault("service.version", settings.version)
    provider = TracerProvider(
        resource=Resource.create(attributes),
        sampler=_ParentRequiredForClients(sampler_for(settings.sampler, settings.sampler_ratio)),
    )
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    elif settings.traces_exporter == "otlp":
        # Larger batches than the SDK's 512 / 2,048 unless OTEL_BSP_* say otherwise (fewer exports, nothing dropped
        # in bursts), as the Node library does; the delay comes from OTEL_BSP_SCHEDULE_DELAY.
        provider.add_span_processor(
            BatchSpanProcessor(
                _otlp_exporter(settings),
                max_queue_size=settings.bsp_max_queue_size,
                max_export_batch_size=settings.bsp_max_export_batch_size,
            )
        )
    trace.set_tracer_provider(provider)
    set_global_textmap(TraceContextTextMapPropagator())
    _instrument_libraries(app, provider)
    return provider


def _instrument_libraries(app: Any, provider: TracerProvider) -> None:
    # The stable HTTP conventions unless the service chose, for the httpx client spans as for the server spans
    # (server_span.py): `http.response.status_code` is the gateway's span-metrics dimension
    # (otel-collector/gateway.yaml) and what the Node library sends. Read once, by the first instrumentation to start.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    # The server span is the metrics middleware's (server_span.py). FastAPI's own telemetry (FastAPI(telemetry=…),
    # in releases that have it) would make a second one, and spans for dependencies, endpoint and serialisation, from
    # the global provider this sets: off, as it was while OpenTelemetry's FastAPI middleware was in the stack.
    native = getattr(app, "_telemetry", None)
    if isinstance(native, dict):
        native.update(tracing=False, metrics=False, logs=False, operation_spans=False)
    try:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        def client_request_hook(span: Any, request: Any) -> None:
            _redact_span_urls(span, urlsplit(str(getattr(request, "url", ""))).query)

        HTTPXClientInstrumentor().instrument(
            tracer_provider=provider, request_hook=client_request_hook, async_request_hook=_async(client_request_hook)
        )
    except ImportError:
        pass
    try:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor(capture_parameters=False).instrument(tracer_provider=provider)
        _untraced_pool_release()
    except ImportError:
        pass
    try:
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        def command_only(span: Any, _instance: Any, args: Any, _kwargs: Any) -> None:
            # The arguments are keys and values, i.e. user data: the statement is the command's name.
            if span.is_recording() and args:
                span.set_attribute("db.statement", str(args[0]))

        RedisInstrumentor().instrument(tracer_provider=provider, request_hook=command_only)
    except ImportError:
        pass


_release_wrapped = False


def _untraced_pool_release() -> None:
    """No span for the reset an asyncpg pool runs on every connection it takes back (`SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`, through the instrumented Connection.execute): it was
    one span in four of a request doing one query, bookkeeping like Node's `pg-pool.connect`, which
    instrumentation/src/tracing.ts leaves out too."""
    global _release_wrapped
    if _release_wrapped:
        return
    import wrapt
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    async def release(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
        with suppress_instrumentation():
            return await wrapped(*args, **kwargs)

    try:
        wrapt.wrap_function_wrapper("asyncpg.pool", "PoolConnectionHolder.release", release)
        _release_wrapped = True
    except (ImportError, AttributeError):  # another asyncpg layout: its resets stay traced
        pass


def _async(hook: Any) -> Any:
    async def run(span: Any, request: Any) -> None:
        hook(span, request)

    return run
