"""What the case service keeps beside its events of the authorities working together: a durable timer per open
cooperation deadline (claimed and fired like the formal notices', application.fire_cooperation_timers), which is also
the staff's list of deadlines near and overdue; and which case holds each cooperation reference, so that a step
another authority reports finds its case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_messaging.tables import table_of, utc_column

from ..domain import CaseState, open_deadlines


class CooperationTimerRow(SQLModel, table=True):
    """A cooperation deadline of a case: the day the timer looks at the case (the day after its last day, or a week
    before it for a warning), what it is and who owes the step. A deadline moved is a new row."""

    __tablename__ = "cooperation_timers"
    __table_args__ = (
        sa.Index("ix_cooperation_timers_due_unfired", "due_on", postgresql_where=sa.text("fired_at IS NULL")),
    )

    case_id: UUID = Field(primary_key=True)
    key: str = Field(primary_key=True)
    reference: str
    kind: str
    authority: str
    last_day: date
    due_on: date
    warning: bool = False
    fired_at: datetime | None = utc_column(nullable=True)


class CooperationReferenceRow(SQLModel, table=True):
    """The case that holds a cooperation procedure, by the reference the authorities share."""

    __tablename__ = "cooperation_references"

    reference: str = Field(primary_key=True)
    case_id: UUID = Field(index=True)


TIMERS, REFERENCES = table_of(CooperationTimerRow), table_of(CooperationReferenceRow)


def timer_rows(state: CaseState) -> list[dict[str, Any]]:
    """A row per deadline the case's procedures keep open, written (upserted) with each append that changes them; a
    row's `fired_at` is the timer's own, never written here."""
    return [
        {
            "case_id": state.case_id,
            "key": d.key,
            "reference": d.reference,
            "kind": d.kind,
            "authority": d.authority,
            "last_day": d.last_day,
            "due_on": d.fires_on,
            "warning": d.warning,
        }
        for d in open_deadlines(state)
    ]


async def prune(session: AsyncSession, state: CaseState) -> None:
    """Remove the timers of deadlines no longer open (their step taken, or their procedure ended), after the
    append's statement."""
    keys = [d.key for d in open_deadlines(state)]
    await session.exec(
        sa.delete(CooperationTimerRow).where(
            col(CooperationTimerRow.case_id) == state.case_id, col(CooperationTimerRow.key).not_in(keys)
        )
    )


def reference_rows(state: CaseState) -> list[dict[str, Any]]:
    return [{"reference": p.reference, "case_id": state.case_id} for p in state.cooperation.procedures]


async def due(session: AsyncSession, today: date, limit: int) -> Sequence[CooperationTimerRow]:
    """Unfired timers due by `today`, earliest first, claimed with FOR UPDATE SKIP LOCKED."""
    return (
        await session.exec(
            select(CooperationTimerRow)
            .where(col(CooperationTimerRow.fired_at).is_(None), col(CooperationTimerRow.due_on) <= today)
            .order_by(col(CooperationTimerRow.due_on))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def mark_fired(session: AsyncSession, case_id: UUID, key: str, now: datetime) -> None:
    await session.exec(
        sa.update(CooperationTimerRow)
        .where(col(CooperationTimerRow.case_id) == case_id, col(CooperationTimerRow.key) == key)
        .values(fired_at=now)
    )


async def case_of_reference(session: AsyncSession, reference: str) -> UUID | None:
    row = await session.get(CooperationReferenceRow, reference)
    return row.case_id if row else None


async def deadlines(
    session: AsyncSession, until: date, *, limit: int, offset: int
) -> tuple[Sequence[CooperationTimerRow], int]:
    """The open deadlines whose last day is by `until` (those before today overdue: the step is owed late), the
    earliest first, a page at a time, and how many there are."""
    where = sa.and_(col(CooperationTimerRow.warning).is_(False), col(CooperationTimerRow.last_day) <= until)
    rows = (
        await session.exec(
            select(CooperationTimerRow)
            .where(where)
            .order_by(col(CooperationTimerRow.last_day), col(CooperationTimerRow.key))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    total = await session.scalar(sa.select(sa.func.count()).select_from(CooperationTimerRow).where(where)) or 0
    return rows, total
