"""/metrics, /health and the HTTP metrics over real requests through the ASGI app (httpx's ASGI transport), with the
app's lifespan run as a server would."""

from __future__ import annotations

import asyncio
import json

import httpx
import jsonschema
import pytest

from lookout_instrumentation import DependencyCheck, contract

from lookout_testing import TOKEN, build


async def _requests(service, calls):
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    async with service.app.router.lifespan_context(service.app):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.request(*call[:2], headers=call[2] if len(call) > 2 else None) for call in calls]


def run(service, *calls):
    return asyncio.run(_requests(service, list(calls)))


def samples(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")]


def test_metrics_need_the_token(service) -> None:
    for headers in ({}, {"authorization": "Bearer wrong-token-0123456789"}, {"authorization": TOKEN}):
        (answer,) = run(service, ("GET", "/metrics", headers))
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == contract["auth"]["wwwAuthenticate"]
        assert answer.json()["error"] == "unauthorized"
        assert "http_requests_total" not in answer.text


def test_requests_are_labelled_by_route_template(service) -> None:
    *_, metrics = run(
        service,
        ("GET", "/orders/A-1001?card=4111111111111111"),
        ("GET", "/no/such/thing"),
        ("GET", "/boom"),
        ("GET", "/metrics", {"authorization": f"Bearer {TOKEN}"}),
    )
    text = metrics.text
    assert 'http_requests_total{method="GET",route="/orders/{order_id}",status_code="200"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status_code="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/boom",status_code="500"} 1.0' in text
    assert "A-1001" not in text and "4111" not in text
    assert not [line for line in text.splitlines() if "_created" in line]
    for spec in contract["metrics"]:
        assert f"# TYPE {spec['name']} {spec['type']}" in text


def test_health_reports_the_contract_shape_and_503_when_a_critical_dependency_fails() -> None:
    service = build()

    async def fails() -> None:
        raise ConnectionError("refused")

    async def answers() -> None:
        return None

    service.inst.health.add(DependencyCheck(name="database", check=answers))
    service.inst.health.add(DependencyCheck(name="relaycore", check=fails, critical=False))
    (degraded,) = run(service, ("GET", "/health"))
    jsonschema.validate(degraded.json(), contract["health"]["schema"])
    assert degraded.status_code == 200 and degraded.json()["status"] == "degraded"
    service = build()
    service.inst.health.add(DependencyCheck(name="database", check=fails))
    (unhealthy,) = run(service, ("GET", "/health"))
    assert unhealthy.status_code == 503
    assert unhealthy.json()["dependencies"]["database"]["status"] == "unhealthy"


def test_server_spans_keep_query_parameter_names_only_and_logs_carry_the_trace(service) -> None:
    run(service, ("GET", "/orders/7?email=alice%40example.com&page=2"), ("GET", "/health"), ("GET", "/metrics"))
    spans = service.spans.get_finished_spans()
    assert [s.name for s in spans] == ["GET /orders/{order_id}"]  # no receive/send spans, /health and /metrics untraced
    attributes = dict(spans[0].attributes or {})
    assert attributes["url.query"] == "email=REDACTED&page=REDACTED"
    assert "alice" not in json.dumps(attributes)
    # The stable HTTP conventions: the gateway's span metrics group by http.response.status_code.
    assert attributes["http.response.status_code"] == 200
    assert "http.status_code" not in attributes and "http.url" not in attributes
    line = next(json.loads(l) for l in service.logs.getvalue().splitlines() if "order read" in l)
    assert line["trace_id"] == format(spans[0].context.trace_id, "032x")
    assert line["level"] == 30 and line["name"] == "orders" and line["order"] == "7"


def test_instrumentation_off_serves_health_but_no_metrics() -> None:
    service = build({"LOOKOUT_INSTRUMENTATION": "off"})
    health, metrics = run(service, ("GET", "/health"), ("GET", "/metrics", {"authorization": f"Bearer {TOKEN}"}))
    assert health.status_code == 200
    assert metrics.status_code == 404


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LOOKOUT_METRICS_TOKEN": "short"}, "LOOKOUT_METRICS_TOKEN"),
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "carrier-pigeon"}, "OTEL_EXPORTER_OTLP_PROTOCOL"),
        ({"OTEL_TRACES_SAMPLER": "sometimes"}, "OTEL_TRACES_SAMPLER"),
        ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"}, "OTEL_TRACES_SAMPLER_ARG"),
        ({"OTEL_SDK_DISABLED": "yes"}, "OTEL_SDK_DISABLED"),
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"),
        ({"OTEL_EXPORTER_OTLP_HEADERS": "Authorization"}, "OTEL_EXPORTER_OTLP_HEADERS"),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(env, named) -> None:
    from lookout_instrumentation import InstrumentationConfigError

    with pytest.raises(InstrumentationConfigError, match=named):
        build(env)
