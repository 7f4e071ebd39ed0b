"""The lists staff read: the cases, newest first, filtered and a page at a time, and the complaints of a case in
the order they were linked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_service.database import page

from ..domain import Status
from ..errors import StreamNotFound
from .tables import CaseComplaintRow, CaseSummaryRow


async def case_summaries(
    session: AsyncSession,
    today: date,
    *,
    status: Status | None,
    controller: str | None,
    overdue: bool | None,
    complaint_id: UUID | None,
    under_enforcement: bool | None = None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[CaseSummaryRow]]:
    """How many cases match in all, and the page of them from `offset`: of a status, of a controller (its key,
    or part of its name), whose formal notice's deadline passed before `today` (or not), under enforcement (or
    not), holding a complaint."""
    table = CaseSummaryRow
    query = select(table)
    if status is not None:
        query = query.where(table.status == status)
    if controller:
        query = query.where(
            sa.or_(
                col(table.controller_key) == controller,
                col(table.controller_name).icontains(controller, autoescape=True),
            )
        )
    if overdue is not None:
        late = sa.and_(col(table.next_deadline).is_not(None), col(table.next_deadline) < today)
        query = query.where(late if overdue else sa.not_(late))
    if under_enforcement is not None:
        query = query.where(col(table.under_enforcement) == under_enforcement)
    if complaint_id is not None:
        query = query.join(CaseComplaintRow, col(CaseComplaintRow.case_id) == table.case_id).where(
            CaseComplaintRow.complaint_id == complaint_id
        )
    return await page(session, query, col(table.opened_on).desc(), col(table.case_id), limit=limit, offset=offset)


async def case_complaints(
    session: AsyncSession, case_id: UUID, *, limit: int, offset: int
) -> tuple[int, Sequence[CaseComplaintRow]]:
    """How many complaints the case holds, and the page of them from `offset` in the order they were linked;
    StreamNotFound if there is no such case."""
    if await session.get(CaseSummaryRow, case_id) is None:
        raise StreamNotFound(case_id)
    table = CaseComplaintRow
    return await page(
        session,
        select(table).where(table.case_id == case_id),
        col(table.version),
        col(table.complaint_id),
        limit=limit,
        offset=offset,
    )
