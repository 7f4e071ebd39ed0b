"""The case service's app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_messaging.http import service_app
from docket_messaging.service import ServiceRuntime

from .api import router
from .config import CaseSettings
from .handlers import HANDLERS

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def runtime(settings: CaseSettings) -> ServiceRuntime:
    return ServiceRuntime(name="case", settings=settings, alembic_ini=ALEMBIC_INI, produces=topics.CASES,
                          consumes=[topics.COMPLAINTS], handlers=HANDLERS)


def create_app(settings: CaseSettings | None = None) -> FastAPI:
    return service_app("Docket case service", runtime(settings or CaseSettings()), router)
