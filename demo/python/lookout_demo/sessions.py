"""AutoMatrix's sessions in Redis: ``am:session:<id>`` holds the email for 30 minutes, and the sorted set
``am:sessions`` scores each id by its expiry (milliseconds since the epoch), so the active ones can be counted.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

SESSION_TTL_SECONDS = 1_800


class Sessions:
    """Opens, closes and counts sessions; ``redis`` returns the client (it raises while Redis fails by injection)."""

    def __init__(self, redis: Callable[[], Any], gauge: Any, now: Callable[[], float]) -> None:
        self._redis = redis
        self._gauge = gauge
        self._now = now

    async def open(self, email: str) -> dict[str, Any]:
        session = str(uuid.uuid4())
        async with self._redis().pipeline(transaction=True) as multi:
            multi.set(f"am:session:{session}", email, ex=SESSION_TTL_SECONDS)
            multi.zadd("am:sessions", {session: self._now_ms() + SESSION_TTL_SECONDS * 1000})
            await multi.execute()
        await self.count()
        return {"session_id": session, "expires_in": SESSION_TTL_SECONDS}

    async def close(self, session: str) -> None:
        async with self._redis().pipeline(transaction=True) as multi:
            multi.delete(f"am:session:{session}")
            multi.zrem("am:sessions", session)
            await multi.execute()

    async def count(self) -> None:
        """Drops expired sessions and sets user_sessions_active."""
        client = self._redis()
        await client.zremrangebyscore("am:sessions", "-inf", self._now_ms())
        self._gauge.set(await client.zcard("am:sessions"))

    async def count_every(self, seconds: float) -> None:
        """Counts in the background, never on a request's time; runs until cancelled."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.count()
            except Exception:  # Redis down: its health check reports it; the gauge keeps its last value
                pass

    def _now_ms(self) -> int:
        return int(self._now() * 1000)
