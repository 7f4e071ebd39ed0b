"""The queues and the workload over HTTP: what is unassigned, what the caller holds, what the caller's teams hold,
what is due soon and what is overdue; and who holds how much. Each reads readside/queues.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from docket_service.limits import DAY_RANGE, MAX_OFFSET, Day

from .. import readside
from ..config import CaseSettings
from ..deps import CaseReader, ClockDep, SessionDep, SettingsDep
from ..readside.queues import Targets, View
from .handling_models import Load, QueueItem, QueuePage, WorkloadOut

router = APIRouter(tags=["queues"])


def targets(settings: CaseSettings) -> Targets:
    return Targets(
        settings.target_admissibility_days,
        settings.target_handling_days,
        settings.target_decision_days,
        settings.due_soon_days,
    )


AsOf = Annotated[Day | None, Query(description=f"the day to look from, today by default; {DAY_RANGE}")]


@router.get(
    "/queue/{view}",
    response_model=QueuePage,
    summary="A queue of open complaints and cases: unassigned, mine, team (my teams'), due-soon or overdue; the "
    "earliest due first",
)
async def queue(
    view: View,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    caller: CaseReader,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> QueuePage:
    today = as_of or clock.today()
    total, rows = await readside.queues.queue(
        session,
        view,
        today=today,
        subject=caller.subject,
        groups=sorted(caller.groups),
        targets=targets(settings),
        limit=limit,
        offset=offset,
    )
    items = [QueueItem(**row._mapping, overdue=row.due_on is not None and row.due_on < today) for row in rows]
    return QueuePage(view=view, items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/workload",
    response_model=WorkloadOut,
    summary="Open items per staff member and per team, and those nobody holds: how many, the oldest, how many overdue",
)
async def workload(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, caller: CaseReader, as_of: AsOf = None
) -> WorkloadOut:
    today: date = as_of or clock.today()
    staff, teams, nobody = await readside.queues.workload(session, today=today, targets=targets(settings))
    return WorkloadOut(
        as_of=today,
        staff=[Load(**vars(held)) for held in staff],
        teams=[Load(**vars(held)) for held in teams],
        unassigned=Load(**vars(nobody)),
    )
