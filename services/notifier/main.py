"""The notifier's app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_messaging.http import service_app
from docket_messaging.service import ServiceRuntime

from .api import router
from .config import NotifierSettings
from .handlers import HANDLERS

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def runtime(settings: NotifierSettings) -> ServiceRuntime:
    return ServiceRuntime(name="notifier", settings=settings, alembic_ini=ALEMBIC_INI, produces=topics.NOTIFICATIONS,
                          consumes=[topics.COMPLAINTS, topics.CASES], handlers=HANDLERS)


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    return service_app("Docket notifier", runtime(settings or NotifierSettings()), router)
