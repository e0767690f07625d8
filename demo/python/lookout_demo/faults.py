"""Fault injection for the demo services, behind ``/admin/faults`` and the admin token (as demo/shared/faults.ts).

| knob | effect |
|---|---|
| ``latencyMs`` | every API request waits this long before it is handled |
| ``errorRate`` | this fraction (0–1) of API requests is answered 500 |
| ``down`` | the service stops answering: every request except /admin hangs until the fault is reset |
| ``failDependency`` | calls to this dependency fail, and its health check too |
| ``primaryOutage`` | RelayCore only |
| ``runawayCost`` | NeuroWeaver: responses run 10× longer (and RelayCore bills 25×) |

/health, /metrics and /admin are never slowed or failed by latencyMs and errorRate (only ``down`` stops them).
This module is plain logic: the clock (``sleep``) and randomness are seams; web.py applies it to requests.
"""

from __future__ import annotations

import asyncio
import random as _random
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal

Verdict = Literal["hang", "error", "continue"]

#: The knobs in the order the API shows them; the same names and defaults as the Node services.
NO_FAULTS: dict[str, Any] = {
    "latencyMs": 0,
    "errorRate": 0,
    "down": False,
    "failDependency": None,
    "primaryOutage": False,
    "runawayCost": False,
}
_COMMON = ("latencyMs", "errorRate", "down", "failDependency")

#: Paths that faults other than ``down`` never touch.
_OPERATIONAL = re.compile(r"^/(health|metrics|admin)(/|$|\?)")


class FaultError(Exception):
    """A call to a dependency failed by injection."""


def _is_number(value: object) -> bool:
    # JSON numbers only: Python's bool is an int, JavaScript's is not.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class FaultInjector:
    """The fault state of one service and the decision, per request, of what the faults do to it."""

    def __init__(
        self,
        knobs: Iterable[str],
        dependencies: Iterable[str],
        random: Callable[[], float] = _random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """knobs: those this service has beyond the common ones; dependencies: what failDependency may name."""
        self._knobs = tuple(knobs)
        self._dependencies = tuple(dependencies)
        self._random = random
        self._sleep = sleep
        self._faults = dict(NO_FAULTS)
        self._held: list[Callable[[], None]] = []

    @property
    def state(self) -> dict[str, Any]:
        """A copy of the knobs, in the API's order."""
        return dict(self._faults)

    def update(self, body: object) -> str | None:
        """Applies a partial update; returns an error message (and changes nothing) when it is not valid."""
        if not isinstance(body, dict):
            return "body must be a JSON object"
        following = dict(self._faults)
        for knob, value in body.items():
            if knob not in NO_FAULTS:
                return f'unknown fault "{knob}"; known: {", ".join(NO_FAULTS)}'
            if not self.supported(knob):
                return f'this service has no "{knob}" fault'
            if knob == "latencyMs":
                if not _is_number(value) or not 0 <= value <= 120_000:
                    return "latencyMs must be 0–120000"
            elif knob == "errorRate":
                if not _is_number(value) or not 0 <= value <= 1:
                    return "errorRate must be 0–1"
            elif knob == "failDependency":
                if value is not None and value not in self._dependencies:
                    return f"failDependency must be null or one of {', '.join(self._dependencies)}"
            elif not isinstance(value, bool):
                return f"{knob} must be true or false"
            following[knob] = value
        self._faults = following
        if not following["down"]:
            self._release_held()
        return None

    def reset(self) -> None:
        self._faults = dict(NO_FAULTS)
        self._release_held()

    def supported(self, knob: str) -> bool:
        return knob in _COMMON or knob in self._knobs

    def guard(self, dependency: str) -> None:
        """Raises FaultError when calls to this dependency are failing by injection."""
        if self._faults["failDependency"] == dependency:
            raise FaultError(f"{dependency} unavailable (injected fault)")

    async def admit(self, path: str, on_release: Callable[[], None]) -> Verdict:
        """What to do with a request to path (with its query string) before it is handled.

        "hang" (down: never answer; on_release is called when the fault is reset, to close the connection),
        "error" (answer 500), or "continue" (after any injected latency).
        """
        if path.startswith("/admin"):
            return "continue"
        if self._faults["down"]:
            self._held.append(on_release)
            return "hang"
        if _OPERATIONAL.match(path):
            return "continue"
        if self._faults["latencyMs"] > 0:
            await self._sleep(self._faults["latencyMs"] / 1000)
        if self._faults["errorRate"] > 0 and self._random() < self._faults["errorRate"]:
            return "error"
        return "continue"

    def forget(self, on_release: Callable[[], None]) -> None:
        """Drops a held request's callback (its client went away before the reset)."""
        if on_release in self._held:
            self._held.remove(on_release)

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for release in held:
            release()
