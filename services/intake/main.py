"""Intake's app factory."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock, SystemClock
from docket_service.database import warm
from docket_service.http import service_app
from docket_service.limits import limit_bodies
from docket_service.runtime import ServiceRuntime

from .api import install_error_handlers, routers
from .config import IntakeSettings
from .handlers import EVENT_HANDLERS
from .limits import RateLimiter, Uploads, forgetting

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"
EVIDENCE_UPLOAD = re.compile(r"^/complaints/[^/]+/evidence$")


def runtime(settings: IntakeSettings, personal: PersonalData | None = None) -> ServiceRuntime:
    personal = personal or settings.personal_data()
    return ServiceRuntime(
        name="intake",
        settings=settings,
        alembic_ini=ALEMBIC_INI,
        produces=topics.COMPLAINTS,
        consumes=[topics.CASES, topics.NOTIFICATIONS],
        handlers=EVENT_HANDLERS,
        workers={"rate limits": forgetting},
        migrations=settings.keystore_migrations(),
        preparations=[lambda started: warm(started.engine, settings.database_pool_size)],
        closers=[personal.keystore.close],
    )


def create_app(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    personal = settings.personal_data()
    app = service_app("Docket intake", runtime(settings, personal), *routers)
    app.state.clock = clock or SystemClock(settings.regulator_timezone)
    app.state.personal = personal
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.uploads = Uploads(settings.evidence_concurrent_uploads)
    install_error_handlers(app)

    def body_limit(path: str) -> int:
        # Evidence up to twice the file limit reaches the route, which names the rule (422); beyond, 413.
        return settings.evidence_max_bytes * 2 if EVIDENCE_UPLOAD.match(path) else settings.max_body_bytes

    limit_bodies(app, body_limit)
    return app
