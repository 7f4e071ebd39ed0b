"""The lookups commands depend on (the open case of each controller, the case of each complaint) and the
deadline timers, written with each event that changes them: not projections, never rebuilt. The rows an event adds
go in its append's own statement (`added_rows`); a closed case's removal follows it (`remove_lookups`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
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
from docket_messaging.tables import table_of

from ..domain import CaseState
from .tables import CaseComplaintRow, OpenCaseRow, TimerRow

_OPEN_CASES, _CASE_COMPLAINTS, _TIMERS = table_of(OpenCaseRow), table_of(CaseComplaintRow), table_of(TimerRow)


def added_rows(state: CaseState, payload: Payload) -> list[tuple[sa.Table, dict[str, Any]]]:
    """The rows of the lookups and the deadline timers `payload` adds, each with its table, given the case right
    after it: written in the append's own statement."""
    match payload:
        case CaseOpened():
            return [
                (_OPEN_CASES, {"controller_key": payload.controller.key, "case_id": payload.case_id}),
                (_CASE_COMPLAINTS, _complaint(payload.complaint_id, state, payload.complaint_kind, payload.opened_on)),
            ]
        case ComplaintLinked():
            return [
                (
                    _CASE_COMPLAINTS,
                    _complaint(payload.complaint_id, state, payload.complaint_kind, payload.received_on),
                )
            ]
        case FormalNoticeIssued() | FormalNoticeNotified() | FormalNoticeExtended() if payload.compliance_deadline:
            # A deadline fixed at issue (before version 3), by the notification, or moved by the extension: the
            # notice is looked at the day after it (a later deadline replaces its timer: the
            # projection upserts timers).
            due_on = payload.compliance_deadline + timedelta(days=1)
            return [(_TIMERS, {"notice_id": payload.notice_id, "case_id": payload.case_id, "due_on": due_on})]
    return []


def _complaint(complaint_id: UUID, state: CaseState, kind: str, received_on: date) -> dict[str, Any]:
    return {
        "complaint_id": complaint_id,
        "case_id": state.case_id,
        "kind": kind,
        "received_on": received_on,
        "version": state.version,
    }


async def remove_lookups(session: AsyncSession, payload: Payload) -> None:
    """What `payload` removes of the lookups, after the append's statement: a closed case is no longer its
    controller's open case."""
    if isinstance(payload, CaseClosed):
        await session.exec(sa.delete(OpenCaseRow).where(col(OpenCaseRow.case_id) == payload.case_id))


async def open_case_for(session: AsyncSession, controller_key: str) -> UUID | None:
    row = await session.get(OpenCaseRow, controller_key)
    return row.case_id if row else None


async def case_of_complaint(session: AsyncSession, complaint_id: UUID) -> UUID | None:
    row = await session.get(CaseComplaintRow, complaint_id)
    return row.case_id if row else None
