"""Intake's app factory."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_messaging.http import service_app
from docket_messaging.service import ServiceRuntime

from .api import install_error_handlers, public, staff
from .config import IntakeSettings
from .handlers import HANDLERS
from .limits import BodySizeLimit, RateLimiter

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"
EVIDENCE_UPLOAD = re.compile(r"^/complaints/[^/]+/evidence$")


def runtime(settings: IntakeSettings) -> ServiceRuntime:
    return ServiceRuntime(name="intake", settings=settings, alembic_ini=ALEMBIC_INI, produces=topics.COMPLAINTS,
                          consumes=[topics.CASES], handlers=HANDLERS)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    app = service_app("Docket intake", runtime(settings), public, staff)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    install_error_handlers(app)

    def body_limit(path: str) -> int:
        # Evidence up to twice the file limit reaches the route, which names the rule (422); beyond, 413.
        return settings.evidence_max_bytes * 2 if EVIDENCE_UPLOAD.match(path) else settings.max_body_bytes

    app.add_middleware(BodySizeLimit, limit_for=body_limit)
    return app
