"""Intake's app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_messaging.http import service_app
from docket_messaging.service import ServiceRuntime

from .api import router
from .config import IntakeSettings

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def runtime(settings: IntakeSettings) -> ServiceRuntime:
    return ServiceRuntime(name="intake", settings=settings, alembic_ini=ALEMBIC_INI, produces=topics.COMPLAINTS)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    return service_app("Docket intake", runtime(settings or IntakeSettings()), router)
