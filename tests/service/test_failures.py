"""Failures classified by what they are, each produced by the real PostgreSQL: a terminated connection
(57P01), a deadlock (40P01), a serialization failure (40001), too many connections (53300), a read-only
transaction (25006), a cut connection (08003) and a closed port. Each is transient: the consumer retries
without limit, the event is applied once the condition clears and nothing is dead-lettered. A genuine handler
bug is dead-lettered after its attempts.

A throwaway schema (or database, with a role of its own) with an inbox and a tiny handler, through the
real PostgresInbox and InboxConsumer; no service.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import ComplaintWithdrawn
from docket_contracts.registry import new_event
from docket_devstack.ports import free_port
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.consumer import HEALTH_PART, InboxConsumer, Outcome, PostgresInbox, Record
from docket_messaging.failures import describe, is_transient, sqlstate, sqlstates
from docket_messaging.health import Health
from docket_messaging.postgres import asyncpg_dsn
from docket_messaging.tables import InboxRow
from docket_service.database import make_engine, make_sessions
from tests.conftest import fresh_database

pytestmark = pytest.mark.service

EVENT_TYPE = "docket.complaint.withdrawn"
# What consumer.py used to retry without limit: everything else counted as a failure of the event.
FORMERLY_TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError, OSError)


def withdrawn(offset: int = 0) -> Record:
    payload = ComplaintWithdrawn(complaint_id=uuid.uuid4(), withdrawn_on=date(2021, 3, 1))
    message = encode(
        new_event(payload, source="/docket/intake", subject=str(payload.complaint_id)), "docket.complaints"
    )
    return Record(
        topic=message.topic, partition=0, offset=offset, key=message.key, value=message.value, headers=message.headers
    )


@dataclass
class DeadLetters:
    sent: list[KafkaMessage] = field(default_factory=list)

    async def publish(self, messages) -> None:
        self.sent.extend(messages)


class RecordingInbox:
    """The real PostgresInbox, keeping every failure of `apply` so that a test can look at it."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._inner = PostgresInbox(sessions)
        self.failures: list[BaseException] = []

    async def apply(self, record, event, payload, handler) -> bool:
        try:
            return await self._inner.apply(record, event, payload, handler)
        except Exception as exc:
            self.failures.append(exc)
            raise


Handler = Callable[[AsyncSession, object, object], Awaitable[None]]


async def record_effect(session: AsyncSession, event, payload) -> None:
    await session.exec(sa.text("INSERT INTO effects (event_id) VALUES (:id)").bindparams(id=event.id))


def consumer(
    inbox: RecordingInbox,
    dead_letters: DeadLetters,
    handler: Handler,
    health: Health | None = None,
    max_attempts: int = 3,
) -> InboxConsumer:
    return InboxConsumer(
        "docket-failures",
        {EVENT_TYPE: handler},
        inbox,
        dead_letters,
        max_attempts=max_attempts,
        retry_delay=0.05,
        max_retry_delay=0.3,
        health=health,
    )


async def create_tables(engine: AsyncEngine) -> None:
    """The inbox, the handler's effects, and two counters to deadlock on, in the engine's schema."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: InboxRow.__table__.create(sync))
        await connection.execute(sa.text("CREATE TABLE effects (event_id text PRIMARY KEY)"))
        await connection.execute(sa.text("CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)"))
        await connection.execute(sa.text("INSERT INTO counters VALUES (1, 0), (2, 0)"))


async def effects(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(sa.text("SELECT event_id FROM effects"))).scalars())


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


@dataclass
class Scratch:
    schema: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def scratch(databases) -> AsyncIterator[Scratch]:
    """A throwaway schema in Docket's database, used as the superuser (who may SET deadlock_timeout)."""
    schema = f"failures_{uuid.uuid4().hex[:8]}"
    engine = make_engine(databases.admin, schema)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    await create_tables(engine)
    yield Scratch(schema, engine, make_sessions(engine))
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


@dataclass
class OwnDatabase:
    """A database of its own with a role of its own (never the shared docket roles), for the tests that
    change the role: its connection limit, its default transaction mode."""

    postgres: EmbeddedPostgres
    name: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def alter_role(self, setting: str) -> None:
        self.postgres.psql("postgres", f'ALTER ROLE "{self.name}" {setting}')


@pytest.fixture
async def own_database(postgres) -> AsyncIterator[OwnDatabase]:
    name = f"failures_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(fresh_database, postgres, name)
    await asyncio.to_thread(
        postgres.psql, name, f'CREATE ROLE "{name}" LOGIN; CREATE SCHEMA scratch AUTHORIZATION "{name}";'
    )
    url = postgres.url(name).replace("://postgres@", f"://{name}@")
    engine = make_engine(url, "scratch")
    await create_tables(engine)
    yield OwnDatabase(postgres, name, engine, make_sessions(engine))
    await engine.dispose()
    await asyncio.to_thread(postgres.psql, "postgres", f'DROP DATABASE "{name}" WITH (FORCE); DROP ROLE "{name}";')


def assert_transient(failure: BaseException, code: str) -> None:
    assert code in sqlstates(failure), describe(failure)
    assert is_transient(failure), describe(failure)


async def test_57P01_the_handler_s_connection_terminated_mid_transaction(scratch, postgres):
    pids: asyncio.Queue[int] = asyncio.Queue()

    async def handler(session, event, payload) -> None:
        await record_effect(session, event, payload)
        if pids.empty() and not terminated.is_set():
            pids.put_nowait(await session.scalar(sa.text("SELECT pg_backend_pid()")))
            await session.exec(sa.text("SELECT pg_sleep(30)"))

    terminated = asyncio.Event()
    inbox, dead_letters, health = RecordingInbox(scratch.sessions), DeadLetters(), Health()
    record = withdrawn()
    processing = asyncio.create_task(consumer(inbox, dead_letters, handler, health).process(record))
    pid = await asyncio.wait_for(pids.get(), 10)
    await asyncio.sleep(0.2)  # inside pg_sleep, the inbox row and the effect written but not committed
    terminated.set()
    await asyncio.to_thread(postgres.psql, "docket", f"SELECT pg_terminate_backend({pid})")

    assert await asyncio.wait_for(processing, 30) is Outcome.APPLIED
    [failure] = inbox.failures
    # asyncpg: "connection was closed in the middle of operation" (08003), caused by the server's 57P01
    assert sqlstates(failure) == ["08003", "57P01"]
    assert_transient(failure, "57P01")
    assert isinstance(failure, sa.exc.DBAPIError) and not isinstance(failure, FORMERLY_TRANSIENT)
    assert dead_letters.sent == []
    assert len(await effects(scratch.engine)) == 1
    assert health.parts()[HEALTH_PART].ok


async def test_40P01_a_real_deadlock_between_the_handler_and_another_transaction(scratch, databases):
    handler_holds_1, other_holds_2 = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def handler(session, event, payload) -> None:
        nonlocal attempts
        attempts += 1
        await session.exec(sa.text("UPDATE counters SET n = n + 1 WHERE id = 1"))
        if attempts == 1:
            handler_holds_1.set()
            await other_holds_2.wait()
        await session.exec(sa.text("UPDATE counters SET n = n + 1 WHERE id = 2"))
        await record_effect(session, event, payload)

    async def other() -> None:
        """Takes the rows in the other order, and waits long before looking for a deadlock, so that the
        handler's backend (deadlock_timeout 1s) is the one that finds it and is rolled back."""
        connection = await asyncpg.connect(
            asyncpg_dsn(databases.admin), server_settings={"search_path": scratch.schema}
        )
        try:
            async with connection.transaction():
                await connection.execute("SET LOCAL deadlock_timeout = '30s'")
                await connection.execute("UPDATE counters SET n = n + 10 WHERE id = 2")
                await handler_holds_1.wait()
                other_holds_2.set()
                await connection.execute("UPDATE counters SET n = n + 10 WHERE id = 1")
        finally:
            await connection.close()

    inbox, dead_letters = RecordingInbox(scratch.sessions), DeadLetters()
    concurrent = asyncio.create_task(other())
    outcome = await asyncio.wait_for(consumer(inbox, dead_letters, handler).process(withdrawn()), 30)
    await asyncio.wait_for(concurrent, 30)

    assert outcome is Outcome.APPLIED and attempts == 2
    [failure] = inbox.failures
    assert_transient(failure, "40P01")
    assert not isinstance(failure, FORMERLY_TRANSIENT)
    assert dead_letters.sent == []
    async with scratch.engine.connect() as connection:
        counters = dict((await connection.execute(sa.text("SELECT id, n FROM counters"))).all())
    assert counters == {1: 11, 2: 11}  # the other transaction committed; the handler's retry applied once


async def test_53300_too_many_connections_for_the_role(own_database):
    await own_database.engine.dispose()  # no connection kept from setting up: the next one is refused
    await asyncio.to_thread(own_database.alter_role, "CONNECTION LIMIT 0")
    inbox, dead_letters, health = RecordingInbox(own_database.sessions), DeadLetters(), Health(grace_s=0.2)
    processing = asyncio.create_task(consumer(inbox, dead_letters, record_effect, health).process(withdrawn()))
    try:
        await until(lambda: len(inbox.failures) >= 4)  # more than max_attempts (3): never dead-lettered
        assert "consumer" in health.failing() and "SQLSTATE 53300" in health.failing()["consumer"]
    finally:
        await asyncio.to_thread(own_database.alter_role, "CONNECTION LIMIT -1")

    assert await asyncio.wait_for(processing, 30) is Outcome.APPLIED
    assert_transient(inbox.failures[0], "53300")
    assert not isinstance(inbox.failures[0], FORMERLY_TRANSIENT)
    assert dead_letters.sent == [] and len(await effects(own_database.engine)) == 1
    assert health.failing() == {}


async def test_25006_a_read_only_transaction_as_after_a_failover(own_database):
    await asyncio.to_thread(own_database.alter_role, "SET default_transaction_read_only = on")
    await own_database.engine.dispose()  # new connections, as to a server that became a standby
    inbox, dead_letters = RecordingInbox(own_database.sessions), DeadLetters()
    processing = asyncio.create_task(consumer(inbox, dead_letters, record_effect).process(withdrawn()))
    try:
        await until(lambda: len(inbox.failures) >= 4)
    finally:
        await asyncio.to_thread(own_database.alter_role, "RESET default_transaction_read_only")

    # Applied on a new connection: the read-only one is dropped after a transient failure, not pooled again.
    assert await asyncio.wait_for(processing, 30) is Outcome.APPLIED
    assert_transient(inbox.failures[0], "25006")
    assert not isinstance(inbox.failures[0], FORMERLY_TRANSIENT)
    assert dead_letters.sent == [] and len(await effects(own_database.engine)) == 1


async def test_40001_a_serialization_failure_under_repeatable_read(own_database, postgres):
    """The role's transactions are REPEATABLE READ: the handler's snapshot predates a concurrent update of
    the row it then updates, which PostgreSQL refuses with 40001."""
    await asyncio.to_thread(own_database.alter_role, "SET default_transaction_isolation = 'repeatable read'")
    await own_database.engine.dispose()
    first_read, other_committed = asyncio.Event(), asyncio.Event()

    async def handler(session, event, payload) -> None:
        await session.exec(sa.text("SELECT n FROM counters WHERE id = 1"))
        if not first_read.is_set():
            first_read.set()
            await other_committed.wait()
        await session.exec(sa.text("UPDATE counters SET n = n + 1 WHERE id = 1"))
        await record_effect(session, event, payload)

    async def other() -> None:
        await first_read.wait()
        await asyncio.to_thread(postgres.psql, own_database.name, "UPDATE scratch.counters SET n = n + 10 WHERE id = 1")
        other_committed.set()

    inbox, dead_letters = RecordingInbox(own_database.sessions), DeadLetters()
    concurrent = asyncio.create_task(other())
    try:
        outcome = await asyncio.wait_for(consumer(inbox, dead_letters, handler).process(withdrawn()), 30)
    finally:
        await asyncio.to_thread(own_database.alter_role, "RESET default_transaction_isolation")
    await concurrent
    assert outcome is Outcome.APPLIED
    [failure] = inbox.failures
    assert_transient(failure, "40001")
    assert not isinstance(failure, FORMERLY_TRANSIENT)
    assert dead_letters.sent == [] and len(await effects(own_database.engine)) == 1
    async with own_database.engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT n FROM counters WHERE id = 1"))).scalar_one() == 11


class Proxy:
    """A TCP proxy in front of PostgreSQL that can be cut: its port closed and its connections dropped
    without a word from the server, as when a network or a host goes away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._links |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


async def test_08_a_connection_cut_mid_transaction_then_a_closed_port(scratch, postgres):
    proxy = Proxy((postgres.host, postgres.port))
    await proxy.open()
    engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/docket", scratch.schema)
    inside = asyncio.Event()

    async def handler(session, event, payload) -> None:
        await record_effect(session, event, payload)
        if not inside.is_set():
            inside.set()
            await session.exec(sa.text("SELECT pg_sleep(2)"))  # the orphaned backend rolls back after this

    inbox, dead_letters = RecordingInbox(make_sessions(engine)), DeadLetters()
    processing = asyncio.create_task(consumer(inbox, dead_letters, handler).process(withdrawn()))
    try:
        await asyncio.wait_for(inside.wait(), 10)
        await asyncio.sleep(0.2)
        await proxy.cut()
        await until(lambda: len(inbox.failures) >= 4)  # the cut, then refusals at the closed port
        await proxy.open()
        assert await asyncio.wait_for(processing, 30) is Outcome.APPLIED
    finally:
        await proxy.cut()
        await engine.dispose()

    cut, *refused = inbox.failures
    assert_transient(cut, "08003")  # asyncpg: the connection was closed in the middle of the operation
    assert refused and all(is_transient(failure) for failure in refused)
    assert any(
        isinstance(failure, ConnectionRefusedError) or isinstance(getattr(failure, "orig", None), OSError)
        for failure in refused
    ), [describe(f) for f in refused]
    assert dead_letters.sent == [] and len(await effects(scratch.engine)) == 1


async def test_a_genuine_handler_bug_is_dead_lettered_after_its_attempts(scratch):
    async def buggy(session, event, payload) -> None:
        await record_effect(session, event, payload)
        raise ValueError(f"cannot handle {event.subject}")  # a value in the message: must not leak

    inbox, dead_letters = RecordingInbox(scratch.sessions), DeadLetters()
    record = withdrawn()
    assert await consumer(inbox, dead_letters, buggy, max_attempts=3).process(record) is Outcome.DEAD_LETTERED
    assert len(inbox.failures) == 3 and not any(is_transient(f) for f in inbox.failures)
    [letter] = dead_letters.sent
    reason = dict(letter.headers)["dlq_reason"].decode()
    assert reason == "handler failed 3 times: ValueError" and record.key.decode() not in reason
    assert await effects(scratch.engine) == []  # each attempt rolled back, the inbox row with it
    async with scratch.engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT count(*) FROM inbox"))).scalar_one() == 0


async def test_a_constraint_violation_is_not_transient_and_names_no_value(scratch):
    async def duplicate(session, event, payload) -> None:
        await session.exec(sa.text("INSERT INTO effects VALUES ('Jeanne Dupont'), ('Jeanne Dupont')"))

    inbox, dead_letters = RecordingInbox(scratch.sessions), DeadLetters()
    assert await consumer(inbox, dead_letters, duplicate).process(withdrawn()) is Outcome.DEAD_LETTERED
    assert sqlstate(inbox.failures[0]) == "23505" and not is_transient(inbox.failures[0])
    reason = dict(dead_letters.sent[0].headers)["dlq_reason"].decode()
    assert "23505" in reason and "Jeanne" not in reason


async def test_any_caller_of_the_engine_gets_a_fresh_connection_after_one_met_a_failover(own_database):
    """Not only the consumer: an API request on a pooled connection that reached a standby (25006) must not
    leave that connection in the pool for the next request."""
    engine = make_engine(
        str(own_database.engine.url.render_as_string(hide_password=False)), "scratch", pool_size=1, max_overflow=0
    )
    try:
        await asyncio.to_thread(own_database.alter_role, "SET default_transaction_read_only = on")
        with pytest.raises(sa.exc.DBAPIError) as refused:
            async with engine.begin() as connection:
                await connection.execute(sa.text("INSERT INTO scratch.effects (event_id) VALUES ('x')"))
        assert "25006" in sqlstates(refused.value)
        await asyncio.to_thread(own_database.alter_role, "RESET default_transaction_read_only")
        async with engine.begin() as connection:  # the only connection of the pool was replaced
            await connection.execute(sa.text("INSERT INTO scratch.effects (event_id) VALUES ('y')"))
    finally:
        await engine.dispose()
