"""Running a service in-process for tests: its lifespan and an httpx client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from random import randrange

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from docket_service.runtime import ServiceRuntime


@dataclass
class Running:
    http: httpx.AsyncClient
    app: FastAPI

    @property
    def runtime(self) -> ServiceRuntime:
        return self.app.state.runtime


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[Running]:
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        # A client address of its own, as a browser elsewhere would have: the public door's rate limits are
        # shared through the database, and tests of one run must not share a bucket.
        transport = httpx.ASGITransport(app=manager.app, client=(f"127.{randrange(256)}.{randrange(256)}.1", 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Running(client, app)
