"""Running a service in-process for tests: its lifespan and an httpx client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

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
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Running(client, app)
