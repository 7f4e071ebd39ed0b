"""Filing without the ORM: the complaint and its complaint.filed outbox row are one statement, so one
transaction, committed when it returns."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from docket_service.database import make_engine, make_sessions
from services.intake import store
from tests.factories import complaint_filed, sealed

pytestmark = pytest.mark.service


@pytest.fixture
async def sessions(databases):
    engine = make_engine(databases.intake, "intake")  # intake's own role, as the service connects
    yield make_sessions(engine)
    await engine.dispose()


async def rows(sessions, filed) -> tuple[int, int]:
    async with sessions() as session:
        complaints = await session.scalar(
            sa.text("SELECT count(*) FROM complaints WHERE id = :id"), {"id": filed.complaint_id}
        )
        events = await session.scalar(
            sa.text("SELECT count(*) FROM outbox WHERE key = :key"), {"key": str(filed.complaint_id)}
        )
    return complaints, events


async def test_a_complaint_is_committed_with_its_event_by_the_time_filing_returns(sessions):
    filed = complaint_filed()
    async with sessions() as session:
        await store.file(session, filed, sealed(filed.complaint_id, "narrative"), "digest")
    assert await rows(sessions, filed) == (1, 1)  # read on another connection: committed


async def test_a_complaint_whose_event_cannot_be_stored_is_not_stored_either(sessions):
    first, second = complaint_filed(), complaint_filed()
    async with sessions() as session:
        await store.file(session, first, sealed(first.complaint_id, "narrative"), "digest")
    parameters = store.filing_parameters(second, sealed(second.complaint_id, "narrative"), "digest")
    async with sessions() as session:
        taken = await session.scalar(
            sa.text("SELECT event_id FROM outbox WHERE key = :key"), {"key": str(first.complaint_id)}
        )
    async with sessions() as session:
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        with pytest.raises(sa.exc.IntegrityError):
            await connection.execute(store.FILING, parameters | {"o_event_id": taken})  # the event's id is taken
    assert await rows(sessions, second) == (0, 0)


async def test_within_a_transaction_filing_commits_or_rolls_back_with_it(sessions):
    kept, dropped = complaint_filed(), complaint_filed()
    async with sessions() as session, session.begin():
        await store.add_complaint(session, kept, sealed(kept.complaint_id, "narrative"), "digest")
    async with sessions() as session:
        transaction = await session.begin()
        await store.add_complaint(session, dropped, sealed(dropped.complaint_id, "narrative"), "digest")
        await transaction.rollback()
    assert (await rows(sessions, kept), await rows(sessions, dropped)) == ((1, 1), (0, 0))
