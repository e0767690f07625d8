"""The one call: `instrument(app)` gives a FastAPI service tracing to the gateway, the contract metrics on
/metrics (behind LOOKOUT_METRICS_TOKEN), /health from background dependency checks, JSON logs with trace ids and the
AI-call recorder, configured by the environment (docs/instrumentation.md lists the variables) with keyword
overrides. The app's own lifespan runs first (it opens pools and adds checks); the health monitor starts after it,
and on shutdown the monitor stops and the spans are flushed."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Mapping, Optional, TextIO

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import Span

from .ai import AiCall, UserIdHasher, record_ai_call
from .config import Settings, read_settings
from .health import DependencyCheck, HealthMonitor
from .http import MetricsMiddleware, add_endpoints
from .logs import configure_logging
from .metrics import ServiceMetrics
from .window import RequestWindow


@dataclass
class Instrumentation:
    #: False when LOOKOUT_INSTRUMENTATION=off: no tracing, no HTTP or AI metrics (the benchmark's baseline).
    enabled: bool
    service_name: str
    version: str
    settings: Settings
    metrics: ServiceMetrics
    window: RequestWindow
    health: HealthMonitor
    logger: logging.Logger
    users: UserIdHasher
    tracer_provider: Optional[TracerProvider]

    def record_ai_call(self, call: AiCall, span: Optional[Span] = None) -> None:
        """Records one AI call on the current span (or span) and in the metrics."""
        if self.enabled:
            record_ai_call(self.metrics, self.users, call, span)

    def add_check(self, check: DependencyCheck) -> None:
        self.health.add(check)

    def shutdown(self) -> None:
        """Flushes spans and stops tracing (also done when the app shuts down)."""
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush(5_000)
            self.tracer_provider.shutdown()
            self.tracer_provider = None


def instrument(
    app: Any,
    *,
    service_name: str,
    version: str = "0.1.0",
    env: Optional[Mapping[str, str]] = None,
    metrics_token: Optional[str] = None,
    otlp_endpoint: Optional[str] = None,
    span_exporter: Optional[SpanExporter] = None,
    log_stream: Optional[TextIO] = None,
) -> Instrumentation:
    settings = read_settings(env if env is not None else os.environ, service_name, version, metrics_token, otlp_endpoint)
    logger = configure_logging(settings.service_name, settings.log_level, log_stream, with_trace=settings.enabled)
    users = UserIdHasher(settings.user_id_hash_key)
    if users.random_key:
        logger.warning(
            "LOOKOUT_USER_ID_HASH_KEY is not set: user ids are hashed with a random key, different in each process"
        )
    metrics = ServiceMetrics()
    window = RequestWindow()
    health = HealthMonitor(version, window)
    provider = None
    spans = None
    if settings.tracing:
        from .server_span import ServerSpans
        from .tracing import start_tracing

        provider = start_tracing(app, settings, span_exporter)
        spans = ServerSpans(provider.get_tracer("lookout_instrumentation"))
    if settings.enabled:
        app.add_middleware(MetricsMiddleware, metrics=metrics, window=window, spans=spans)
    add_endpoints(app, metrics if settings.enabled else None, settings.metrics_token, health)
    instrumentation = Instrumentation(
        enabled=settings.enabled,
        service_name=settings.service_name,
        version=version,
        settings=settings,
        metrics=metrics,
        window=window,
        health=health,
        logger=logger,
        users=users,
        tracer_provider=provider,
    )
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with original(application) as state:
            await health.start()
            try:
                yield state
            finally:
                health.stop()
                instrumentation.shutdown()

    app.router.lifespan_context = lifespan
    return instrumentation
