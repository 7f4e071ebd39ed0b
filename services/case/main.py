"""The case service's app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.checkpoints import SigningKey
from docket_contracts.events import CHECKPOINT_HEADS
from docket_service.clock import Clock, SystemClock
from docket_service.http import service_app
from docket_service.limits import limit_bodies
from docket_service.runtime import ServiceRuntime, Worker, every
from services.case.metrics import ART78_OVERDUE, COOPERATION_PENDING

from . import readside
from .api import install_error_handlers, routers
from .application import fire_due_timers
from .checkpoints import sign_checkpoint
from .config import CaseSettings
from .cooperation import Directory, fire_cooperation_timers
from .exchange import Cooperation, cooperation_of
from .exchange.outbox import deliver_due, pending_count
from .handlers import EVENT_HANDLERS
from .handling import fire_letter_timers
from .store import PostgresCases

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


TIMER_BATCH = 100
COOPERATION_BATCH = 50


def runtime(
    settings: CaseSettings, clock: Clock | None = None, cooperation: Cooperation | None = None
) -> ServiceRuntime:
    clock = clock or SystemClock(settings.regulator_timezone)

    async def fire_timers(runtime: ServiceRuntime) -> int:
        async with runtime.sessions() as session:
            return await fire_due_timers(PostgresCases(session), clock, TIMER_BATCH)

    timers = every(settings.timer_interval_s, TIMER_BATCH, fire_timers)

    async def fire_letters(runtime: ServiceRuntime) -> int:
        async with runtime.sessions() as session:
            return await fire_letter_timers(PostgresCases(session), clock, TIMER_BATCH)

    letters = every(settings.timer_interval_s, TIMER_BATCH, fire_letters)

    async def fire_cooperation(runtime: ServiceRuntime) -> int:
        async with runtime.sessions() as session:
            return await fire_cooperation_timers(PostgresCases(session), clock, TIMER_BATCH)

    cooperation_deadlines = every(settings.timer_interval_s, TIMER_BATCH, fire_cooperation)

    async def overdue(session: AsyncSession) -> None:
        ART78_OVERDUE.set(await readside.overdue_count(session, clock.today()))

    async def has_signing_key(runtime: ServiceRuntime) -> None:
        settings.signing_key()  # refuses to serve without it, or with one that is no key

    workers = (
        {"timers": timers, "letter-timers": letters, "cooperation-timers": cooperation_deadlines}
        if settings.run_timers
        else {}
    )
    if settings.run_checkpoints:
        workers["checkpoints"] = checkpointing(settings, clock)
    measures = [overdue]
    if cooperation is not None:
        if settings.run_cooperation_deliveries:
            workers["cooperation"] = delivering(settings, cooperation)

        async def pending(session: AsyncSession) -> None:
            COOPERATION_PENDING.set(await pending_count(session))

        measures.append(pending)
    return ServiceRuntime(
        name="case",
        settings=settings,
        alembic_ini=ALEMBIC_INI,
        produces=topics.CASES,
        also_produces=[topics.CHECKPOINTS],
        consumes=[topics.COMPLAINTS, topics.NOTIFICATIONS],
        handlers=EVENT_HANDLERS,
        workers=workers,
        preparations=[has_signing_key],
        closers=[cooperation.peers.close] if cooperation else [],
        measures=measures,
    )


def delivering(settings: CaseSettings, cooperation: Cooperation) -> Worker:
    """The worker that delivers the cooperation outbox to the other authorities."""

    async def deliver(runtime: ServiceRuntime) -> int:
        return await deliver_due(
            runtime.sessions,
            cooperation.exchange,
            cooperation.peers,
            schedule=settings.retry_schedule(),
            batch_size=COOPERATION_BATCH,
            timeout_s=settings.cooperation_timeout_s,
        )

    return every(settings.cooperation_delivery_interval_s, COOPERATION_BATCH, deliver)


def checkpointing(settings: CaseSettings, clock: Clock) -> Worker:
    """The worker that signs a checkpoint of the heads that moved, every CHECKPOINT_INTERVAL_S (at once again
    while a checkpoint fills up)."""
    key: SigningKey | None = None

    async def sign(runtime: ServiceRuntime) -> int:
        nonlocal key
        key = key or settings.signing_key()
        async with runtime.sessions() as session:
            return await sign_checkpoint(session, key, clock.now(), settings.database_schema)

    return every(settings.checkpoint_interval_s, CHECKPOINT_HEADS, sign)


def create_app(settings: CaseSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or CaseSettings()
    clock = clock or SystemClock(settings.regulator_timezone)
    cooperation = cooperation_of(settings)
    app = service_app("Docket case service", runtime(settings, clock, cooperation), *routers)
    app.state.clock = clock
    app.state.cooperation = cooperation
    app.state.committee_quorum = settings.restricted_committee_quorum
    app.state.directory = Directory(settings.authority_id, settings.directory())
    install_error_handlers(app)
    limit_bodies(app, settings.max_body_bytes)
    return app
