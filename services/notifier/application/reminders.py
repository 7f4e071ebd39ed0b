"""GDPR Art 78(2) reminders: staff are told of each complainant whose three months without news are about
to end (the day comes `art78_reminder_lead_days` before), once per silence.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_service.clock import Clock

from .. import store
from ..domain import reminder
from ..domain.letters import ENGLISH, Words


async def send_due_reminders(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    staff_address: str | None,
    batch_size: int,
    words: Words = ENGLISH,
) -> int:
    """A reminder to staff for each waiting complainant whose reminder day has come; one per silence."""
    async with sessions() as session, session.begin():
        due = (
            await session.exec(
                select(store.ComplainantRow)
                .where(col(store.ComplainantRow.waiting), col(store.ComplainantRow.reminder_due_on) <= clock.today())
                .order_by(col(store.ComplainantRow.reminder_due_on))
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in due:
            case = await session.get(store.CaseControllerRow, row.case_id) if row.case_id else None
            assert row.last_news_on is not None
            letter = reminder(
                row.complaint_id,
                row.reference,
                row.case_id,
                case.controller_name if case else None,
                row.last_news_on,
                staff_address,
                words,
            )
            await store.record_letters(
                session, f"art78:{row.complaint_id}:{row.last_news_on.isoformat()}", "art78_reminder", [letter], [None]
            )
            row.reminder_due_on = None
            session.add(row)
    return len(due)
