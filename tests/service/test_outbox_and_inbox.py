"""The outbox and inbox against the real PostgreSQL, reached as a service reaches them: with its own role."""

import asyncio
import io
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from docket_contracts.envelope import CloudEvent
from docket_messaging.consumer import PostgresInbox, Record
from docket_messaging.outbox import Delivery, Fate, NotAllPublished, PostgresOutbox, add_to_outbox
from docket_messaging.postgres import Notifications
from docket_service.cli import outbox_command
from docket_service.database import make_engine, make_sessions, migrate
from docket_service.settings import ServiceSettings
from tests.conftest import MIGRATIONS

pytestmark = pytest.mark.service


@pytest.fixture
async def sessions(databases) -> AsyncIterator:
    engine = make_engine(databases.intake, "intake")
    yield make_sessions(engine)
    await engine.dispose()


def events(n: int) -> list[CloudEvent]:
    return [
        CloudEvent(
            type="docket.complaint.filed", source="/t", subject=str(uuid4()), dataschema="urn:x:v1", data={"n": i}
        )
        for i in range(n)
    ]


async def drain_others(outbox: PostgresOutbox) -> None:
    """Publish whatever earlier tests left, so the next batch holds only this test's rows."""

    async def discard(messages):
        return None

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

    async def fast(messages):
        return None

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


# Parking: a row the broker refuses for good no longer blocks the relay.


def keyed(*keys: str) -> list[CloudEvent]:
    """One event per key given, in that order (the key is the event's subject, as for a case)."""
    return [
        CloudEvent(type="docket.complaint.filed", source="/t", subject=key, dataschema="urn:x:v1", data={"n": n})
        for n, key in enumerate(keys)
    ]


def ce_id(message) -> str:
    return dict(message.headers)["ce_id"].decode()


class Broker:
    """A `send` that refuses the events in `refuse` for good (or fails them for a while if `failing`) and,
    as KafkaPublisher does, sends nothing of a key after one of its messages that was not acknowledged."""

    def __init__(self, refuse: set[str] = frozenset(), failing: bool = False) -> None:
        self.refuse, self.failing = set(refuse), failing
        self.sent: list[str] = []

    async def __call__(self, messages):
        stopped, fates = set(), []
        for m in messages:
            if (m.topic, m.key) in stopped:
                fates.append(Delivery.held())
            elif ce_id(m) in self.refuse:
                stopped.add((m.topic, m.key))
                error = ConnectionError("broker away") if self.failing else RuntimeError("too large")
                fates.append(
                    Delivery.failed(error)
                    if self.failing
                    else Delivery(Fate.REFUSED, "MessageSizeTooLargeError: The message is 2000000 bytes")
                )
            else:
                self.sent.append(ce_id(m))
                fates.append(Delivery.ok())
        return fates


async def states(sessions, ids) -> dict[str, tuple[bool, bool, str | None]]:
    """(published, parked, park_reason) of each event."""
    async with sessions() as session:
        rows = (
            await session.exec(
                sa.text(
                    "SELECT event_id, published_at IS NOT NULL, parked_at IS NOT NULL, park_reason FROM outbox "
                    "WHERE event_id = ANY(:ids)"
                ).bindparams(ids=list(ids))
            )
        ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def test_a_refused_row_is_parked_the_later_rows_of_its_key_held_and_other_keys_flow(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    case_a, case_b, case_c = (str(uuid4()) for _ in range(3))
    a1, b1, a2, c1, b2 = batch = keyed(case_a, case_b, case_a, case_c, case_b)
    async with sessions() as session, session.begin():
        add_to_outbox(session, batch, "docket.cases")
    broker = Broker(refuse={a1.id})

    assert await outbox.publish_batch(broker, 10) == 4  # 3 published, 1 parked; a2 held
    assert broker.sent == [b1.id, c1.id, b2.id]
    found = await states(sessions, [e.id for e in batch])
    assert found[a1.id] == (False, True, "MessageSizeTooLargeError: The message is 2000000 bytes")
    assert found[a2.id] == (False, False, None)
    assert all(found[e.id][0] for e in (b1, c1, b2))

    # Nothing more is due: a2 is held, and so is a later event of case a; another case's flows.
    [a3, d1] = later = keyed(case_a, str(uuid4()))
    async with sessions() as session, session.begin():
        add_to_outbox(session, later, "docket.cases")
    broker = Broker()
    assert await outbox.publish_batch(broker, 10) == 1 and broker.sent == [d1.id]
    assert await outbox.publish_batch(broker, 10) == 0

    [parked] = await outbox.parked()
    assert (parked.key, parked.type, parked.held) == (case_a, "docket.complaint.filed", 2)
    assert parked.reason.startswith("MessageSizeTooLargeError") and parked.parked_at is not None

    # Once the cause is fixed: resent, and the held rows after it, in their original order.
    assert await outbox.resend([parked.id]) == [parked.id]
    assert await outbox.publish_batch(broker, 10) == 3
    assert broker.sent == [d1.id, a1.id, a2.id, a3.id]
    assert await outbox.parked() == [] and await outbox.pending() == 0


async def test_a_refused_row_refused_again_after_resend_is_parked_again_and_still_holds_its_key(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    key = str(uuid4())
    first, _second = batch = keyed(key, key)
    async with sessions() as session, session.begin():
        add_to_outbox(session, batch, "docket.cases")
    broker = Broker(refuse={first.id})
    assert await outbox.publish_batch(broker, 10) == 1
    assert await outbox.resend(None) == [(await states_ids(sessions, first.id))]
    assert await outbox.publish_batch(broker, 10) == 1  # refused again: parked again, second still held
    assert broker.sent == []
    [parked] = await outbox.parked()
    assert parked.held == 1
    await outbox.resend(None)
    assert await outbox.publish_batch(Broker(), 10) == 2
    assert await outbox.pending() == 0


async def states_ids(sessions, event_id: str) -> int:
    async with sessions() as session:
        return (await session.exec(sa.text("SELECT id FROM outbox WHERE event_id = :e").bindparams(e=event_id))).one()[
            0
        ]


async def test_rows_that_fail_for_a_while_stay_pending_unparked_and_the_acknowledged_are_marked(sessions):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    key = str(uuid4())
    ok, failing, behind = batch = keyed(str(uuid4()), key, key)
    async with sessions() as session, session.begin():
        add_to_outbox(session, batch, "docket.cases")
    with pytest.raises(NotAllPublished, match="1 of 3 outbox rows not acknowledged: ConnectionError"):
        await outbox.publish_batch(Broker(refuse={failing.id}, failing=True), 10)
    found = await states(sessions, [e.id for e in batch])
    assert found == {ok.id: (True, False, None), failing.id: (False, False, None), behind.id: (False, False, None)}
    assert await outbox.parked() == []
    broker = Broker()
    assert await outbox.publish_batch(broker, 10) == 2 and broker.sent == [failing.id, behind.id]


async def test_the_outbox_command_lists_parked_rows_and_resends_chosen_ones(sessions, databases):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    key_a, key_b = str(uuid4()), str(uuid4())
    a1, a2, b1 = batch = keyed(key_a, key_a, key_b)
    async with sessions() as session, session.begin():
        add_to_outbox(session, batch, "docket.cases")
    await outbox.publish_batch(Broker(refuse={a1.id, b1.id}), 10)
    settings = ServiceSettings(
        database_url=databases.intake, database_schema="intake", http_port=1, oidc_issuer="http://unused.example"
    )

    out = io.StringIO()
    assert await outbox_command(settings, ["parked"], out=out) == 0
    header, first, second, total = out.getvalue().splitlines()
    assert header.split() == ["id", "key", "type", "parked", "since", "held", "reason"]
    assert key_a in first and " 1 " in first and "MessageSizeTooLargeError" in first
    assert key_b in second and " 0 " in second
    assert total == "2 parked row(s), 1 row(s) held behind them"

    parked = {row.key: row.id for row in await outbox.parked()}
    out = io.StringIO()
    assert await outbox_command(settings, ["resend", str(parked[key_a]), "999999999"], out=out) == 1
    assert f"unparked 1 row(s): {parked[key_a]}" in out.getvalue()
    assert "not parked (already published, or no such row): 999999999" in out.getvalue()
    broker = Broker()
    await outbox.publish_batch(broker, 10)
    assert broker.sent == [a1.id, a2.id]

    out = io.StringIO()
    assert await outbox_command(settings, ["resend", "--all"], out=out) == 0
    assert (
        out.getvalue() == f"unparked 1 row(s): {parked[key_b]}; the relay sends them and the rows held behind "
        f"them, in order\n"
    )
    await outbox.publish_batch(broker, 10)
    out = io.StringIO()
    assert await outbox_command(settings, ["parked"], out=out) == 0
    assert out.getvalue() == "no parked outbox rows\n"


async def test_resend_wakes_the_relay(sessions, databases):
    outbox = PostgresOutbox(sessions, "intake")
    await drain_others(outbox)
    [event] = keyed(str(uuid4()))
    async with sessions() as session, session.begin():
        add_to_outbox(session, [event], "docket.cases")
    await outbox.publish_batch(Broker(refuse={event.id}), 10)
    notifications = Notifications(databases.intake, "intake_outbox")
    await notifications.wait(0.01)
    waiter = asyncio.create_task(notifications.wait(10))
    await asyncio.sleep(0.05)
    assert len(await outbox.resend(None)) == 1
    await asyncio.wait_for(waiter, 5)
    await notifications.close()
    await drain_others(outbox)


async def test_the_parking_columns_come_and_go_with_their_revision(databases, database_url):
    schema = f"p_{uuid4().hex[:8]}"
    engine = make_engine(database_url, "public")
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}" AUTHORIZATION docket_migrator'))

    async def columns() -> set[str]:
        async with engine.connect() as connection:
            return set(
                (
                    await connection.execute(
                        sa.text(
                            "SELECT column_name FROM information_schema.columns"
                            " WHERE table_schema = :s AND table_name = 'outbox'"
                        ).bindparams(s=schema)
                    )
                ).scalars()
            )

    for service, before in (("intake", "0003"), ("case", "0004"), ("notifier", "0004")):
        ini = MIGRATIONS[service]
        await asyncio.to_thread(migrate, ini, databases.migrator, schema)
        assert {"parked_at", "park_reason"} <= await columns()
        config = Config(str(ini))
        config.attributes.update(database_url=databases.migrator, schema=schema)
        await asyncio.to_thread(command.downgrade, config, before)
        assert not {"parked_at", "park_reason"} & await columns()
        await asyncio.to_thread(command.downgrade, config, "base")
        async with engine.begin() as connection:  # the next history starts from an empty schema
            await connection.execute(sa.text(f'DROP TABLE IF EXISTS "{schema}".alembic_version'))
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()
