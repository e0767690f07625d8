"""Running a workflow's steps: transforms in-process, AI steps as completions from RelayCore (POST /v1/completions).

The first step that fails ends the run; what ran is reported step by step. Plain values in and out; the HTTP client,
the fault injector and the logger are passed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from .faults import FaultError, FaultInjector
from .workflows import AiStep, Step

MAX_TOKENS = 512


class StepFailed(Exception):
    """RelayCore could not be reached or did not answer 200."""


@dataclass
class Run:
    steps: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0
    failed: bool = False

    @property
    def status(self) -> str:
        return "failure" if self.failed else "success"


class RelayCore:
    """RelayCore's completions API, through the given client (whose timeouts bound each call)."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, faults: FaultInjector) -> None:
        self._client = client
        self._base_url = base_url
        self._faults = faults

    async def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        self._faults.guard("relaycore")
        try:
            response = await self._client.post(
                f"{self._base_url}/v1/completions",
                content=json.dumps(body, ensure_ascii=False),
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as error:
            raise StepFailed(f"relaycore: {str(error) or type(error).__name__}") from error
        if response.status_code != 200:
            raise StepFailed(f"relaycore answered {response.status_code}")
        return response.json()  # type: ignore[no-any-return]


async def run_steps(
    steps: Sequence[Step],
    workflow_id: str,
    template: str,
    workflow_input: str,
    user_id: str | None,
    relaycore: RelayCore,
    logger: Any,
) -> Run:
    """Runs steps in order over workflow_input (the request's input as JSON text) until one fails."""
    run = Run()
    for step in steps:
        if not isinstance(step, AiStep):
            run.steps.append({"step": step.name, "status": "success"})
            continue
        request = {
            "prompt": f"{step.instruction}\n\n{workflow_input}",
            "task": step.task,
            "priority": step.priority,
            "max_tokens": MAX_TOKENS,
            "workflow_id": workflow_id,
            "user_id": user_id,
        }
        try:
            answer = await relaycore.complete({k: v for k, v in request.items() if v is not None})
        except (StepFailed, FaultError) as error:
            logger.warning(
                "workflow step failed", extra={"workflow": template, "step": step.name, "reason": str(error)}
            )
            run.steps.append({"step": step.name, "status": "failure"})
            run.failed = True
            break
        run.cost_usd += answer["cost_usd"]
        reported = {key: answer.get(key) for key in ("model", "cost_usd", "usage", "finish_reason", "output")}
        # A field RelayCore left out is left out here too (as JSON.stringify drops an undefined one).
        present = {key: value for key, value in reported.items() if value is not None}
        run.steps.append({"step": step.name, "status": "success", **present})
    return run
