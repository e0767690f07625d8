"""NeuroWeaver through the front door: uvicorn on a free port, the real PostgreSQL and Redis, every endpoint and
fault knob. Randomness is a seam: `chance` decides the next deployment outcome and the generation samples."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from demo_servers import Redis, Served
from demo_support import ADMIN, METRICS, eventually, metric
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lookout_demo.neuroweaver import create_app, settings_from_env
from lookout_demo.settings import load_secret_files


class Chance:
    """random() for the app: 0.5 unless told otherwise (0.5 never fails a deployment, whose gate is < 0.05)."""

    def __init__(self) -> None:
        self.next: list[float] = []

    def __call__(self) -> float:
        return self.next.pop(0) if self.next else 0.5


@pytest.fixture(scope="module")
def chance() -> Chance:
    return Chance()


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
def client(
    service_env: dict[str, str], redis_server: Redis, chance: Chance, spans: InMemorySpanExporter
) -> Iterator[httpx.Client]:
    env = {**service_env, "LOOKOUT_REDIS_URL": redis_server.url(3), "LOOKOUT_NEUROWEAVER_LATENCY_SCALE": "0.01"}
    load_secret_files(env)
    app = create_app(settings_from_env(env), random=chance)
    # This app's own provider: the process-wide one belongs to whichever app was instrumented first.
    provider = app.state.instrumentation.tracer_provider
    if provider is None:
        pytest.fail("instrument() made no tracer provider: is tracing off (LOOKOUT_TRACING, OTEL_SDK_DISABLED)?")
    provider.add_span_processor(SimpleSpanProcessor(spans))
    with Served(app) as served, httpx.Client(base_url=served.url, timeout=10) as http:
        yield http


@pytest.fixture(autouse=True)
def no_faults(client: httpx.Client) -> Iterator[None]:
    yield
    assert client.delete("/admin/faults", headers=ADMIN).status_code == 200


def deploy(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/v1/deployments", json={"model": "nw-llama-3-8b", **body})


def test_lists_the_models_it_serves_from_the_shared_catalogue(client: httpx.Client) -> None:
    answer = client.get("/v1/models")
    assert answer.status_code == 200
    assert answer.json() == {
        "models": [
            {"name": "nw-llama-3-8b", "capabilities": ["chat", "classify", "summarize"]},
            {"name": "nw-mixtral-8x7b", "capabilities": ["chat", "classify", "summarize", "extract"]},
            {"name": "nw-llama-3-70b", "capabilities": ["chat", "classify", "summarize", "extract"]},
        ]
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "hi"}, "body must have required property 'model'"),
        ({"model": "nw-llama-3-8b"}, "body must have required property 'prompt'"),
        ({"model": "nw-llama-3-8b", "prompt": "hi", "max_tokens": 0}, "body/max_tokens must be >= 1"),
        ({"model": "nw-llama-3-8b", "prompt": "hi", "max_tokens": 9000}, "body/max_tokens must be <= 8192"),
        ({"model": "nw-llama-3-8b", "prompt": "hi", "max_tokens": 1.5}, "body/max_tokens must be integer"),
        ({"model": "nw-llama-3-8b", "prompt": "hi", "deployment": "x"}, 'body/deployment must match format "uuid"'),
        ({"model": "m" * 101, "prompt": "hi"}, "body/model must NOT have more than 100 characters"),
        ([1, 2], "body must be object"),
    ],
)
def test_refuses_a_malformed_inference_request(client: httpx.Client, body: object, message: str) -> None:
    answer = client.post("/v1/inference", json=body)
    assert (answer.status_code, answer.json()) == (400, {"error": "bad_request", "message": message})


def test_refuses_bodies_fastify_refused(client: httpx.Client) -> None:
    bad_json = client.post("/v1/inference", content=b"{", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400
    assert bad_json.json()["message"] == "Body is not valid JSON but content-type is set to 'application/json'"
    assert client.post("/v1/inference", content=b"x", headers={"content-type": "image/png"}).status_code == 415
    too_large = {"model": "nw-llama-3-8b", "prompt": "x" * 300_000}
    assert client.post("/v1/inference", json=too_large).status_code == 413


def test_answers_an_inference_with_usage_latency_and_finish_reason(client: httpx.Client) -> None:
    answer = client.post("/v1/inference", json={"model": "nw-mixtral-8x7b", "prompt": "x" * 40, "max_tokens": "64"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["model"] == "nw-mixtral-8x7b"
    assert body["usage"]["input_tokens"] == 10  # 40 characters, ~4 per token
    assert 1 <= body["usage"]["output_tokens"] <= 64  # "64" coerced to an integer, as Fastify does
    assert body["finish_reason"] == ("length" if body["usage"]["output_tokens"] >= 64 else "stop")
    assert body["output"] == f"[nw-mixtral-8x7b] {body['usage']['output_tokens']} tokens of generated text"
    assert isinstance(body["latency_ms"], int)


def test_unknown_and_external_models_are_not_served(client: httpx.Client) -> None:
    for name in ("gpt-17", "external-large"):
        answer = client.post("/v1/inference", json={"model": name, "prompt": "hi"})
        assert (answer.status_code, answer.json()) == (404, {"error": "not_found", "message": "unknown model"})
        assert client.post("/v1/deployments", json={"model": name}).status_code == 404


def test_deploys_serves_on_the_pinned_deployment_and_removes_it(client: httpx.Client) -> None:
    created = deploy(client, replicas=2)
    assert created.status_code == 201
    deployment = created.json()
    assert deployment == {"id": deployment["id"], "model": "nw-llama-3-8b", "status": "success"}
    pinned = {"model": "nw-llama-3-8b", "prompt": "hi", "deployment": deployment["id"]}
    assert client.post("/v1/inference", json=pinned).json()["deployment"] == deployment["id"]
    # Unpinned, the model's newest deployment serves (cached in Redis).
    assert client.post("/v1/inference", json={"model": "nw-llama-3-8b", "prompt": "hi"}).json()["deployment"] == (
        deployment["id"]
    )
    listed = client.get("/v1/deployments").json()["deployments"]
    assert {"id": deployment["id"], "model": "nw-llama-3-8b", "replicas": 2, "status": "success"}.items() <= (
        listed[0].items()
    )
    assert listed[0]["created_at"].endswith("Z")
    removed = client.delete(f"/v1/deployments/{deployment['id']}")
    assert (removed.status_code, removed.json()) == (200, {**deployment, "status": "removed"})
    gone = client.post("/v1/inference", json=pinned)
    assert gone.status_code == 404
    assert gone.json()["message"] == "no serving deployment with that id for this model"
    assert client.post("/v1/inference", json={"model": "nw-llama-3-8b", "prompt": "hi"}).json()["deployment"] == (
        "shared-pool"
    )
    again = client.delete(f"/v1/deployments/{deployment['id']}")
    assert (again.status_code, again.json()["message"]) == (404, "no such deployment (or already removed)")
    assert client.delete("/v1/deployments/nope").json()["message"] == 'params/id must match format "uuid"'


def test_a_failed_rollout_is_recorded_and_counted(client: httpx.Client, chance: Chance) -> None:
    chance.next = [0.5, 0.01]  # the rollout's delay, then its readiness gate: failed
    failed = deploy(client)
    assert (failed.status_code, failed.json()["status"]) == (201, "failure")
    pinned = {"model": "nw-llama-3-8b", "prompt": "hi", "deployment": failed.json()["id"]}
    assert client.post("/v1/inference", json=pinned).status_code == 404
    assert metric(client, "model_deployments_total", model="nw-llama-3-8b", status="failure") == 1


def test_sets_the_gen_ai_attributes_on_the_server_span(client: httpx.Client, spans: InMemorySpanExporter) -> None:
    spans.clear()
    client.post("/v1/inference", json={"model": "nw-llama-3-8b", "prompt": "abcdefgh", "max_tokens": 5})
    finished = spans.get_finished_spans
    attributes = eventually(
        lambda: next((s.attributes for s in finished() if "gen_ai.request.model" in (s.attributes or {})), None),
        "the inference span",
        5,
    )
    assert attributes["gen_ai.operation.name"] == "text_completion"
    assert attributes["gen_ai.request.model"] == "nw-llama-3-8b"
    assert attributes["gen_ai.usage.input_tokens"] == 2
    assert 1 <= attributes["gen_ai.usage.output_tokens"] <= 5
    assert "neuroweaver.deployment.id" in attributes


def test_records_the_deployment_on_its_spans(client: httpx.Client, spans: InMemorySpanExporter, chance: Chance) -> None:
    # What the neuroweaver-deploy flow's trace assertions read (synthetics/flows/neuroweaver.ts).
    chance.next = [0.5, 0.01]  # a rollout that fails its readiness gate: still an HTTP 201
    failed = deploy(client).json()
    deployment = deploy(client).json()
    pinned = {"model": "nw-llama-3-8b", "prompt": "hi", "deployment": deployment["id"]}
    assert client.post("/v1/inference", json=pinned).status_code == 200
    finished = spans.get_finished_spans

    def attributes_of(route: str) -> list[dict[str, object]]:
        return [
            dict(s.attributes or {})
            for s in finished()
            if (s.attributes or {}).get("http.route") == route and "neuroweaver.deployment.id" in (s.attributes or {})
        ]

    rollouts = eventually(lambda: attributes_of("/v1/deployments") or None, "the deployment spans", 5)
    assert [(a["neuroweaver.deployment.id"], a["neuroweaver.deployment.status"]) for a in rollouts[-2:]] == [
        (failed["id"], "failure"),
        (deployment["id"], "success"),
    ]
    served = eventually(lambda: attributes_of("/v1/inference") or None, "the inference span", 5)
    assert served[-1]["neuroweaver.deployment.id"] == deployment["id"]


def test_runaway_cost_ignores_max_tokens(client: httpx.Client) -> None:
    request = {"model": "nw-llama-3-8b", "prompt": "hi", "max_tokens": 2}
    assert client.post("/admin/faults", json={"runawayCost": True}, headers=ADMIN).status_code == 200
    runaway = client.post("/v1/inference", json=request).json()
    assert runaway["usage"]["output_tokens"] > 2
    assert runaway["finish_reason"] == "length"
    client.delete("/admin/faults", headers=ADMIN)
    assert client.post("/v1/inference", json=request).json()["usage"]["output_tokens"] <= 2


def test_admin_faults_needs_the_token_and_valid_knobs(client: httpx.Client) -> None:
    refused = client.post("/admin/faults", json={"errorRate": 1})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="admin"'
    assert client.get("/admin/faults", headers=METRICS).status_code == 401
    for body, message in [
        ({"errorRate": 2}, "errorRate must be 0–1"),
        ({"meteor": True}, 'unknown fault "meteor"; known: latencyMs, errorRate, down, failDependency, '
         "primaryOutage, runawayCost"),
        ({"primaryOutage": True}, 'this service has no "primaryOutage" fault'),
        ({"failDependency": "relaycore"}, "failDependency must be null or one of database, redis"),
    ]:
        answer = client.post("/admin/faults", json=body, headers=ADMIN)
        assert (answer.status_code, answer.json()) == (400, {"error": "bad_request", "message": message})
    assert client.get("/admin/faults", headers=ADMIN).json()["errorRate"] == 0


def test_latency_and_error_rate_spare_health_metrics_and_admin(client: httpx.Client) -> None:
    client.post("/admin/faults", json={"latencyMs": 300}, headers=ADMIN)
    started = time.monotonic()
    assert client.get("/v1/models").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.get("/health")
    assert time.monotonic() - started < 0.3
    client.post("/admin/faults", json={"latencyMs": 0, "errorRate": 1}, headers=ADMIN)
    for _ in range(3):
        answer = client.get("/v1/models")
        assert (answer.status_code, answer.json()) == (500, {"error": "internal", "message": "injected fault"})
    assert client.get("/health").status_code == 200
    assert client.get("/metrics", headers=METRICS).status_code == 200
    # Counted like real errors, under the route's template (the gate sits inside the metrics middleware).
    injected = metric(client, "http_requests_total", method="GET", route="/v1/models", status_code="500")
    assert injected is not None and injected >= 3


def test_down_holds_every_request_until_reset_then_drops_it(client: httpx.Client) -> None:
    client.post("/admin/faults", json={"down": True}, headers=ADMIN)
    for path in ("/v1/models", "/health", "/metrics", "/no/such/path"):
        with pytest.raises(httpx.ReadTimeout):
            client.get(path, timeout=0.5)
    outcome: list[object] = []
    held = threading.Thread(target=lambda: outcome.append(_attempt(client.base_url.join("/v1/models"))))
    held.start()
    time.sleep(0.3)
    assert client.delete("/admin/faults", headers=ADMIN).status_code == 200
    held.join(timeout=5)
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.RemoteProtocolError)  # closed, not answered late
    assert client.get("/v1/models").status_code == 200


def _attempt(url: httpx.URL) -> object:
    try:
        return httpx.get(url, timeout=10).status_code
    except httpx.HTTPError as error:
        return error


@pytest.mark.parametrize("dependency", ["database", "redis"])
def test_fail_dependency_fails_its_calls_and_health(client: httpx.Client, dependency: str) -> None:
    assert eventually(lambda: client.get("/health").status_code == 200, "healthy")
    client.post("/admin/faults", json={"failDependency": dependency}, headers=ADMIN)
    failed = client.post("/v1/inference", json={"model": "nw-llama-3-8b", "prompt": "hi"})
    assert (failed.status_code, failed.json()) == (500, {"error": "internal", "message": "internal error"})
    health = eventually(lambda: (a := client.get("/health")).status_code == 503 and a.json(), f"{dependency} down")
    assert health["status"] == "unhealthy"
    assert health["dependencies"][dependency]["status"] == "unhealthy"
    client.delete("/admin/faults", headers=ADMIN)
    assert eventually(lambda: client.get("/health").status_code == 200, "healthy again")


def test_an_unknown_route_gets_fastifys_404(client: httpx.Client) -> None:
    answer = client.get(f"/no/such/{uuid.uuid4()}?x=1")
    assert answer.status_code == 404
    assert answer.json()["error"] == "Not Found"
    assert answer.json()["message"].startswith("Route GET:/no/such/")
    assert client.put("/v1/models").status_code == 404
    assert json.loads(client.get("/v1/models").text)  # answers JSON


def test_a_seed_makes_latency_and_length_a_function_of_the_prompt(
    service_env: dict[str, str], redis_server: Redis
) -> None:
    env = {
        **service_env,
        "LOOKOUT_REDIS_URL": redis_server.url(3),
        "LOOKOUT_NEUROWEAVER_LATENCY_SCALE": "0.01",
        "LOOKOUT_NEUROWEAVER_SEED": "bench",
    }
    load_secret_files(env)
    settings = settings_from_env(env)
    assert settings.seed == "bench"
    with Served(create_app(settings)) as served, httpx.Client(base_url=served.url, timeout=10) as http:

        def answer(prompt: str) -> tuple[int, int]:
            body = http.post("/v1/inference", json={"model": "nw-llama-3-8b", "prompt": prompt}).json()
            return body["latency_ms"], body["usage"]["output_tokens"]

        firsts = [answer(f"ticket {i}") for i in range(8)]
        assert [answer(f"ticket {i}") for i in range(8)] == firsts
        assert len(set(firsts)) > 1  # still drawn, per prompt
