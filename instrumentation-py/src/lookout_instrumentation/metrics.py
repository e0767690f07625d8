"""The Prometheus metrics every Lookout-instrumented service exposes, built from the contract
(instrumentation/contract.json) on a registry of the service's own, plus Python's process, platform and GC
collectors. Labels never hold user data; `route` is the route template, never the raw path.

`process_memory_usage{type}` has Node's four types; for CPython they are read from /proc/self/status: `rss` is the
resident set, `heap_total` the data segment (VmData: heap and anonymous mappings reserved), `heap_used` the anonymous
memory actually resident (RssAnon: what the allocator touched), `external` the resident file-backed memory (RssFile:
the interpreter, shared libraries and mapped files)."""

from __future__ import annotations

import time
from typing import Any, Iterable, Protocol

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from .contract import CONTRACT, metric_spec

# The contract's names are exactly what is exposed: no extra `*_created` series per counter and histogram.
prometheus_client.disable_created_metrics()

HTTP_METHODS = frozenset(m for m in CONTRACT["labelValues"]["method"] if m != "OTHER")


def method_label(method: str | None) -> str:
    """Bounded method label: anything unusual is OTHER (a client choosing methods must not create series)."""
    upper = (method or "").upper()
    return upper if upper in HTTP_METHODS else "OTHER"


class PoolLike(Protocol):
    def get_size(self) -> int: ...
    def get_idle_size(self) -> int: ...


def _proc_status() -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, rest = line.partition(":")
                parts = rest.split()
                if len(parts) == 2 and parts[1] == "kB":
                    values[key] = int(parts[0]) * 1024
    except OSError:
        pass
    return values


def _redis_connected(client: Any) -> bool:
    """Whether a redis-py (asyncio) client has a live connection: its pool's connections are checked."""
    pool = getattr(client, "connection_pool", None)
    connections = list(getattr(pool, "_available_connections", []) or []) + list(
        getattr(pool, "_in_use_connections", []) or []
    )
    return any(getattr(c, "is_connected", False) for c in connections)


class _ScrapeTimeGauges:
    """process_cpu_usage, process_memory_usage, database_connections_active and redis_connections_active, computed
    when scraped."""

    def __init__(self, pools: list[PoolLike], redis_clients: list[Any]) -> None:
        self._pools = pools
        self._redis = redis_clients
        self._last_cpu = time.process_time()
        self._last_at = time.monotonic()

    def _family(self, name: str) -> GaugeMetricFamily:
        spec = metric_spec(name)
        return GaugeMetricFamily(name, spec["help"], labels=spec["labels"] or None)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        cpu, at = time.process_time(), time.monotonic()
        elapsed, used = at - self._last_at, cpu - self._last_cpu
        self._last_cpu, self._last_at = cpu, at
        family = self._family("process_cpu_usage")
        family.add_metric([], round(used / elapsed, 4) if elapsed > 0 else 0.0)
        yield family
        status = _proc_status()
        memory = self._family("process_memory_usage")
        for label, key in (("rss", "VmRSS"), ("heap_used", "RssAnon"), ("heap_total", "VmData"), ("external", "RssFile")):
            memory.add_metric([label], float(status.get(key, 0)))
        yield memory
        database = self._family("database_connections_active")
        database.add_metric([], float(sum(max(0, p.get_size() - p.get_idle_size()) for p in self._pools)))
        yield database
        redis = self._family("redis_connections_active")
        redis.add_metric([], float(sum(1 for c in self._redis if _redis_connected(c))))
        yield redis

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []


class ServiceMetrics:
    def __init__(self, runtime_metrics: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self._pools: list[PoolLike] = []
        self._redis_clients: list[Any] = []
        kinds = {"counter": Counter, "gauge": Gauge, "histogram": Histogram}

        def make(name: str) -> Any:
            spec = metric_spec(name)
            kwargs: dict[str, Any] = {"registry": self.registry}
            if spec.get("buckets"):
                kwargs["buckets"] = spec["buckets"]
            return kinds[spec["type"]](name, spec["help"], spec["labels"], **kwargs)

        self.http_requests = make("http_requests_total")
        self.http_duration = make("http_request_duration_seconds")
        self.http_in_flight = make("http_requests_in_flight")
        self.ai_requests = make("ai_requests_total")
        self.ai_cost = make("ai_request_cost_dollars")
        self.ai_model_selections = make("ai_model_selection_total")
        self.ai_response_tokens = make("ai_response_tokens")
        self.ai_budget = make("ai_budget_dollars")
        self.ai_budget_spent = make("ai_budget_spent_dollars")
        self.workflow_executions = make("workflow_executions_total")
        self.model_deployments = make("model_deployments_total")
        self.user_sessions_active = make("user_sessions_active")
        self.registry.register(_ScrapeTimeGauges(self._pools, self._redis_clients))  # type: ignore[arg-type]
        if runtime_metrics:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    def track_database_pool(self, pool: PoolLike) -> None:
        """Counts this asyncpg pool's checked-out connections in database_connections_active."""
        self._pools.append(pool)

    def track_redis_client(self, client: Any) -> None:
        """Counts this redis client in redis_connections_active while it has a live connection."""
        self._redis_clients.append(client)

    def exposition(self) -> tuple[str, bytes]:
        return prometheus_client.CONTENT_TYPE_LATEST, generate_latest(self.registry)


__all__ = ["ServiceMetrics", "method_label", "PoolLike"]
