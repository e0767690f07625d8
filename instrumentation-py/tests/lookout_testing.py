"""Shared by the tests (a module with its own name: pytest runs these tests beside demo/python/tests): a FastAPI app instrumented with an in-memory span exporter and a captured log stream."""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lookout_instrumentation import Instrumentation, instrument

TOKEN = "test-metrics-token-0123456789"
KEY = "k" * 32


class Service:
    def __init__(self, app: FastAPI, inst: Instrumentation, spans: InMemorySpanExporter, logs: io.StringIO) -> None:
        self.app, self.inst, self.spans, self.logs = app, inst, spans, logs


def build(env: dict[str, str] | None = None) -> Service:
    app = FastAPI()
    spans = InMemorySpanExporter()
    logs = io.StringIO()
    base = {"LOOKOUT_METRICS_TOKEN": TOKEN, "LOOKOUT_USER_ID_HASH_KEY": KEY, "OTEL_TRACES_EXPORTER": "none"}
    inst = instrument(app, service_name="orders", env={**base, **(env or {})}, span_exporter=spans, log_stream=logs)

    @app.get("/orders/{order_id}")
    async def order(order_id: str) -> dict[str, Any]:
        inst.logger.info("order read", extra={"order": order_id})
        return {"id": order_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("exploded")

    return Service(app, inst, spans, logs)
