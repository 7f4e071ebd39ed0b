"""The GDPR Art 78(2) clocks: when each complainant of an open case was last told of progress. A complaint the
case takes in starts one, a letter sent restarts it (`told`), a closure, a withdrawal or an erasure stops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import Payload
from docket_contracts.progress import ART_78_MONTHS, clock_start, ends_wait

from ..domain import CaseState
from .tables import ComplainantClockRow


def started(state: CaseState, payloads: Sequence[Payload]) -> list[dict[str, Any]]:
    """The Art 78(2) clocks of the complaints the case takes in with `payloads`, given the case right after them:
    rows written in the append's own statement. Only a letter sent restarts a clock (`told`)."""
    assert state.case_id is not None
    return [
        {
            "complaint_id": complaint_id,
            "case_id": state.case_id,
            "last_progress_on": started_on,
            "running": state.status != "closed",
        }
        for complaint_id, started_on in filter(None, map(clock_start, payloads))
    ]


async def stop(session: AsyncSession, payloads: Sequence[Payload]) -> None:
    """Stop every clock of a case that closes, after the append's statement (the clocks it started included)."""
    for payload in payloads:
        if (ends := ends_wait(payload)) is not None and ends.case_id is not None:
            await session.exec(
                sa.update(ComplainantClockRow)
                .where(col(ComplainantClockRow.case_id) == ends.case_id)
                .values(running=False)
            )


async def told(session: AsyncSession, complaint_id: UUID, on: date) -> None:
    """A letter about progress was sent to the complainant on `on`: their three months run again from it,
    unless no news is owed to them any more."""
    await session.exec(
        sa.update(ComplainantClockRow)
        .where(col(ComplainantClockRow.complaint_id) == complaint_id, col(ComplainantClockRow.running))
        .values(last_progress_on=sa.func.greatest(ComplainantClockRow.last_progress_on, on))
    )


def overdue_on(day: date) -> sa.ColumnElement[bool]:
    """The clocks still running whose three months (as docket_contracts.progress.due counts them) ended
    before `day`."""
    ends = col(ComplainantClockRow.last_progress_on) + sa.text(f"interval '{ART_78_MONTHS} months'")
    return sa.and_(col(ComplainantClockRow.running), ends < day)


async def stop_clock(session: AsyncSession, complaint_id: UUID) -> None:
    await session.exec(
        sa.update(ComplainantClockRow)
        .where(col(ComplainantClockRow.complaint_id) == complaint_id)
        .values(running=False)
    )


async def overdue(session: AsyncSession, day: date, *, limit: int, offset: int) -> Sequence[ComplainantClockRow]:
    """The clocks overdue on `day`, the longest waiting first, a page at a time."""
    return (
        await session.exec(
            select(ComplainantClockRow)
            .where(overdue_on(day))
            .order_by(col(ComplainantClockRow.last_progress_on), col(ComplainantClockRow.complaint_id))
            .limit(limit)
            .offset(offset)
        )
    ).all()


async def overdue_count(session: AsyncSession, day: date) -> int:
    """How many clocks are overdue on `day`: the Art 78(2) overdue gauge."""
    return await session.scalar(sa.select(sa.func.count()).select_from(ComplainantClockRow).where(overdue_on(day))) or 0
