"""The lookups commands depend on (the open case of each controller, the case of each complaint) and the
deadline timers, written with each event that changes them: not projections, never rebuilt.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintLinked,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Payload,
)

from ..domain import CaseState
from .tables import CaseComplaintRow, OpenCaseRow, TimerRow


async def write_lookups(session: AsyncSession, state: CaseState, payload: Payload) -> None:
    """The lookups the commands depend on, and the deadline timers: not projections, never rebuilt.

    `state` is the case right after `payload`."""
    match payload:
        case CaseOpened():
            session.add(OpenCaseRow(controller_key=payload.controller.key, case_id=payload.case_id))
            session.add(
                CaseComplaintRow(
                    complaint_id=payload.complaint_id,
                    case_id=payload.case_id,
                    kind=payload.complaint_kind,
                    received_on=payload.opened_on,
                    version=state.version,
                )
            )
        case ComplaintLinked():
            session.add(
                CaseComplaintRow(
                    complaint_id=payload.complaint_id,
                    case_id=payload.case_id,
                    kind=payload.complaint_kind,
                    received_on=payload.received_on,
                    version=state.version,
                )
            )
        case CaseClosed():
            await session.exec(sa.delete(OpenCaseRow).where(col(OpenCaseRow.case_id) == payload.case_id))
        case FormalNoticeIssued() | FormalNoticeNotified() | FormalNoticeExtended() if payload.compliance_deadline:
            # A deadline fixed at issue (before version 3), by the notification, or moved by the extension: the
            # notice is looked at the day after it.
            due_on = payload.compliance_deadline + timedelta(days=1)
            await session.exec(
                insert(TimerRow)
                .values(notice_id=payload.notice_id, case_id=payload.case_id, due_on=due_on)
                .on_conflict_do_update(index_elements=["notice_id"], set_={"due_on": due_on})
            )
    await session.flush()


async def open_case_for(session: AsyncSession, controller_key: str) -> UUID | None:
    row = await session.get(OpenCaseRow, controller_key)
    return row.case_id if row else None


async def case_of_complaint(session: AsyncSession, complaint_id: UUID) -> UUID | None:
    row = await session.get(CaseComplaintRow, complaint_id)
    return row.case_id if row else None
