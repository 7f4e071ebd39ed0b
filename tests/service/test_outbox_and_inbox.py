"""The outbox and inbox against the real PostgreSQL, reached as a service reaches them: with its own role."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
import sqlalchemy as sa

from docket_contracts.envelope import CloudEvent
from docket_messaging.consumer import PostgresInbox, Record
from docket_messaging.database import Notifications, make_engine, make_sessions
from docket_messaging.outbox import PostgresOutbox, add_to_outbox

pytestmark = pytest.mark.service


@pytest.fixture
async def sessions(databases) -> AsyncIterator:
    engine = make_engine(databases.intake, "intake")
    yield make_sessions(engine)
    await engine.dispose()


def events(n: int) -> list[CloudEvent]:
    return [CloudEvent(type="docket.complaint.filed", source="/t", subject=str(uuid4()), dataschema="urn:x:v1",
                       data={"n": i}) for i in range(n)]


async def drain_others(outbox: PostgresOutbox) -> None:
    """Publish whatever earlier tests left, so the next batch holds only this test's rows."""
    async def discard(messages): return None
    while await outbox.publish_batch(discard, 1000):
        pass


async def test_committed_rows_are_published_in_order_and_marked(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    batch = events(5)
    async with sessions() as session, session.begin():
        add_to_outbox(session, batch, "docket.complaints")
    sent: list = []

    async def send(messages):
        sent.extend(messages)

    assert await outbox.publish_batch(send, 3) == 3
    assert await outbox.publish_batch(send, 3) == 2
    assert await outbox.publish_batch(send, 3) == 0
    assert [dict(m.headers)["ce_id"].decode() for m in sent] == [e.id for e in batch]
    assert {m.key for m in sent} == {e.subject.encode() for e in batch}


async def test_a_rolled_back_transaction_leaves_nothing_to_publish(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            add_to_outbox(session, events(2), "docket.complaints")
            await session.flush()
            raise RuntimeError("the state change failed")
    assert await outbox.pending() == 0


async def test_a_failed_send_leaves_the_rows_pending(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    async with sessions() as session, session.begin():
        add_to_outbox(session, events(2), "docket.complaints")

    async def broken(messages):
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        await outbox.publish_batch(broken, 10)
    assert await outbox.pending() == 2
    await drain_others(outbox)


async def test_only_one_relay_publishes_at_a_time(sessions):
    outbox_a, outbox_b = PostgresOutbox(sessions, "intake"), PostgresOutbox(sessions, "intake")
    await drain_others(outbox_a)
    async with sessions() as session, session.begin():
        add_to_outbox(session, events(4), "docket.complaints")
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow(messages):
        inside.set()
        await release.wait()

    first = asyncio.create_task(outbox_a.publish_batch(slow, 2))
    await inside.wait()

    async def fast(messages): return None
    assert await outbox_b.publish_batch(fast, 10) == 0  # the other relay holds the lock
    release.set()
    assert await first == 2
    assert await outbox_b.publish_batch(fast, 10) == 2


async def test_an_insert_into_the_outbox_wakes_the_listener(sessions, databases):
    notifications = Notifications(databases.intake, "intake_outbox")
    await notifications.wait(0.01)  # connects and listens
    waiter = asyncio.create_task(notifications.wait(10))
    async with sessions() as session, session.begin():
        add_to_outbox(session, events(1), "docket.complaints")
    await asyncio.wait_for(waiter, 5)
    await notifications.close()
    await drain_others(PostgresOutbox(sessions, "intake"))


async def test_the_inbox_applies_an_event_once_and_rolls_back_with_a_failing_handler(sessions):
    inbox = PostgresInbox(sessions)
    [event] = events(1)
    record = Record(topic="docket.complaints", partition=0, offset=7, key=None, value=None, headers=[])
    calls = []

    async def failing(session, e, payload):
        await session.exec(sa.text("SELECT 1"))
        raise ValueError("boom")

    async def handler(session, e, payload):
        calls.append(e.id)

    with pytest.raises(ValueError):
        await inbox.apply(record, event, None, failing)
    assert await inbox.apply(record, event, None, handler) is True  # the failed attempt left no inbox row
    assert await inbox.apply(record, event, None, handler) is False
    assert calls == [event.id]
