"""Health checks of downstream demo services: their /health must answer 200, healthy or degraded
(as demo/shared/upstream.ts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from .faults import FaultInjector

#: The health monitor reports a hang after its own timeout; this bound only frees the connection eventually.
HEALTH_TIMEOUT_S = 30.0


def health_of(
    client: httpx.AsyncClient, base_url: str, name: str, faults: FaultInjector
) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        faults.guard(name)
        response = await client.get(f"{base_url}/health", timeout=HEALTH_TIMEOUT_S)
        if response.status_code != 200:
            raise RuntimeError(f"{name} /health answered {response.status_code}")

    return check
