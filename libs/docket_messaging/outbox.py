"""The transactional outbox: events are added in the same transaction as the state change,
and claimed in order by one relay at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel import col, select

from docket_contracts.envelope import CloudEvent

from .codec import KafkaMessage, encode
from .tables import OutboxRow

Send = Callable[[Sequence[KafkaMessage]], Awaitable[None]]


def add_to_outbox(session: AsyncSession, events: Sequence[CloudEvent], topic: str) -> None:
    """Stage events for publication; they are published only if the caller's transaction commits."""
    session.add_all([OutboxRow.of(event, topic) for event in events])


class PostgresOutbox:
    """Claims unpublished rows in insertion order, hands them to `send`, marks them published.

    A transaction-scoped advisory lock lets only one relay of a service publish at a time,
    which keeps each key's events in order. If the relay dies between sending and marking,
    the rows stay unpublished and are sent again: at least once, deduplicated by consumers.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], schema: str) -> None:
        self._sessions = sessions
        self._lock_key = zlib.crc32(f"docket-relay:{schema}".encode())

    async def publish_batch(self, send: Send, limit: int) -> int:
        async with self._sessions() as session, session.begin():
            locked = await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(self._lock_key)))
            if not locked:
                return 0
            rows = (await session.exec(
                select(OutboxRow).where(col(OutboxRow.published_at).is_(None))
                .order_by(col(OutboxRow.id)).limit(limit).with_for_update(skip_locked=True)
            )).all()
            if not rows:
                return 0
            await send([encode(row.event(), row.topic) for row in rows])
            await session.exec(
                sa.update(OutboxRow).where(col(OutboxRow.id).in_([row.id for row in rows]))
                .values(published_at=sa.func.now())
            )
            return len(rows)

    async def pending(self) -> int:
        async with self._sessions() as session:
            return await session.scalar(
                sa.select(sa.func.count()).select_from(OutboxRow).where(col(OutboxRow.published_at).is_(None))
            ) or 0
