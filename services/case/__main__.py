import logging

from docket_messaging.cli import main
from docket_messaging.database import make_engine, make_sessions

from . import store
from .config import CaseSettings
from .main import ALEMBIC_INI, create_app, runtime


async def rebuild_projections(settings: CaseSettings) -> None:
    """Empty the case list, case detail and Art 78(2) projections and replay the event store into them."""
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        async with make_sessions(engine)() as session, session.begin():
            replayed = await store.rebuild_projections(session)
        logging.getLogger("docket.case").info("projections rebuilt from %d events", replayed)
    finally:
        await engine.dispose()


main(CaseSettings(), create_app, runtime, ALEMBIC_INI, tasks={"rebuild-projections": rebuild_projections})
