"""The durable deadline timers: the formal notices whose deadline has passed, claimed by the instance that fires
them (application.fire_due_timers, through store.PostgresCases) and marked fired in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .tables import TimerRow


async def due(session: AsyncSession, today: date, limit: int) -> Sequence[TimerRow]:
    """Unfired timers due by `today`, earliest first, claimed with FOR UPDATE SKIP LOCKED: another instance
    passes over them until this transaction ends."""
    return (
        await session.exec(
            select(TimerRow)
            .where(col(TimerRow.fired_at).is_(None), col(TimerRow.due_on) <= today)
            .order_by(col(TimerRow.due_on))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def mark_fired(session: AsyncSession, notice_id: UUID, now: datetime) -> None:
    await session.exec(sa.update(TimerRow).where(col(TimerRow.notice_id) == notice_id).values(fired_at=now))
