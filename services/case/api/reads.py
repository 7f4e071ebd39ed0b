"""The case service's read side over HTTP: the case list, one case (now or as it stood), its history, timeline,
complaints and hash chain, and the complainants owed news under GDPR Art 78(2). Each route reads through one
function of readside/ or eventstore.py.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from docket_service.http import download_headers
from docket_service.limits import DAY_RANGE, INSTANT_RANGE, MAX_OFFSET, Day, Instant, query_text

from .. import eventstore, readside, timeline
from ..deps import CaseReader, ClockDep, IntegrityChecker, SessionDep
from ..domain import Status
from ..exchange import outbox
from .models import (
    CaseComplaintOut,
    CaseComplaintPage,
    CasePage,
    CaseSummaryOut,
    EventOut,
    IntegrityOut,
    OverdueComplaint,
)

router = APIRouter(tags=["cases"])


@router.get("/cases", response_model=CasePage, summary="List cases, newest first, with filters")
async def list_cases(
    session: SessionDep,
    clock: ClockDep,
    caller: CaseReader,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    controller: query_text(300, "controller key or part of its name") = None,
    overdue: Annotated[
        bool | None, Query(description="a formal notice's deadline has passed without recorded compliance")
    ] = None,
    complaint_id: uuid.UUID | None = None,
    under_enforcement: Annotated[
        bool | None,
        Query(description="sanctioned, with an injunction neither complied with nor ended: the case stays open"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CasePage:
    today = clock.today()
    total, rows = await readside.case_summaries(
        session,
        today,
        status=status_,
        controller=controller,
        overdue=overdue,
        complaint_id=complaint_id,
        under_enforcement=under_enforcement,
        limit=limit,
        offset=offset,
    )
    items = [CaseSummaryOut.of(row, today) for row in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/art78-overdue",
    response_model=list[OverdueComplaint],
    summary="Complainants not told of progress within three months (GDPR Art 78(2))",
)
async def art78_overdue(
    session: SessionDep,
    clock: ClockDep,
    caller: CaseReader,
    as_of: Annotated[Day | None, Query(description=f"the day to look from, today by default; {DAY_RANGE}")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OverdueComplaint]:
    found = await readside.overdue(session, as_of or clock.today(), limit=limit, offset=offset)
    return [OverdueComplaint.of(r) for r in found]


@router.get("/cases/{case_id}", summary="A case; with ?as_of= the case as it stood then, replayed from its events")
async def get_case(
    case_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    caller: CaseReader,
    as_of: Annotated[
        Instant | None, Query(description=f"an instant with its time zone, e.g. 2026-11-22T10:00:00Z; {INSTANT_RANGE}")
    ] = None,
) -> dict[str, Any]:
    document = await readside.case_document(session, case_id, as_of)
    # What the case's cooperation steps became on their way to the other authorities (those taken by `as_of`).
    document["cooperation_messages"] = await outbox.of_case(session, str(case_id), as_of)
    response.headers["ETag"] = f'"{document["version"]}"'
    return document


HISTORY_PAGE = 1000


@router.get(
    "/cases/{case_id}/history",
    response_model=list[EventOut],
    summary="The events of the case in order, with actor, time and payload, a page at a time",
    responses={
        200: {
            "description": "up to `limit` events after version `after`; when more follow, a "
            '`Link: <...>; rel="next"` header gives the next page'
        }
    },
)
async def case_history(
    case_id: uuid.UUID,
    session: SessionDep,
    request: Request,
    response: Response,
    caller: CaseReader,
    after: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="the last version already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=HISTORY_PAGE)] = HISTORY_PAGE,
) -> list[eventstore.EventRow]:
    found, more = await eventstore.history(session, case_id, after, limit)
    if more:
        following = request.url.include_query_params(after=found[-1].version, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return found


@router.get(
    "/cases/{case_id}/timeline.svg",
    response_class=Response,
    summary="The case on a time axis (SVG): complaints, investigation, formal notice, sanction, penalty, closure",
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "every event of the case is a mark carrying its version"}
    },
)
async def case_timeline(case_id: uuid.UUID, session: SessionDep, caller: CaseReader) -> Response:
    case, history = await readside.case_with_history(session, case_id)
    title = f"{case['controller']['name']}: case opened {case['opened_on']}, {case['status'].replace('_', ' ')}"
    return Response(
        timeline.draw(title, history),
        media_type="image/svg+xml",
        headers=download_headers(f"case-{case_id}-timeline.svg"),
    )


@router.get(
    "/cases/{case_id}/complaints",
    response_model=CaseComplaintPage,
    summary="The complaints of the case in the order they were linked, a page at a time",
)
async def case_complaints(
    case_id: uuid.UUID,
    session: SessionDep,
    caller: CaseReader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CaseComplaintPage:
    total, rows = await readside.case_complaints(session, case_id, limit=limit, offset=offset)
    items = [CaseComplaintOut.of(r) for r in rows]
    return CaseComplaintPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/cases/{case_id}/integrity",
    response_model=IntegrityOut,
    summary="Check the case's hash chain: every event follows from the one before, up to the recorded head",
)
async def case_integrity(case_id: uuid.UUID, session: SessionDep, caller: IntegrityChecker) -> IntegrityOut:
    return IntegrityOut.of(await eventstore.integrity(session, case_id))
