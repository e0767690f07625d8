"""AutoMatrix through the front door: uvicorn on a free port, the real PostgreSQL and Redis, and a fake RelayCore
(a real HTTP server standing in for the Node service, which is outside this package)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from demo_servers import FakeRelayCore, Redis, Served
from demo_support import ADMIN, eventually, metric

from lookout_demo.automatrix import create_app, settings_from_env
from lookout_demo.settings import load_secret_files


class Clock:
    """time.time() for the app, which a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(scope="module")
def relaycore() -> Iterator[FakeRelayCore]:
    double = FakeRelayCore().start()
    yield double
    double.stop()


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def client(
    service_env: dict[str, str], redis_server: Redis, relaycore: FakeRelayCore, clock: Clock
) -> Iterator[httpx.Client]:
    env = {
        **service_env,
        "LOOKOUT_REDIS_URL": redis_server.url(1),
        "LOOKOUT_RELAYCORE_URL": relaycore.url + "/",
        "LOOKOUT_AUTOMATRIX_UPSTREAM_TIMEOUT_MS": "5000",
    }
    load_secret_files(env)
    with Served(create_app(settings_from_env(env), now=clock)) as served:
        with httpx.Client(base_url=served.url, timeout=10) as http:
            yield http


@pytest.fixture(autouse=True)
def no_faults(client: httpx.Client, relaycore: FakeRelayCore) -> Iterator[None]:
    yield
    relaycore.status, relaycore.health = 200, 200
    assert client.delete("/admin/faults", headers=ADMIN).status_code == 200


def create(client: httpx.Client, template: str = "invoice-processing") -> str:
    answer = client.post("/api/v1/workflows", json={"name": "test run", "template": template})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_creates_reads_lists_and_deletes_a_workflow(client: httpx.Client) -> None:
    answer = client.post("/api/v1/workflows", json={"name": "support", "template": "support-triage"})
    assert answer.status_code == 201
    workflow = answer.json()
    assert workflow["steps"] == [
        {"kind": "ai", "name": "classify", "task": "classify", "instruction": "Classify the ticket's urgency.",
         "priority": "latency"},
        {"kind": "transform", "name": "route-to-queue"},
    ]
    read = client.get(f"/api/v1/workflows/{workflow['id']}").json()
    assert {k: read[k] for k in ("id", "name", "template")} == {k: workflow[k] for k in ("id", "name", "template")}
    assert read["created_at"].endswith("Z")
    assert client.get("/api/v1/workflows").json()["workflows"][0]["id"] == workflow["id"]
    assert client.delete(f"/api/v1/workflows/{workflow['id']}").status_code == 204
    gone = client.get(f"/api/v1/workflows/{workflow['id']}")
    assert (gone.status_code, gone.json()) == (404, {"error": "not_found", "message": "no such workflow"})
    assert client.delete(f"/api/v1/workflows/{workflow['id']}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/v1/workflows", {"name": "x"}, "body must have required property 'template'"),
        ("/api/v1/workflows", {"name": "", "template": "report-digest"},
         "body/name must NOT have fewer than 1 characters"),
        ("/api/v1/workflows", {"name": "x", "template": "mine"},
         "body/template must be equal to one of the allowed values"),
        ("/api/v1/sessions", {"email": "a@example.com"}, "body must have required property 'password'"),
        ("/api/v1/sessions", {"email": {}, "password": "x"}, "body/email must be string"),
        (f"/api/v1/workflows/{uuid.uuid4()}/execute", {"input": 3}, "body/input must be object"),
        ("/api/v1/workflows/123/execute", {"input": {}}, 'params/id must match format "uuid"'),
    ],
)
def test_refuses_malformed_requests(client: httpx.Client, path: str, body: object, message: str) -> None:
    answer = client.post(path, json=body)
    assert (answer.status_code, answer.json()) == (400, {"error": "bad_request", "message": message})


def test_malformed_ids_are_refused_on_every_id_route(client: httpx.Client) -> None:
    for method, path in [("GET", "/api/v1/workflows/x"), ("DELETE", "/api/v1/workflows/x"),
                         ("GET", "/api/v1/executions/x"), ("DELETE", "/api/v1/sessions/x")]:
        answer = client.request(method, path)
        assert (answer.status_code, answer.json()["message"]) == (400, 'params/id must match format "uuid"')


def test_executes_a_workflow_through_relaycore_and_records_it(client: httpx.Client, relaycore: FakeRelayCore) -> None:
    workflow = create(client)
    session = client.post("/api/v1/sessions", json={"email": "ann@example.com", "password": "pw"}).json()
    relaycore.requests.clear()
    answer = client.post(
        f"/api/v1/workflows/{workflow}/execute", json={"input": {"vendor": "ACME"}},
        headers={"x-session-id": session["session_id"]},
    )
    assert answer.status_code == 200, answer.text
    run = answer.json()
    assert [s["step"] for s in run["steps"]] == ["extract-fields", "validate-totals", "summarize"]
    assert run["steps"][0] == {
        "step": "extract-fields", "status": "success", "model": "nw-mixtral-8x7b", "cost_usd": 0.0000285,
        "usage": {"input_tokens": 20, "output_tokens": 40}, "finish_reason": "stop", "output": "done",
    }
    assert run["steps"][1] == {"step": "validate-totals", "status": "success"}
    assert run["cost_usd"] == pytest.approx(0.000057)
    assert relaycore.requests[0] == {
        "prompt": 'Extract vendor, amount and due date.\n\n{"vendor":"ACME"}', "task": "extract", "max_tokens": 512,
        "workflow_id": workflow, "user_id": "ann@example.com",
    }
    recorded = client.get(f"/api/v1/executions/{run['execution_id']}").json()
    assert recorded["status"] == "success"
    assert recorded["workflow_id"] == workflow
    assert abs(recorded["cost_usd"] - run["cost_usd"]) < 1e-8
    assert isinstance(recorded["duration_ms"], int)
    assert metric(client, "workflow_executions_total", workflow="invoice-processing", status="success") == 1
    assert metric(client, "workflow_ai_cost_dollars_total", workflow="invoice-processing") == pytest.approx(
        run["cost_usd"]
    )
    missing = client.get(f"/api/v1/executions/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["message"]) == (404, "no such execution")
    assert client.post(f"/api/v1/workflows/{uuid.uuid4()}/execute", json={}).status_code == 404


def test_a_failing_step_ends_the_run_with_502(client: httpx.Client, relaycore: FakeRelayCore) -> None:
    workflow = create(client, "lead-enrichment")
    relaycore.status = 503
    answer = client.post(f"/api/v1/workflows/{workflow}/execute", json={"input": {}})
    assert answer.status_code == 502
    assert answer.json()["steps"] == [
        {"step": "normalize", "status": "success"},
        {"step": "enrich", "status": "failure"},
    ]
    assert answer.json()["cost_usd"] == 0
    assert client.get(f"/api/v1/executions/{answer.json()['execution_id']}").json()["status"] == "failure"
    assert metric(client, "workflow_executions_total", workflow="lead-enrichment", status="failure") == 1


def test_sessions_are_counted_in_the_background_until_they_expire(client: httpx.Client, clock: Clock) -> None:
    before = metric(client, "user_sessions_active") or 0
    opened = client.post("/api/v1/sessions", json={"email": "bo@example.com", "password": "pw"})
    assert opened.status_code == 201
    assert opened.json()["expires_in"] == 1800
    assert metric(client, "user_sessions_active") == before + 1  # counted on sign-in too, not only every 5 s
    assert client.delete(f"/api/v1/sessions/{opened.json()['session_id']}").status_code == 204
    client.post("/api/v1/sessions", json={"email": "cy@example.com", "password": "pw"})
    clock.offset = 1801  # every session so far has expired; the 5 s refresh finds none
    try:
        eventually(lambda: metric(client, "user_sessions_active") == 0, "user_sessions_active 0", 12)
    finally:
        clock.offset = 0


def test_fail_dependency_database_answers_503_and_makes_it_unhealthy(client: httpx.Client) -> None:
    assert eventually(lambda: client.get("/health").status_code == 200, "healthy")
    client.post("/admin/faults", json={"failDependency": "database"}, headers=ADMIN)
    answer = client.get("/api/v1/workflows")
    assert (answer.status_code, answer.json()) == (503, {"error": "internal", "message": "internal error"})
    health = eventually(lambda: (a := client.get("/health")).status_code == 503 and a.json(), "database unhealthy")
    assert health["dependencies"]["database"]["status"] == "unhealthy"
    client.delete("/admin/faults", headers=ADMIN)
    assert client.get("/api/v1/workflows").status_code == 200
    assert eventually(lambda: client.get("/health").status_code == 200, "healthy again")


def test_fail_dependency_redis_fails_sessions(client: httpx.Client) -> None:
    client.post("/admin/faults", json={"failDependency": "redis"}, headers=ADMIN)
    assert client.post("/api/v1/sessions", json={"email": "d@example.com", "password": "pw"}).status_code == 503
    health = eventually(lambda: (a := client.get("/health")).status_code == 503 and a.json(), "redis unhealthy")
    assert health["dependencies"]["redis"]["status"] == "unhealthy"


def test_relaycore_is_not_critical(client: httpx.Client, relaycore: FakeRelayCore) -> None:
    workflow = create(client, "report-digest")
    client.post("/admin/faults", json={"failDependency": "relaycore"}, headers=ADMIN)
    answer = client.post(f"/api/v1/workflows/{workflow}/execute", json={"input": {}})
    assert (answer.status_code, answer.json()["steps"]) == (502, [{"step": "digest", "status": "failure"}])
    health = eventually(lambda: (a := client.get("/health")).json()["status"] == "degraded" and a, "degraded")
    assert health.status_code == 200
    assert health.json()["dependencies"]["relaycore"]["status"] == "unhealthy"
    client.delete("/admin/faults", headers=ADMIN)
    relaycore.health = 500  # RelayCore itself unhealthy: the same
    assert eventually(lambda: client.get("/health").json()["status"] == "degraded", "degraded by /health 500")


def test_refuses_knobs_it_does_not_have(client: httpx.Client) -> None:
    for body in ({"primaryOutage": True}, {"runawayCost": True}, {"failDependency": "mainframe"}):
        assert client.post("/admin/faults", json=body, headers=ADMIN).status_code == 400
    assert client.post("/admin/faults", json={"down": "yes"}, headers=ADMIN).json()["message"] == (
        "down must be true or false"
    )
