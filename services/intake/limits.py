"""Abuse limits of the public door: a rate limit per client, checked by deps.rate_limited, and shared by every
instance through the database; and how many evidence uploads an instance takes at once (Uploads). The request
body limit every service shares is in docket_service.limits; intake sets its own per path (main.py): evidence
uploads may be larger.

The client is the address docket_service.limits.ClientAddress put in the request: the peer, or, behind the
reverse proxies of TRUSTED_PROXIES, the address they took the request from. An IPv6 client is counted by its
/64. Nothing is kept in the process: a bucket is a row of `rate_limits` (store.RateLimitRow), which every
instance takes from, and which is deleted once full again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncEngine

from docket_messaging.stopping import until_stopped
from docket_service.limits import client_key
from docket_service.runtime import ServiceRuntime

from . import store

# How often the buckets that are full again are deleted (each instance does it; deleting twice is harmless).
FORGET_EVERY_S = 60.0


class RateLimiter:
    """`rate_per_minute` public requests a minute per client, in bursts of up to `burst`, across instances."""

    def __init__(self, rate_per_minute: float, burst: int) -> None:
        self.interval_s = 60.0 / rate_per_minute
        self.window_s = burst * self.interval_s

    async def check(self, engine: AsyncEngine, client: str) -> None:
        """429 with Retry-After for a client over its rate."""
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            wait = await store.take_from_bucket(connection, client_key(client), self.interval_s, self.window_s)
        if wait:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "too many requests from this client; retry later",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )


async def forget_full_buckets(engine: AsyncEngine) -> int:
    async with engine.begin() as connection:
        return await store.forget_full_buckets(connection)


async def forgetting(runtime: ServiceRuntime) -> None:
    """The worker that keeps `rate_limits` to the clients of the last window: every FORGET_EVERY_S, it deletes
    the buckets that are full again (waiting first: a service starting has its connections for its requests)."""
    while not runtime.stopping.is_set():
        await until_stopped(runtime.stopping, asyncio.sleep(FORGET_EVERY_S))
        if not runtime.stopping.is_set():
            await forget_full_buckets(runtime.engine)


class Uploads:
    """At most `limit` evidence uploads at a time in this instance: each holds its file (up to
    EVIDENCE_MAX_BYTES) and the file sealed in memory until it is stored. One more is answered 503 at once,
    before its body is read, rather than queued with its connection open."""

    def __init__(self, limit: int) -> None:
        self.free = limit

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self.free <= 0:  # one event loop: nothing runs between this check and the next line
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "too many evidence uploads at once; retry shortly",
                headers={"Retry-After": "5"},
            )
        self.free -= 1
        try:
            yield
        finally:
            self.free += 1
