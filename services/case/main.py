"""The case service's app factory."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_messaging.clock import Clock, SystemClock
from docket_messaging.http import service_app
from docket_messaging.service import ServiceRuntime

from .api import commands, fine_estimates, install_error_handlers, reads
from .application import fire_due_timers
from .config import CaseSettings
from .handlers import HANDLERS

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def runtime(settings: CaseSettings, clock: Clock | None = None) -> ServiceRuntime:
    clock = clock or SystemClock(settings.regulator_timezone)

    async def deadline_timers(runtime: ServiceRuntime) -> None:
        while True:
            await fire_due_timers(runtime.sessions, clock)
            await asyncio.sleep(settings.timer_interval_s)

    return ServiceRuntime(name="case", settings=settings, alembic_ini=ALEMBIC_INI, produces=topics.CASES,
                          consumes=[topics.COMPLAINTS], handlers=HANDLERS,
                          workers={"timers": deadline_timers} if settings.run_timers else {})


def create_app(settings: CaseSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or CaseSettings()
    app = service_app("Docket case service", runtime(settings, clock), reads, commands, fine_estimates)
    app.state.clock = clock or SystemClock(settings.regulator_timezone)
    install_error_handlers(app)
    return app
