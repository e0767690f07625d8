"""NeuroWeaver stand-in: model serving and deployment, FastAPI as the service it stands for.

    POST   /v1/inference        {model, prompt, max_tokens?, deployment?} → generated text with realistic token
           counts, latency and a finish reason ("length" when cut off at max_tokens); ``deployment`` pins a deployment
    POST   /v1/deployments      {model, replicas?}           → a deployment (model_deployments_total)
    DELETE /v1/deployments/{id} → the deployment is removed (no longer serves)
    GET    /v1/deployments, GET /v1/models

Deployments live in PostgreSQL (database ``neuroweaver``), the active deployment per model is cached in Redis.
Run: ``python -m lookout_demo.neuroweaver`` (LOOKOUT_PORT_NEUROWEAVER, default 8003).
"""

from __future__ import annotations

import random as _random
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from lookout_instrumentation import instrument
from opentelemetry import trace
from starlette.responses import Response

from .faults import FaultInjector
from .faults_http import DemoApp, install_faults
from .models import MODELS, count_tokens, js_round, model, simulate_generation, sleep
from .service import record_start_failure, run_service
from .settings import DemoSettings, demo_settings, number_from
from .stores import Stores, open_stores
from .validation import check_schema, read_body, validate
from .web import error_policy, install_not_found, reply, routes_answering_errors

NEUROWEAVER_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS deployments (
     id uuid PRIMARY KEY, model text NOT NULL, replicas integer NOT NULL, status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS inferences (
     id bigserial PRIMARY KEY, model text NOT NULL, input_tokens integer NOT NULL, output_tokens integer NOT NULL,
     latency_ms integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""",
)

BODY_LIMIT = 256 * 1024
INFERENCE_BODY = check_schema(
    {
        "type": "object",
        "required": ["model", "prompt"],
        "properties": {
            "model": {"type": "string", "maxLength": 100},
            "prompt": {"type": "string", "maxLength": 100_000},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": 8192},
            "deployment": {"type": "string", "format": "uuid"},
        },
    }
)
DEPLOYMENT_BODY = check_schema(
    {
        "type": "object",
        "required": ["model"],
        "properties": {
            "model": {"type": "string", "maxLength": 100},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 16},
        },
    }
)
ID_PARAMS = check_schema(
    {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}}
)
UNKNOWN_MODEL = {"error": "not_found", "message": "unknown model"}
NOT_SERVING = {"error": "not_found", "message": "no serving deployment with that id for this model"}


@dataclass(frozen=True)
class NeuroWeaverSettings:
    demo: DemoSettings
    #: Multiplies every simulated latency (1 = realistic; 0 for benchmarks, where only the overhead matters).
    latency_scale: float = 1.0
    #: Makes every simulated latency and length a function of the prompt (LOOKOUT_NEUROWEAVER_SEED): two NeuroWeavers
    #: given the same prompts then take the same times, so a benchmark can compare what sits in front of them.
    seed: str | None = None


def settings_from_env(env: Mapping[str, str]) -> NeuroWeaverSettings:
    return NeuroWeaverSettings(
        demo=demo_settings(env, "LOOKOUT_PORT_NEUROWEAVER", 8003),
        latency_scale=number_from(env, "LOOKOUT_NEUROWEAVER_LATENCY_SCALE", 1.0),
        seed=env.get("LOOKOUT_NEUROWEAVER_SEED") or None,
    )


def neuroweaver_faults() -> FaultInjector:
    return FaultInjector(["runawayCost"], ["database", "redis"])


def create_app(settings: NeuroWeaverSettings, random: Callable[[], float] = _random.random) -> FastAPI:
    faults = neuroweaver_faults()
    stores: Stores | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal stores
        try:
            stores = await open_stores(
                inst, faults, settings.demo.postgres_url, "neuroweaver", settings.demo.redis_url, NEUROWEAVER_SCHEMA
            )
        except Exception as error:
            record_start_failure(app, error)
            raise
        for check in stores.checks:
            inst.health.add(check)
        inst.logger.info("neuroweaver listening", extra={"port": settings.demo.port})
        try:
            yield
        finally:
            await stores.close()

    app = DemoApp(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    inst = instrument(app, service_name="neuroweaver", version=settings.demo.version)
    app.state.instrumentation = inst  # its tracer provider and metrics, for whoever holds the app
    app.router.route_class = routes_answering_errors(error_policy(inst.logger))
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

    async def active_deployment(name: str) -> str | None:
        cached = await cache().get(f"nw:deployment:{name}")
        if cached:
            return cached
        found = await db().fetchval(
            "SELECT id FROM deployments WHERE model = $1 AND status = 'success' ORDER BY created_at DESC LIMIT 1",
            name,
        )
        if found is not None:
            await cache().set(f"nw:deployment:{name}", str(found), ex=60)
        return None if found is None else str(found)

    async def serving_deployment(deployment: str, name: str) -> str | None:
        """A named deployment of this model that is serving, or None."""
        found = await db().fetchval(
            "SELECT id FROM deployments WHERE id = $1 AND model = $2 AND status = 'success'", deployment, name
        )
        return None if found is None else str(found)

    @app.post("/v1/inference")
    async def inference(request: Request) -> Response:
        body = validate(INFERENCE_BODY, await read_body(request, BODY_LIMIT), "body")
        profile = model(body["model"])
        if profile is None or profile.provider != "neuroweaver":
            return reply(404, UNKNOWN_MODEL)
        if body.get("deployment"):
            deployment = await serving_deployment(body["deployment"], profile.name)
            if deployment is None:
                return reply(404, NOT_SERVING)
        else:
            deployment = await active_deployment(profile.name)
        input_tokens = count_tokens(body["prompt"])
        max_tokens = body.get("max_tokens", 1024)
        draw = _random.Random(f"{settings.seed}\0{body['prompt']}").random if settings.seed else random
        generated = simulate_generation(profile, max_tokens, settings.latency_scale, draw)
        # Runaway: the model ignores max_tokens and rambles — ten times its usual answer, and never less than the cap,
        # so every answer comes back cut off ("length") and billed long.
        runaway = faults.state["runawayCost"]
        output_tokens = max(max_tokens, generated.output_tokens * 10) if runaway else generated.output_tokens
        latency_ms = generated.latency_ms * 3 if runaway else generated.latency_ms
        await sleep(latency_ms)
        trace.get_current_span().set_attributes(
            {
                "gen_ai.operation.name": "text_completion",
                "gen_ai.request.model": profile.name,
                "gen_ai.usage.input_tokens": input_tokens,
                "gen_ai.usage.output_tokens": output_tokens,
                # Which deployment served it, so a trace shows that a rollout is what answered.
                "neuroweaver.deployment.id": deployment or "shared-pool",
            }
        )
        await db().execute(
            "INSERT INTO inferences (model, input_tokens, output_tokens, latency_ms) VALUES ($1, $2, $3, $4)",
            profile.name,
            input_tokens,
            output_tokens,
            js_round(latency_ms),
        )
        return reply(
            200,
            {
                "model": profile.name,
                "deployment": deployment or "shared-pool",
                "output": f"[{profile.name}] {output_tokens} tokens of generated text",
                # As OpenAI-style APIs report it: "length" when generation stopped at max_tokens, the answer cut off.
                "finish_reason": "length" if output_tokens >= max_tokens else "stop",
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
                "latency_ms": js_round(latency_ms),
            },
        )

    @app.post("/v1/deployments")
    async def deploy(request: Request) -> Response:
        body = validate(DEPLOYMENT_BODY, await read_body(request, BODY_LIMIT), "body")
        profile = model(body["model"])
        if profile is None or profile.provider != "neuroweaver":
            return reply(404, UNKNOWN_MODEL)
        # A rollout takes a moment, and about one in twenty fails its readiness gate.
        await sleep((50 + random() * 250) * settings.latency_scale)
        status = "failure" if random() < 0.05 else "success"
        deployment = str(uuid.uuid4())
        await db().execute(
            "INSERT INTO deployments (id, model, replicas, status) VALUES ($1, $2, $3, $4)",
            deployment,
            profile.name,
            body.get("replicas", 1),
            status,
        )
        if status == "success":
            await cache().set(f"nw:deployment:{profile.name}", deployment, ex=60)
        # The rollout's outcome on its span: the HTTP status is 201 whether or not the readiness gate passed.
        trace.get_current_span().set_attributes(
            {"neuroweaver.deployment.id": deployment, "neuroweaver.deployment.status": status}
        )
        inst.metrics.model_deployments.labels(model=profile.name, status=status).inc()
        return reply(201, {"id": deployment, "model": profile.name, "status": status})

    @app.delete("/v1/deployments/{id}")
    async def remove(request: Request, id: str) -> Response:
        await read_body(request, BODY_LIMIT)
        deployment = validate(ID_PARAMS, {"id": id}, "params")["id"]
        row = await db().fetchrow(
            "UPDATE deployments SET status = 'removed' WHERE id = $1 AND status <> 'removed' RETURNING id, model",
            deployment,
        )
        if row is None:
            return reply(404, {"error": "not_found", "message": "no such deployment (or already removed)"})
        removed, name = str(row["id"]), row["model"]
        # The model's cached active deployment must not point at a removed one.
        if await cache().get(f"nw:deployment:{name}") == removed:
            await cache().delete(f"nw:deployment:{name}")
        return reply(200, {"id": removed, "model": name, "status": "removed"})

    @app.get("/v1/deployments")
    async def deployments() -> Response:
        rows = await db().fetch(
            "SELECT id, model, replicas, status, created_at FROM deployments ORDER BY created_at DESC LIMIT 20"
        )
        return reply(200, {"deployments": rows})

    @app.get("/v1/models")
    async def models() -> Response:
        served = [m for m in MODELS if m.provider == "neuroweaver"]
        return reply(200, {"models": [{"name": m.name, "capabilities": list(m.capabilities)} for m in served]})

    return app


def _build(env: Mapping[str, str]) -> tuple[FastAPI, DemoSettings]:
    settings = settings_from_env(env)
    return create_app(settings), settings.demo


def main() -> None:
    run_service("neuroweaver", _build)


if __name__ == "__main__":
    main()
