"""The queues and the workload: the open complaints and cases, each dated by what is owed next.

A complaint is due by the target of its step (Targets, from the service's settings: its admissibility so many
days after receipt, two weeks at most for one recorded without the content Regulation 2025/2518 art 4(1) lists
(art 4(2), as reported; domain.admissibility_days), how it is handled so many days after that, the controller's
answer by the day its letter named, a decision so many days after the answer), or by the end of its
complainant's three months without news (GDPR Art 78(2)), whichever comes first. A complaint in the
investigation follows its case. A case is due by its formal notice's deadline, if it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.progress import ART_78_MONTHS
from docket_messaging.postgres import run
from docket_messaging.tables import table_of

from ..domain import admissibility_days
from .handling_tables import ComplaintRecordRow
from .tables import CaseSummaryRow, ComplainantClockRow

View = Literal["unassigned", "mine", "team", "due-soon", "overdue"]


@dataclass(frozen=True)
class Targets:
    """Days each step of a complaint may take (the case service's settings)."""

    admissibility_days: int
    handling_days: int
    decision_days: int
    due_soon_days: int


def items(targets: Targets) -> sa.Subquery:
    """Every open complaint and case as one list of items, each with its due day."""
    records, clocks = table_of(ComplaintRecordRow).c, table_of(ComplainantClockRow).c
    content_missing = sa.func.jsonb_array_length(records.missing_content) > 0
    step_due = sa.case(
        (
            sa.and_(records.step == "admissibility", content_missing),
            records.step_since + admissibility_days(targets.admissibility_days, content_missing=True),
        ),
        (records.step == "admissibility", records.step_since + targets.admissibility_days),
        (records.step == "handling", records.step_since + targets.handling_days),
        (records.step == "controller_answer", records.answer_due),
        (records.step == "decision", records.step_since + targets.decision_days),
        else_=sa.null(),
    )
    art78 = sa.case(
        (
            clocks.running,
            sa.cast(clocks.last_progress_on + sa.text(f"interval '{ART_78_MONTHS} months'"), sa.Date),
        ),
        else_=sa.null(),
    )
    complaints = (
        sa.select(
            sa.literal("complaint").label("item"),
            records.complaint_id.label("id"),
            records.case_id,
            records.controller_key,
            records.status,
            records.step,
            records.staff,
            records.team,
            records.step_since.label("since"),
            sa.func.least(step_due, art78).label("due_on"),
            art78.label("art78_due_on"),
        )
        .select_from(
            table_of(ComplaintRecordRow).outerjoin(
                table_of(ComplainantClockRow), clocks.complaint_id == records.complaint_id
            )
        )
        .where(records.ended_on.is_(None))
    )
    summaries = table_of(CaseSummaryRow).c
    cases = sa.select(
        sa.literal("case").label("item"),
        summaries.case_id.label("id"),
        summaries.case_id,
        summaries.controller_key,
        summaries.status,
        summaries.status.label("step"),
        summaries.staff,
        summaries.team,
        summaries.opened_on.label("since"),
        summaries.next_deadline.label("due_on"),
        sa.cast(sa.null(), sa.Date).label("art78_due_on"),
    ).where(summaries.status != "closed")
    return sa.union_all(complaints, cases).subquery("items")


def in_view(found: sa.Subquery, view: View, today: date, subject: str, groups: Sequence[str], targets: Targets) -> Any:
    c = found.c
    match view:
        case "unassigned":
            return sa.and_(c.staff.is_(None), c.team.is_(None))
        case "mine":
            return c.staff == subject
        case "team":
            return c.team.in_(list(groups)) if groups else sa.false()
        case "due-soon":
            return sa.and_(c.due_on >= today, c.due_on <= today + timedelta(days=targets.due_soon_days))
    return c.due_on < today


async def queue(
    session: AsyncSession,
    view: View,
    *,
    today: date,
    subject: str,
    groups: Sequence[str],
    targets: Targets,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[Any]]:
    """How many items the view holds, and a page of them: the earliest due first, then the longest waiting. One
    scan: the total comes with each row of the page (a page past the end counts them on its own)."""
    found = items(targets)
    where = in_view(found, view, today, subject, groups, targets)
    query = (
        sa.select(found, sa.func.count().over().label("total"))
        .where(where)
        .order_by(found.c.due_on.asc().nulls_last(), found.c.since, found.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await run(session, query)).all()
    if rows:
        return rows[0].total, rows
    if not offset:
        return 0, rows
    return (await run(session, sa.select(sa.func.count()).select_from(found).where(where))).scalar_one(), rows


@dataclass(frozen=True)
class Held:
    holder: str
    open: int
    oldest_since: date | None
    overdue: int


async def workload(session: AsyncSession, *, today: date, targets: Targets) -> tuple[list[Held], list[Held], Held]:
    """What each staff member and each team holds, and what nobody holds: open items, the oldest, those overdue."""
    found = items(targets)
    c = found.c

    def measures(holder: Any) -> Any:
        overdue = sa.func.count().filter(c.due_on < today)
        return sa.select(holder.label("holder"), sa.func.count(), sa.func.min(c.since), overdue).select_from(found)

    by_staff = measures(c.staff).where(c.staff.is_not(None)).group_by(c.staff).order_by(c.staff)
    by_team = measures(c.team).where(c.team.is_not(None)).group_by(c.team).order_by(c.team)
    nobody = measures(sa.literal("nobody")).where(c.staff.is_(None), c.team.is_(None))
    staff = [Held(*row) for row in (await run(session, by_staff)).all()]
    teams = [Held(*row) for row in (await run(session, by_team)).all()]
    unassigned = Held(*(await run(session, nobody)).one())
    return staff, teams, unassigned
