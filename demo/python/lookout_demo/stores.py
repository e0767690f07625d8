"""PostgreSQL and Redis for the demo services (as demo/shared/stores.ts).

Each service gets its own database, created on its first start, and its own Redis database number (in its URL);
both are registered with the connection gauges, and their health checks fail while the fault injector fails them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis.asyncio as aioredis
from lookout_instrumentation import DependencyCheck, Instrumentation

from .faults import FaultInjector

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


async def ensure_database(postgres_url: str, name: str) -> None:
    """Creates database name if it does not exist (a service's first start), connected to the maintenance database."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"invalid database name {name}")
    connection = await asyncpg.connect(postgres_url, timeout=10)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None:
            try:
                await connection.execute(f"CREATE DATABASE {name}")
            except asyncpg.DuplicateDatabaseError:
                pass  # two processes starting at once: the other one created it
    finally:
        await connection.close()


def database_url(postgres_url: str, name: str) -> str:
    parts = urlsplit(postgres_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@dataclass
class Stores:
    pool: asyncpg.Pool
    redis: aioredis.Redis
    checks: list[DependencyCheck]

    async def close(self) -> None:
        await self.redis.aclose()
        try:
            await asyncio.wait_for(self.pool.close(), timeout=10)
        except asyncio.TimeoutError:
            self.pool.terminate()  # a connection still checked out after 10 s: close it anyway


async def open_stores(
    instrumentation: Instrumentation,
    faults: FaultInjector,
    postgres_url: str,
    database: str,
    redis_url: str,
    schema: Sequence[str],
) -> Stores:
    """Opens the service's pool and Redis client, runs its schema statements, and builds their health checks."""
    await ensure_database(postgres_url, database)
    # As the Node pool: at most 10 connections, 3 s to connect, idle ones closed after 30 s; none opened in advance.
    pool = await asyncpg.create_pool(
        database_url(postgres_url, database),
        min_size=0,
        max_size=10,
        timeout=3,
        max_inactive_connection_lifetime=30,
    )
    try:
        for statement in schema:
            await pool.execute(statement)
    except BaseException:
        await pool.close()
        raise
    # Connects on first use: a service starts while Redis is down, and its health check says so.
    client = aioredis.Redis.from_url(redis_url, socket_connect_timeout=3, decode_responses=True)
    instrumentation.metrics.track_database_pool(pool)
    instrumentation.metrics.track_redis_client(client)

    async def database_check() -> None:
        faults.guard("database")
        await pool.fetchval("SELECT 1")

    async def redis_check() -> None:
        faults.guard("redis")
        if await client.ping() is not True:
            raise RuntimeError("redis did not answer PONG")

    checks = [
        DependencyCheck(name="database", check=database_check, critical=True),
        DependencyCheck(name="redis", check=redis_check, critical=True),
    ]
    return Stores(pool, client, checks)
