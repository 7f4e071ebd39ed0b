"""The transactional outbox: events are added in the same transaction as the state change,
and claimed in order by one relay at a time.

A row the broker refuses for good (too large, an invalid topic) is parked with the reason, so that it
cannot block the relay; the rows of the same key behind it are held, because a consumer must see a case's
events in the order they happened; the rows of other keys flow. `resend` unparks rows after the cause is
fixed, and the relay sends them and the rows held behind them in their original order.
"""

from __future__ import annotations

import enum
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSessionTransaction, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent

from .codec import KafkaMessage, encode
from .ddl import outbox_channel
from .failures import describe, is_transient
from .postgres import run
from .tables import OutboxRow, outbox_event, table_of

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


# A row is held while an earlier unpublished row of its topic and key is parked.
_HELD = sa.exists().where(
    _parked.c.topic == _outbox.c.topic,
    _parked.c.key == _outbox.c.key,
    _parked.c.parked_at.is_not(None),
    _parked.c.published_at.is_(None),
    _parked.c.id < _outbox.c.id,
)


class PostgresOutbox:
    """Claims unpublished rows in insertion order, hands them to `send`, marks them published.

    A transaction-scoped advisory lock lets only one relay of a service publish at a time,
    which keeps each key's events in order. If the relay dies between sending and marking,
    the rows stay unpublished and are sent again: at least once, deduplicated by consumers.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], schema: str) -> None:
        self._sessions = sessions
        self._lock_key = zlib.crc32(f"docket-relay:{schema}".encode())
        self._channel = outbox_channel(schema)

    async def publish_batch(self, send: Send, limit: int) -> int:
        """Send the next rows; returns how many were settled (published or parked), 0 when none is due.
        Raises NotAllPublished, after marking the settled ones, if some failed for a while."""
        async with self._sessions() as session:
            transaction = await session.begin()
            try:
                rows = await self._claim(session, limit)
                if not rows:
                    await transaction.commit()
                    return 0
                deliveries = await send([encode(outbox_event(row), row.topic) for row in rows])
                fates = list(deliveries) if deliveries is not None else [Delivery.ok()] * len(rows)
                if len(fates) != len(rows):
                    raise ValueError(f"{len(fates)} deliveries reported for {len(rows)} messages")
                await self._settle(session, rows, fates)
                await transaction.commit()
            except BaseException as exc:
                await end_failed(session, transaction, exc)
                raise
        failed = [fate for fate in fates if fate.fate is Fate.FAILED]
        if failed:
            raise NotAllPublished(f"{len(failed)} of {len(rows)} outbox rows not acknowledged: {failed[0].reason}")
        return sum(1 for fate in fates if fate.fate in (Fate.ACKNOWLEDGED, Fate.REFUSED))

    async def _claim(self, session: AsyncSession, limit: int) -> Sequence[Any]:
        """The next due rows, under the relay lock: unpublished, not parked, not held behind a parked row.

        They are read as plain rows (no ORM objects: nothing here changes them through the session), walking
        the index of unpublished rows in id order, however stale the planner's statistics. After a burst (a
        backlog built while Kafka was away) the statistics still describe an outbox with hardly a row pending;
        the planner then fetches every pending row and sorts them all, on disk, for each batch, which makes
        draining a backlog quadratic. So sorting is off for this transaction (SET LOCAL), taken with the lock
        in one round trip."""
        locked, _ = (
            await run(
                session,
                sa.select(
                    sa.func.pg_try_advisory_xact_lock(self._lock_key), sa.func.set_config("enable_sort", "off", True)
                ),
            )
        ).one()
        if not locked:
            return []
        return (
            await run(
                session,
                sa.select(*_CLAIMED)
                .where(_published_at.is_(None), _parked_at.is_(None), ~_HELD)
                .order_by(_id)
                .limit(limit)
                .with_for_update(skip_locked=True),
            )
        ).all()

    async def _settle(self, session: AsyncSession, rows: Sequence[Any], fates: Sequence[Delivery]) -> None:
        published = [row.id for row, fate in zip(rows, fates, strict=True) if fate.acknowledged]
        if published:
            await session.exec(sa.update(_outbox).where(_outbox.c.id.in_(published)).values(published_at=sa.func.now()))
        for row, fate in zip(rows, fates, strict=True):
            if fate.fate is Fate.REFUSED:
                log.error(
                    "outbox row %s (%s) refused by the broker for good, parked; the later rows of its key "
                    "are held until `outbox resend`: %s",
                    row.id,
                    row.type,
                    fate.reason,
                )
                await session.exec(
                    sa.update(_outbox)
                    .where(_outbox.c.id == row.id)
                    .values(parked_at=sa.func.now(), park_reason=fate.reason[:MAX_REASON])
                )

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
