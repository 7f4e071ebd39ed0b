"""The annual report's figures over HTTP: as JSON, as CSV, and as SVG charts drawn by the service. Each reads
readside/stats.py for one year (or a period), as it stands today (or `as_of`)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_service.http import invalid_query
from docket_service.limits import DAY_RANGE, Day

from .. import charts, readside
from ..deps import CaseReader, ClockDep, SessionDep
from ..readside.stats import Figures

router = APIRouter(tags=["figures"])

Chart = Literal["months", "outcomes", "categories"]


class Period:
    """The period the figures cover: a calendar year, or from a day to a day; and the day they are taken on."""

    def __init__(
        self,
        clock: ClockDep,
        year: Annotated[int | None, Query(ge=1900, le=9999, description="a calendar year; this one by default")] = None,
        start: Annotated[Day | None, Query(alias="from", description=f"instead of a year: from; {DAY_RANGE}")] = None,
        end: Annotated[Day | None, Query(alias="to", description=f"instead of a year: to; {DAY_RANGE}")] = None,
        as_of: Annotated[Day | None, Query(description="the day the figures are taken on; today by default")] = None,
    ) -> None:
        today = clock.today()
        if (start is None) != (end is None) or (year is not None and start is not None):
            raise invalid_query("give a year, or both from and to", "year", "from", "to")
        self.start = start or date(year or today.year, 1, 1)
        self.end = end or date(year or today.year, 12, 31)
        if self.end < self.start:
            raise invalid_query(f"to ({self.end}) is before from ({self.start})", "from", "to")
        self.as_of = as_of or today


PeriodDep = Annotated[Period, Depends()]


async def taken(session: AsyncSession, period: Period) -> Figures:
    return await readside.stats.figures(session, period.start, period.end, period.as_of)


def document(found: Figures) -> dict[str, Any]:
    return {
        "period": {"from": found.start.isoformat(), "to": found.end.isoformat()},
        "as_of": found.as_of.isoformat(),
        "received": {"total": found.received_total, **found.received},
        "ended": {"total": found.ended_total, **found.ended},
        "days_to_admissibility": vars(found.days_to_admissibility),
        "days_to_end": vars(found.days_to_end),
        "told_within_three_months": {
            "complainants": found.told_within_three_months.complainants,
            "told": found.told_within_three_months.told,
            "share": found.told_within_three_months.share,
        },
        "teams": found.teams,
    }


@router.get(
    "/stats",
    summary="The annual report's figures: received by kind, category and month; ended by outcome and month; days "
    "to admissibility and to the end (median, 90th percentile); the share told within three months; per team",
)
async def stats(session: SessionDep, caller: CaseReader, period: PeriodDep) -> dict[str, Any]:
    return document(await taken(session, period))


def rows(found: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The figures as (figure, key, value) rows."""
    out: list[tuple[str, str, Any]] = []
    for part in ("received", "ended"):
        out.append((f"{part}", "total", found[part]["total"]))
        for by, counts in found[part].items():
            if by != "total":
                out += [(f"{part}.{by}", key, value) for key, value in counts.items()]
    for spread in ("days_to_admissibility", "days_to_end"):
        out += [(spread, key, value) for key, value in found[spread].items()]
    out += [("told_within_three_months", key, value) for key, value in found["told_within_three_months"].items()]
    for team in found["teams"]:
        out += [(f"team.{team['team']}", key, value) for key, value in team.items() if key != "team"]
    return out


@router.get(
    "/stats.csv",
    response_class=Response,
    summary="The annual report's figures as CSV: one row per figure (figure, key, value)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def stats_csv(session: SessionDep, caller: CaseReader, period: PeriodDep) -> Response:
    found = document(await taken(session, period))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "key", "value"])
    writer.writerows(("" if v is None else v for v in row) for row in rows(found))
    return Response(out.getvalue(), media_type="text/csv")


def chart_of(chart: Chart, found: Figures) -> str:
    span = f"{found.start.isoformat()} to {found.end.isoformat()}"
    match chart:
        case "months":
            months = sorted(set(found.received["by_month"]) | set(found.ended["by_month"]))
            series = {"received": found.received["by_month"], "ended": found.ended["by_month"]}
            return charts.bars(f"Complaints received and ended each month, {span}", months, series)
        case "outcomes":
            outcomes = found.ended["by_outcome"]
            return charts.bars(f"Complaints ended, by outcome, {span}", sorted(outcomes), {"ended": outcomes})
    categories = found.received["by_category"]
    return charts.bars(f"Complaints received, by category, {span}", sorted(categories), {"received": categories})


@router.get(
    "/stats/{chart}.svg",
    response_class=Response,
    summary="A chart of the figures (SVG): months (received and ended), outcomes, or categories",
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def stats_chart(chart: Chart, session: SessionDep, caller: CaseReader, period: PeriodDep) -> Response:
    return Response(chart_of(chart, await taken(session, period)), media_type="image/svg+xml")
