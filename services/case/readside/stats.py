"""The annual report's figures, from the complaints' records and their Art 78(2) clocks: a handful of aggregate
queries over one year's rows, so a year of a national authority's complaints answers in milliseconds.

- received in the period: by kind, by category, by month of receipt;
- ended in the period: by outcome, by month, the inadmissible by reason;
- days from receipt to the admissibility decision, and to the complaint's end (median and 90th percentile);
- the share of complainants told of progress within three months of receipt (GDPR Art 78(2)), among those
  whose three months are over by `as_of` (an alert has no complainant, and no clock);
- each of these per team (the team holding the complaint now; "none" when no team does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.progress import ART_78_MONTHS
from docket_messaging.postgres import run
from docket_messaging.tables import table_of

from .handling_tables import ComplaintRecordRow
from .tables import ComplainantClockRow

R, C = table_of(ComplaintRecordRow).c, table_of(ComplainantClockRow).c
NO_TEAM = "none"


@dataclass(frozen=True)
class Spread:
    """How many days a step took: how many complaints took it, the median and the 90th percentile."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Told:
    """Of the complainants whose three months are over, how many were told of progress within them."""

    complainants: int
    told: int

    @property
    def share(self) -> float | None:
        return round(self.told / self.complainants, 4) if self.complainants else None


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    as_of: date
    received: dict[str, dict[str, int]]  # by_kind, by_category, by_month -> key -> count
    ended: dict[str, dict[str, int]]  # by_outcome, by_month, inadmissible_by_reason
    days_to_admissibility: Spread
    days_to_end: Spread
    told_within_three_months: Told
    teams: list[dict[str, Any]] = field(default_factory=list)

    @property
    def received_total(self) -> int:
        return sum(self.received["by_kind"].values())

    @property
    def ended_total(self) -> int:
        return sum(self.ended["by_outcome"].values())


def _counts(rows: Any) -> dict[str, int]:
    return {str(key if key is not None else "unknown"): int(n) for key, n in rows}


def _month(column: Any) -> Any:
    return sa.func.to_char(column, "YYYY-MM")


async def _grouped(session: AsyncSession, key: Any, *where: Any) -> dict[str, int]:
    query = sa.select(key, sa.func.count()).select_from(table_of(ComplaintRecordRow)).where(*where).group_by(key)
    return _counts((await run(session, query.order_by(key))).all())


async def _spread(session: AsyncSession, days: Any, *where: Any) -> Spread:
    query = sa.select(
        sa.func.count(),
        sa.func.percentile_cont(0.5).within_group(days),
        sa.func.percentile_cont(0.9).within_group(days),
    ).where(*where)
    count, median, p90 = (await run(session, query)).one()
    return Spread(count, None if median is None else float(median), None if p90 is None else float(p90))


def _three_months_over(as_of: date) -> Any:
    return R.received_on + sa.text(f"interval '{ART_78_MONTHS} months'") <= as_of


def _told_in_time() -> Any:
    return C.first_told_on <= R.received_on + sa.text(f"interval '{ART_78_MONTHS} months'")


async def _told(session: AsyncSession, received: Any, as_of: date) -> Told:
    """Clocks exist for complaints only (an alert starts none): the join leaves alerts out."""
    joined = table_of(ComplaintRecordRow).join(table_of(ComplainantClockRow), C.complaint_id == R.complaint_id)
    query = (
        sa.select(sa.func.count(), sa.func.count().filter(_told_in_time()))
        .select_from(joined)
        .where(received, sa.or_(_three_months_over(as_of), _told_in_time()))
    )
    complainants, told = (await run(session, query)).one()
    return Told(complainants, told)


async def figures(session: AsyncSession, start: date, end: date, as_of: date) -> Figures:
    """The figures of the complaints received, or ended, from `start` to `end` (both included)."""
    received = R.received_on.between(start, end)
    ended = R.ended_on.between(start, end)
    decided = R.decided_on.between(start, end)
    return Figures(
        start=start,
        end=end,
        as_of=as_of,
        received={
            "by_kind": await _grouped(session, R.kind, received),
            "by_category": await _grouped(session, R.category, received),
            "by_month": await _grouped(session, _month(R.received_on), received),
        },
        ended={
            "by_outcome": await _grouped(session, R.outcome, ended),
            "by_month": await _grouped(session, _month(R.ended_on), ended),
            "inadmissible_by_reason": await _grouped(
                session, R.inadmissible_reason, ended, R.outcome == "inadmissible"
            ),
        },
        days_to_admissibility=await _spread(session, R.decided_on - R.received_on, decided),
        days_to_end=await _spread(session, R.ended_on - R.received_on, ended),
        told_within_three_months=await _told(session, received, as_of),
        teams=await _teams(session, received, ended, as_of),
    )


async def _teams(session: AsyncSession, received: Any, ended: Any, as_of: date) -> list[dict[str, Any]]:
    """Per team holding the complaints: how many were received and ended, the median days to the end, and the
    share of complainants told within three months."""
    team = sa.func.coalesce(R.team, NO_TEAM)
    joined = table_of(ComplaintRecordRow).outerjoin(table_of(ComplainantClockRow), C.complaint_id == R.complaint_id)
    clocked = sa.and_(C.complaint_id.is_not(None), received, sa.or_(_three_months_over(as_of), _told_in_time()))
    query = (
        sa.select(
            team.label("team"),
            sa.func.count().filter(received).label("received"),
            sa.func.count().filter(ended).label("ended"),
            sa.func.percentile_cont(0.5).within_group(R.ended_on - R.received_on).filter(ended).label("median"),
            sa.func.count().filter(clocked).label("complainants"),
            sa.func.count().filter(clocked, _told_in_time()).label("told"),
        )
        .select_from(joined)
        .where(sa.or_(received, ended))
        .group_by(team)
        .order_by(team)
    )
    return [
        {
            "team": row.team,
            "received": row.received,
            "ended": row.ended,
            "days_to_end_median": None if row.median is None else float(row.median),
            "told_within_three_months": Told(row.complainants, row.told).share,
        }
        for row in (await run(session, query)).all()
    ]
