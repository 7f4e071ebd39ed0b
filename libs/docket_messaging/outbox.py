"""The transactional outbox: events are added in the same transaction as the state change,
and claimed in order by one relay at a time.

A relay publishes under a lease (`PostgresOutbox.lease`): a session-level advisory lock, held on a connection of
its own for as long as it publishes, so that only one relay of a service publishes at a time. Under it the relay
claims the next rows in insertion order, leaving out those it has claimed and not yet settled (they are on
their way to the broker), and settles each batch once the broker answered: the acknowledged rows marked
published, the refused ones parked. A relay that dies between sending and marking leaves its rows unpublished;
they are sent again: at least once, deduplicated by consumers.

A row the broker refuses for good (too large, an invalid topic) is parked with the reason, so that it
cannot block the relay; the rows of the same key behind it are held, because a consumer must see a case's
events in the order they happened; the rows of other keys flow. `resend` unparks rows after the cause is
fixed, and the relay sends them and the rows held behind them in their original order.
"""

from __future__ import annotations

import enum
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSessionTransaction, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent

from .codec import KafkaMessage, encode_stored
from .ddl import outbox_channel
from .failures import describe, is_transient
from .postgres import run
from .tables import OutboxRow, table_of

log = logging.getLogger(__name__)

MAX_REASON = 2000


class Fate(enum.Enum):
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"  # for good: sending it again as it is cannot succeed
    FAILED = "failed"  # for a while (the broker away, a timeout): send it again later
    HELD = "held"  # not sent: an earlier message of its key was not acknowledged


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one message handed to a publisher."""

    fate: Fate
    reason: str = ""
    error: BaseException | None = None

    @property
    def acknowledged(self) -> bool:
        return self.fate is Fate.ACKNOWLEDGED

    @classmethod
    def ok(cls) -> Delivery:
        return cls(Fate.ACKNOWLEDGED)

    @classmethod
    def refused(cls, error: BaseException) -> Delivery:
        return cls(Fate.REFUSED, describe(error), error)

    @classmethod
    def failed(cls, error: BaseException) -> Delivery:
        return cls(Fate.FAILED, describe(error), error)

    @classmethod
    def held(cls) -> Delivery:
        return cls(Fate.HELD, "an earlier message of its key was not acknowledged")


# Sends the messages in order; returns each one's Delivery, or None when it returns only once all of them
# were acknowledged (and raises otherwise).
Send = Callable[[Sequence[KafkaMessage]], Awaitable[Sequence[Delivery] | None]]


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row claimed by the relay: its id, its type (for the logs) and its message."""

    id: int
    type: str
    message: KafkaMessage


class NotAllPublished(Exception):
    """Some rows of a batch were neither acknowledged nor refused for good; they stay pending (the
    acknowledged and the refused ones of the batch were marked)."""


@dataclass(frozen=True, slots=True)
class ParkedRow:
    """A row the broker refused for good, and how many rows of its key wait behind it."""

    id: int
    topic: str
    key: str
    type: str
    reason: str
    parked_at: datetime
    held: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "topic": self.topic,
            "key": self.key,
            "type": self.type,
            "reason": self.reason,
            "parked_at": self.parked_at.isoformat(),
            "held": self.held,
        }


async def _discard(connection: AsyncConnection) -> None:
    """Close `connection` rather than pool it again (with what it holds: a lock, a setting)."""
    try:
        await connection.invalidate()
    except Exception as exc:
        log.warning("discarding a connection: %s", describe(exc))


async def end_failed(session: AsyncSession, transaction: AsyncSessionTransaction, exc: BaseException) -> None:
    """End a transaction that met `exc`. After a transient failure the connection is dropped rather than
    pooled again: it may be one the server is closing, or one to a server that became a read-only standby
    in a failover, which would fail the same way on every retry. A failure to end it is logged, not raised:
    `exc` is what the caller must see, and closing the session discards the connection anyway."""
    try:
        await (session.invalidate() if is_transient(exc) else transaction.rollback())
    except Exception as cleanup:
        log.warning("ending a failed transaction: %s", describe(cleanup))


def add_to_outbox(session: AsyncSession, events: Sequence[CloudEvent], topic: str) -> None:
    """Stage events for publication; they are published only if the caller's transaction commits."""
    session.add_all([OutboxRow.of(event, topic) for event in events])


_outbox = table_of(OutboxRow)
_parked = _outbox.alias("parked")
_later = _outbox.alias("later")
_id, _published_at, _parked_at = col(OutboxRow.id), col(OutboxRow.published_at), col(OutboxRow.parked_at)
# What the relay reads of a row it claims: what it sends, and what it logs.
_CLAIMED = (
    _outbox.c.id,
    _outbox.c.topic,
    _outbox.c.type,
    _outbox.c.source,
    _outbox.c.subject,
    _outbox.c.dataschema,
    _outbox.c.sequence,
    _outbox.c.time,
    _outbox.c.data,
    _outbox.c.event_id,
    _outbox.c.traceparent,
)


def _held(rows: sa.FromClause) -> sa.Exists:
    """A row is held while an earlier unpublished row of its topic and key is parked."""
    return sa.exists().where(
        _parked.c.topic == rows.c.topic,
        _parked.c.key == rows.c.key,
        _parked.c.parked_at.is_not(None),
        _parked.c.published_at.is_(None),
        _parked.c.id < rows.c.id,
    )


def _due(rows: sa.FromClause) -> tuple[sa.ColumnElement[bool], ...]:
    """A row is due while it is unpublished, not parked and not held."""
    return rows.c.published_at.is_(None), rows.c.parked_at.is_(None), ~_held(rows)


_behind = _outbox.alias("behind")
_after = sa.bindparam("after", type_=sa.BigInteger)
# The next due rows after the rows in flight (`after`, the last of them), with, in the same snapshot, how many rows
# are due up to there: the rows in flight, and any that became due behind them since they were claimed.
_CLAIM = (
    sa.select(
        *_CLAIMED,
        sa.select(sa.func.count())
        .select_from(_behind)
        .where(*_due(_behind), _behind.c.id <= _after)
        .scalar_subquery()
        .label("behind"),
    )
    .where(*_due(_outbox), _id > _after)
    .order_by(_id)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)
# The settings of a leased connection.
#
# Sorting is off: after a burst (a backlog built while Kafka was away) the planner's statistics still describe an
# outbox with hardly a row pending, and it would fetch every pending row and sort them all, on disk, for each
# claim, which makes draining a backlog quadratic. Claims walk the index of unpublished rows in id order instead.
#
# Marking rows published does not wait for the write-ahead log to reach the disk: a mark lost in a crash of the
# server only means that its rows are sent again, which the consumers' inboxes drop, while waiting for the disk on
# every batch would hold up the batches behind it.
LEASED = {"enable_sort": "off", "synchronous_commit": "off"}
_LEASE = sa.text(
    "SELECT locked"
    + "".join(f", CASE WHEN locked THEN set_config('{name}', '{value}', false) END" for name, value in LEASED.items())
    + " FROM (SELECT pg_try_advisory_lock(:key) AS locked) AS attempt"
)
_RELEASE = sa.text(
    "SELECT pg_advisory_unlock(:key)"
    + "".join(
        f", set_config('{name}', (SELECT reset_val FROM pg_settings WHERE name = '{name}'), false)" for name in LEASED
    )
)
# One statement whatever the number of rows (an IN list would be compiled and prepared again for each length).
_MARK = (
    sa.update(_outbox)
    .where(_id == sa.func.any(sa.bindparam("ids", type_=ARRAY(sa.BigInteger))))
    .values(published_at=sa.func.now())
)


class PostgresLease:
    """One relay's hold on the outbox, on a connection of its own in autocommit: each claim and each settling is
    a statement that commits by itself."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def claim(self, limit: int, in_flight: Collection[int] = ()) -> list[Claimed] | None:
        """The next due rows in insertion order after the rows `in_flight` (claimed, not yet settled), at most
        `limit`; None if a row became due behind them since they were claimed (a transaction that took its id
        before theirs committed after, or a row was resent). A row due behind the rows in flight may have a later
        row of its key among the next ones: they wait until the rows in flight are settled, and the next claim
        takes them after it, in order.

        They are read as plain rows (no ORM objects), walking the index of unpublished rows in id order, however
        stale the planner's statistics: sorting is off on this connection while it is leased (see `lease`)."""
        after = max(in_flight, default=0)
        rows = (await self._connection.execute(_CLAIM, {"limit": limit, "after": after})).all()
        if rows and rows[0].behind != len(in_flight):
            return None
        return [Claimed(row.id, row.type, encode_stored(row, row.topic)) for row in rows]

    async def settle(self, rows: Sequence[Claimed], fates: Sequence[Delivery]) -> int:
        """Mark the acknowledged rows published and park the refused ones; returns how many were settled."""
        if len(fates) != len(rows):
            raise ValueError(f"{len(fates)} deliveries reported for {len(rows)} messages")
        published = [row.id for row, fate in zip(rows, fates, strict=True) if fate.acknowledged]
        if published:
            await self._connection.execute(_MARK, {"ids": published})
        for row, fate in zip(rows, fates, strict=True):
            if fate.fate is Fate.REFUSED:
                log.error(
                    "outbox row %s (%s) refused by the broker for good, parked; the later rows of its key "
                    "are held until `outbox resend`: %s",
                    row.id,
                    row.type,
                    fate.reason,
                )
                await self._connection.execute(
                    sa.update(_outbox)
                    .where(_outbox.c.id == row.id)
                    .values(parked_at=sa.func.now(), park_reason=fate.reason[:MAX_REASON])
                )
        return sum(1 for fate in fates if fate.fate in (Fate.ACKNOWLEDGED, Fate.REFUSED))


class PostgresOutbox:
    """Hands the unpublished rows, in insertion order, to one relay at a time (`lease`), and lists, counts and
    unparks rows for the operator."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], schema: str) -> None:
        self._sessions = sessions
        self._lock_key = zlib.crc32(f"docket-relay:{schema}".encode())
        self._channel = outbox_channel(schema)

    @property
    def _engine(self) -> AsyncEngine:
        engine = self._sessions.kw["bind"]
        assert isinstance(engine, AsyncEngine), engine
        return engine

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[PostgresLease | None]:
        """The outbox to publish from, or None while another relay of the service holds it.

        The lease is a session-level advisory lock on a connection kept for it: another relay's attempt fails at
        once, and if the connection is lost the server lets go of the lock with it. While it is held, the
        connection has settings of its own (LEASED), undone with the lock when the lease ends; if that fails, the
        connection is discarded, which undoes them too."""
        connection = await self._engine.connect()
        let_go = False  # the lock and the settings undone: the connection is fit to pool again
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            if not (await connection.execute(_LEASE, {"key": self._lock_key})).scalar():
                let_go = True
                yield None
                return
            try:
                yield PostgresLease(connection)
            finally:
                await connection.execute(_RELEASE, {"key": self._lock_key})
                let_go = True
        finally:
            if not let_go:
                await _discard(connection)
            await connection.close()

    async def publish_batch(self, send: Send, limit: int) -> int:
        """Send the next rows under a lease of their own; returns how many were settled (published or parked), 0
        when none is due or another relay holds the outbox. Raises NotAllPublished, after marking the settled
        ones, if some failed for a while."""
        async with self.lease() as lease:
            if lease is None:
                return 0
            rows = await lease.claim(limit)
            if not rows:  # nothing in flight: never None
                return 0
            deliveries = await send([row.message for row in rows])
            fates = list(deliveries) if deliveries is not None else [Delivery.ok()] * len(rows)
            settled = await lease.settle(rows, fates)
        failed = [fate for fate in fates if fate.fate is Fate.FAILED]
        if failed:
            raise NotAllPublished(f"{len(failed)} of {len(rows)} outbox rows not acknowledged: {failed[0].reason}")
        return settled

    async def pending(self) -> int:
        async with self._sessions() as session:
            return (
                await session.scalar(sa.select(sa.func.count()).select_from(OutboxRow).where(_published_at.is_(None)))
                or 0
            )

    async def parked(self, limit: int | None = None) -> list[ParkedRow]:
        """The parked rows in insertion order, each with the number of rows of its key held behind it."""
        held = (
            sa.select(sa.func.count())
            .select_from(_later)
            .where(
                _later.c.topic == _outbox.c.topic,
                _later.c.key == _outbox.c.key,
                _later.c.published_at.is_(None),
                _later.c.id > _outbox.c.id,
            )
            .scalar_subquery()
        )
        query = (
            sa.select(
                _outbox.c.id,
                _outbox.c.topic,
                _outbox.c.key,
                _outbox.c.type,
                _outbox.c.park_reason,
                _outbox.c.parked_at,
                held,
            )
            .where(_outbox.c.parked_at.is_not(None), _outbox.c.published_at.is_(None))
            .order_by(_outbox.c.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            found = (await run(session, query)).all()
        return [
            ParkedRow(id=r[0], topic=r[1], key=r[2], type=r[3], reason=r[4] or "", parked_at=r[5], held=r[6])
            for r in found
        ]

    async def resend(self, ids: Sequence[int] | None) -> list[int]:
        """Unpark the rows `ids` (all parked rows if None) so that the relay sends them again, each before
        the rows held behind it; wakes the relay. Returns the ids unparked."""
        query = (
            sa.update(OutboxRow)
            .where(_parked_at.is_not(None), _published_at.is_(None))
            .values(parked_at=None, park_reason=None)
            .returning(_id)
        )
        if ids is not None:
            query = query.where(_id.in_(list(ids)))
        async with self._sessions() as session, session.begin():
            unparked = sorted((await session.exec(query)).scalars().all())
            if unparked:
                await run(session, sa.select(sa.func.pg_notify(self._channel, "")))
        return unparked
