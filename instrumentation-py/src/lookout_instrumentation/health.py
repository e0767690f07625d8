"""`/health` answered from memory. Each dependency is checked in the background on its own interval and the last
result kept; /health only reads those results and the request window, so it answers at once even while a check
hangs. A check still running after its timeout is unhealthy from that moment (without waiting for it), and a check
never overlaps its own previous run — as instrumentation/src/health.ts does for Node."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Literal, Optional

from opentelemetry.instrumentation.utils import suppress_instrumentation

from .window import RequestWindow

HealthStatus = Literal["healthy", "degraded", "unhealthy"]
_RANK = {"healthy": 0, "degraded": 1, "unhealthy": 2}


@dataclass
class DependencyCheck:
    """`check` returns when the dependency answered correctly and raises (or hangs) otherwise."""

    name: str
    check: Callable[[], Awaitable[Any]]
    #: An unhealthy critical dependency makes the service unhealthy; any other makes it degraded.
    critical: bool = True
    interval_s: float = 10.0
    timeout_s: float = 2.0
    #: A successful answer slower than this is "degraded".
    slow_s: float = 1.0


@dataclass
class _State:
    spec: DependencyCheck
    status: HealthStatus = "unhealthy"  # unknown until the first check answers: not healthy
    response_ms: float = 0.0
    running_since: Optional[float] = None
    running: Optional["asyncio.Task[None]"] = None
    last_error: Optional[str] = "not checked yet"
    timer: Optional["asyncio.Task[None]"] = field(default=None, repr=False)


class HealthMonitor:
    def __init__(
        self,
        version: str,
        window: RequestWindow,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.version = version
        self.window = window
        self._clock = clock
        self._wall = wall
        self._started_at = clock()
        self._checks: list[_State] = []
        #: Extra overall status from the service itself (an injected fault), combined with the dependencies'.
        self.self_status: Optional[Callable[[], HealthStatus]] = None

    def add(self, check: DependencyCheck) -> None:
        self._checks.append(_State(spec=check))

    async def start(self) -> None:
        """Runs every check once (each settles or times out), then keeps checking on each interval."""
        await self.refresh()
        for state in self._checks:
            state.timer = asyncio.create_task(self._every(state))

    async def refresh(self) -> None:
        await asyncio.gather(*(self._run(state) for state in self._checks))

    def stop(self) -> None:
        for state in self._checks:
            if state.timer:
                state.timer.cancel()
                state.timer = None

    def errors(self) -> dict[str, str]:
        """The last error of each unhealthy dependency, for logs (never in /health: it could leak internals)."""
        return {s.spec.name: s.last_error for s in self._checks if s.last_error is not None}

    def report(self) -> dict[str, Any]:
        now = self._clock()
        overall: HealthStatus = self.self_status() if self.self_status else "healthy"
        dependencies: dict[str, dict[str, Any]] = {}
        for state in self._checks:
            status, response_ms = state.status, state.response_ms
            if state.running_since is not None and now - state.running_since > state.spec.timeout_s:
                status, response_ms = "unhealthy", (now - state.running_since) * 1000
            dependencies[state.spec.name] = {"status": status, "responseTime": round(response_ms, 2)}
            effect: HealthStatus = "degraded" if status == "unhealthy" and not state.spec.critical else status
            if _RANK[effect] > _RANK[overall]:
                overall = effect
        timestamp = datetime.fromtimestamp(self._wall(), tz=timezone.utc).isoformat(timespec="milliseconds")
        return {
            "status": overall,
            "timestamp": timestamp.replace("+00:00", "Z"),
            "uptime": round(now - self._started_at),
            "version": self.version,
            "dependencies": dependencies,
            "metrics": self.window.summary(),
        }

    async def _every(self, state: _State) -> None:
        while True:
            await asyncio.sleep(state.spec.interval_s)
            await self._run(state)

    async def _run(self, state: _State) -> None:
        if state.running is None:  # never overlap: a slow dependency must not pile up one stuck check per interval
            state.running_since = self._clock()
            state.running = asyncio.create_task(self._attempt(state, state.running_since))
        running = state.running
        remaining = max(0.0, state.spec.timeout_s - (self._clock() - (state.running_since or self._clock())))
        done, _ = await asyncio.wait({running}, timeout=remaining)
        if not done and state.running is running:
            state.status, state.response_ms = "unhealthy", state.spec.timeout_s * 1000
            state.last_error = f"no answer within {state.spec.timeout_s:g} s"

    async def _attempt(self, state: _State, started: float) -> None:
        try:
            # Checks are bookkeeping, not traffic: no spans (a PING every 10 s would be a trace each time).
            with suppress_instrumentation():
                await state.spec.check()
            elapsed = self._clock() - started
            state.status = "degraded" if elapsed > state.spec.slow_s else "healthy"
            state.response_ms, state.last_error = elapsed * 1000, None
        except Exception as error:  # noqa: BLE001 — any failure of a dependency is its unhealthiness
            state.status, state.response_ms = "unhealthy", (self._clock() - started) * 1000
            state.last_error = str(error) or type(error).__name__
        finally:
            state.running, state.running_since = None, None
