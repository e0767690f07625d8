"""The `metrics` block of HealthCheckResponse: requests per minute, error rate and average response time over the
last 60 seconds, one bucket per second in a ring, so recording is O(1) and memory constant whatever the traffic."""

from __future__ import annotations

import time
from typing import Callable

SECONDS = 60


class RequestWindow:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._second = [-1] * SECONDS
        self._count = [0] * SECONDS
        self._errors = [0] * SECONDS
        self._total_ms = [0.0] * SECONDS

    def record(self, duration_ms: float, error: bool) -> None:
        s = int(self._now())
        i = s % SECONDS
        if self._second[i] != s:
            self._second[i], self._count[i], self._errors[i], self._total_ms[i] = s, 0, 0, 0.0
        self._count[i] += 1
        self._total_ms[i] += duration_ms
        if error:
            self._errors[i] += 1

    def summary(self) -> dict[str, float]:
        s = int(self._now())
        n = errors = 0
        total_ms = 0.0
        for i in range(SECONDS):
            if s - SECONDS < self._second[i] <= s:
                n += self._count[i]
                errors += self._errors[i]
                total_ms += self._total_ms[i]
        if n == 0:
            return {"requestsPerMinute": 0, "errorRate": 0, "avgResponseTime": 0}
        return {
            "requestsPerMinute": n,
            "errorRate": round(errors / n, 4),
            "avgResponseTime": round(total_ms / n, 2),
        }
