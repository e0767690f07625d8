"""AutoMatrix stand-in: the user-facing workflow backend, FastAPI as the service it stands for.

    POST   /api/v1/sessions                 {email, password}          → a session in Redis (user_sessions_active)
    DELETE /api/v1/sessions/{id}
    POST   /api/v1/workflows                {name, template, description?, owner_email?}
    GET    /api/v1/workflows, GET /api/v1/workflows/{id}
    DELETE /api/v1/workflows/{id}           → the workflow and its executions
    POST   /api/v1/workflows/{id}/execute   {input}  (header x-session-id optional)
           → runs the template's steps; AI steps go through RelayCore (workflow_executions_total)
    GET    /api/v1/executions/{id}          → an execution as recorded: status, cost, duration

Workflows and executions live in PostgreSQL (database ``automatrix``), sessions in Redis.
Run: ``python -m lookout_demo.automatrix`` (LOOKOUT_PORT_AUTOMATRIX, default 8001; LOOKOUT_RELAYCORE_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI, Request
from lookout_instrumentation import DependencyCheck, Instrumentation, instrument
from prometheus_client import Counter
from starlette.responses import Response

from .faults import FaultError, FaultInjector
from .faults_http import DemoApp, install_faults
from .models import js_round
from .runner import RelayCore, run_steps
from .service import record_start_failure, run_service
from .sessions import Sessions
from .settings import DemoSettings, demo_settings, number_from, upstream_url
from .stores import Stores, open_stores
from .upstream import health_of
from .validation import check_schema, read_body, validate
from .web import error_policy, install_not_found, js_json, reply, routes_answering_errors
from .workflows import TEMPLATE_NAMES, TEMPLATES

AUTOMATRIX_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS workflows (
     id uuid PRIMARY KEY, name text NOT NULL, template text NOT NULL, description text, owner_email text,
     created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS executions (
     id uuid PRIMARY KEY, workflow_id uuid NOT NULL REFERENCES workflows(id), status text NOT NULL,
     cost_usd numeric(12, 8) NOT NULL, duration_ms integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""",
)

SESSION_BODY = check_schema(
    {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string", "maxLength": 320}, "password": {"type": "string", "maxLength": 200}},
    }
)
WORKFLOW_BODY = check_schema(
    {
        "type": "object",
        "required": ["name", "template"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "template": {"type": "string", "enum": list(TEMPLATE_NAMES)},
            "description": {"type": "string", "maxLength": 5_000},
            "owner_email": {"type": "string", "maxLength": 320},
        },
    }
)
EXECUTE_BODY = check_schema({"type": "object", "properties": {"input": {"type": "object"}}})
ID_PARAMS = check_schema(
    {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}}
)
NO_WORKFLOW = {"error": "not_found", "message": "no such workflow"}


@dataclass(frozen=True)
class AutoMatrixSettings:
    demo: DemoSettings
    relaycore_url: str
    #: How long an AI step waits for RelayCore: longer than RelayCore waits for NeuroWeaver (up to 30 s) plus a
    #: failover.
    upstream_timeout_ms: float = 45_000


def settings_from_env(env: Mapping[str, str]) -> AutoMatrixSettings:
    return AutoMatrixSettings(
        demo=demo_settings(env, "LOOKOUT_PORT_AUTOMATRIX", 8001),
        relaycore_url=upstream_url(env, "LOOKOUT_RELAYCORE_URL"),
        upstream_timeout_ms=number_from(env, "LOOKOUT_AUTOMATRIX_UPSTREAM_TIMEOUT_MS", 45_000),
    )


def automatrix_faults() -> FaultInjector:
    return FaultInjector([], ["database", "redis", "relaycore"])


def _workflow_cost(inst: Instrumentation) -> Counter:
    """AI spend per workflow template (one series per template), for the AI cost dashboard's "per workflow" panel:
    the gateway's AI totals know the service and model of a call, not the workflow that made it."""
    return Counter(
        "workflow_ai_cost_dollars",
        "AI cost of workflow executions in US dollars, by workflow template.",
        ["workflow"],
        registry=inst.metrics.registry,
    )


def _rows_deleted(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])  # asyncpg's command tag: "DELETE 1"


def create_app(settings: AutoMatrixSettings, now: Callable[[], float] = time.time) -> FastAPI:
    """now: seconds since the epoch (session expiry and execution durations)."""
    faults = automatrix_faults()
    stores: Stores | None = None
    relaycore: RelayCore | None = None
    sessions: Sessions | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal stores, relaycore, sessions
        try:
            stores = await open_stores(
                inst, faults, settings.demo.postgres_url, "automatrix", settings.demo.redis_url, AUTOMATRIX_SCHEMA
            )
        except Exception as error:
            record_start_failure(app, error)
            raise
        timeout = settings.upstream_timeout_ms / 1000
        client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))
        relaycore = RelayCore(client, settings.relaycore_url, faults)
        sessions = Sessions(lambda: cache(), inst.metrics.user_sessions_active, now)
        for check in stores.checks:
            inst.health.add(check)
        # Without RelayCore only AI steps fail: degraded, not unhealthy.
        relaycore_health = health_of(client, settings.relaycore_url, "relaycore", faults)
        inst.health.add(DependencyCheck(name="relaycore", check=relaycore_health, critical=False))
        counting = asyncio.create_task(sessions.count_every(5.0))
        inst.logger.info("automatrix listening", extra={"port": settings.demo.port})
        try:
            yield
        finally:
            counting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await counting
            await client.aclose()
            await stores.close()

    app = DemoApp(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    inst = instrument(app, service_name="automatrix", version=settings.demo.version)
    app.state.instrumentation = inst  # its tracer provider and metrics, for whoever holds the app
    workflow_cost = _workflow_cost(inst)
    app.router.route_class = routes_answering_errors(error_policy(inst.logger, unavailable=(FaultError,)))
    install_not_found(app)
    install_faults(app, faults, settings.demo.admin_token)

    def db() -> Any:
        faults.guard("database")
        assert stores is not None
        return stores.pool

    def cache() -> Any:
        faults.guard("redis")
        assert stores is not None
        return stores.redis

    async def params(request: Request) -> tuple[Any, str]:
        """The parsed body and the validated {id}, in Fastify's order: body parsed, params then body validated."""
        body = await read_body(request)
        return body, validate(ID_PARAMS, dict(request.path_params), "params")["id"]

    @app.post("/api/v1/sessions")
    async def sign_in(request: Request) -> Response:
        body = validate(SESSION_BODY, await read_body(request), "body")
        assert sessions is not None
        session = await sessions.open(body["email"])
        return reply(201, session)

    @app.delete("/api/v1/sessions/{id}")
    async def sign_out(request: Request) -> Response:
        _, session = await params(request)
        assert sessions is not None
        await sessions.close(session)
        return reply(204)

    @app.post("/api/v1/workflows")
    async def create_workflow(request: Request) -> Response:
        body = validate(WORKFLOW_BODY, await read_body(request), "body")
        workflow = str(uuid.uuid4())
        await db().execute(
            "INSERT INTO workflows (id, name, template, description, owner_email) VALUES ($1, $2, $3, $4, $5)",
            workflow,
            body["name"],
            body["template"],
            body.get("description"),
            body.get("owner_email"),
        )
        steps = [step.as_json() for step in TEMPLATES[body["template"]]]
        return reply(201, {"id": workflow, "name": body["name"], "template": body["template"], "steps": steps})

    @app.get("/api/v1/workflows")
    async def list_workflows() -> Response:
        rows = await db().fetch(
            "SELECT id, name, template, created_at FROM workflows ORDER BY created_at DESC LIMIT 20"
        )
        return reply(200, {"workflows": rows})

    @app.get("/api/v1/workflows/{id}")
    async def read_workflow(request: Request) -> Response:
        _, workflow = await params(request)
        row = await db().fetchrow("SELECT id, name, template, created_at FROM workflows WHERE id = $1", workflow)
        return reply(404, NO_WORKFLOW) if row is None else reply(200, row)

    @app.delete("/api/v1/workflows/{id}")
    async def delete_workflow(request: Request) -> Response:
        _, workflow = await params(request)
        async with db().acquire() as connection, connection.transaction():
            await connection.execute("DELETE FROM executions WHERE workflow_id = $1", workflow)
            deleted = await connection.execute("DELETE FROM workflows WHERE id = $1", workflow)
        return reply(404, NO_WORKFLOW) if _rows_deleted(deleted) == 0 else reply(204)

    @app.get("/api/v1/executions/{id}")
    async def read_execution(request: Request) -> Response:
        _, execution = await params(request)
        row = await db().fetchrow(
            "SELECT id, workflow_id, status, cost_usd, duration_ms, created_at FROM executions WHERE id = $1",
            execution,
        )
        if row is None:
            return reply(404, {"error": "not_found", "message": "no such execution"})
        return reply(200, {**row, "cost_usd": float(row["cost_usd"])})

    @app.post("/api/v1/workflows/{id}/execute")
    async def execute(request: Request) -> Response:
        started = now()
        raw, workflow_id = await params(request)
        body = validate(EXECUTE_BODY, raw, "body")
        workflow = await db().fetchrow("SELECT id, template FROM workflows WHERE id = $1", workflow_id)
        if workflow is None:
            return reply(404, NO_WORKFLOW)
        workflow_id, template = str(workflow["id"]), workflow["template"]
        session = request.headers.get("x-session-id")
        user_id = await cache().get(f"am:session:{session}") if session is not None else None
        assert relaycore is not None
        steps = TEMPLATES.get(template, ())
        workflow_input = js_json(body.get("input", {}))
        run = await run_steps(steps, workflow_id, template, workflow_input, user_id, relaycore, inst.logger)
        execution = str(uuid.uuid4())
        await db().execute(
            "INSERT INTO executions (id, workflow_id, status, cost_usd, duration_ms) VALUES ($1, $2, $3, $4, $5)",
            execution,
            workflow_id,
            run.status,
            Decimal(repr(float(run.cost_usd))),
            js_round((now() - started) * 1000),
        )
        inst.metrics.workflow_executions.labels(workflow=template, status=run.status).inc()
        workflow_cost.labels(workflow=template).inc(run.cost_usd)
        answer = {"execution_id": execution, "status": run.status, "steps": run.steps, "cost_usd": run.cost_usd}
        return reply(502 if run.failed else 200, answer)

    return app


def _build(env: Mapping[str, str]) -> tuple[FastAPI, DemoSettings]:
    settings = settings_from_env(env)
    return create_app(settings), settings.demo


def main() -> None:
    run_service("automatrix", _build)


if __name__ == "__main__":
    main()
