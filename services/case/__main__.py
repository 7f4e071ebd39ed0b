import logging

from docket_contracts import topics
from docket_service.cli import main
from docket_service.database import make_engine, make_sessions

from . import readside, verification
from .config import CaseSettings
from .exchange.outbox import resend_given_up
from .main import ALEMBIC_INI, create_app


async def rebuild_projections(settings: CaseSettings) -> None:
    """Empty the case list, case detail and Art 78(2) projections and replay the event store into them, the cases
    folded in REBUILD_PROCESSES processes."""
    processes = settings.rebuild_processes or readside.cores()
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        async with make_sessions(engine)() as session, session.begin():
            replayed = await readside.rebuild_projections(session, processes=processes)
        logging.getLogger("docket.case").info("projections rebuilt from %d events in %d processes", replayed, processes)
    finally:
        await engine.dispose()


async def verify_integrity(settings: CaseSettings) -> None:
    """Walk every case's hash chain and check the store against the events and checkpoints published on Kafka;
    print each broken stream and each disagreement; exit 1 if any (verification.py)."""
    if status := await verification.verify_integrity(settings):
        raise SystemExit(status)


async def resend_cooperation(settings: CaseSettings) -> None:
    """Put the cooperation messages given up back in line for the delivery worker (exchange/outbox.py)."""
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        async with make_sessions(engine)() as session, session.begin():
            resent = await resend_given_up(session)
        logging.getLogger("docket.case").info("%d cooperation message(s) given up put back in line", resent)
    finally:
        await engine.dispose()


main(
    CaseSettings,
    create_app,
    ALEMBIC_INI,
    name="case",
    produces=topics.CASES,
    also_produces=[topics.CHECKPOINTS],
    tasks={
        "rebuild-projections": rebuild_projections,
        "verify-integrity": verify_integrity,
        "resend-cooperation": resend_cooperation,
    },
)
