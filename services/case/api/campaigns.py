"""Campaigns over HTTP: the complaints alike, and one request that assigns them, decides their admissibility,
writes to their controller once, or closes them with the same reasons, each complaint with its own result.
Each command takes an Idempotency-Key (required): a retry is answered as the first request was, and does only
what it had not done (campaigns.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from docket_contracts.events import CAMPAIGN_MAX, ComplaintCategory
from docket_identity.roles import Caller
from docket_service.http import invalid_query
from docket_service.limits import DAY_RANGE, Day, query_text

from .. import campaigns, domain, readside
from ..deps import CaseReader, ClockDep, ComplaintHandler, HandlingDep, SessionDep, SettingsDep
from ..handling import Handling, Step
from .complaints import actor, admissibility, assignee, closure, letter
from .handling_models import (
    AlikeOut,
    AlikePage,
    CampaignAdmissibilityIn,
    CampaignAssignmentIn,
    CampaignClosureIn,
    CampaignLetterIn,
    CampaignOut,
)

router = APIRouter(tags=["campaigns"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[!-~]+$",
        description="required: 1 to 200 visible ASCII characters, one per request (a retry sends it again)",
    ),
]
ANSWERS: dict[int | str, dict[str, Any]] = {
    409: {"description": "the Idempotency-Key was used with another request"},
    428: {"description": "no Idempotency-Key"},
}


@router.get(
    "/campaigns/alike",
    response_model=AlikePage,
    summary="Complaints alike: of one controller and category over a period, or lodged by one Art 80 body",
)
async def alike(
    session: SessionDep,
    caller: CaseReader,
    controller: query_text(200, "the controller's key") = None,
    category: ComplaintCategory | None = None,
    body: query_text(200, "the key of the Art 80 body that lodged them") = None,
    received_from: Annotated[Day | None, Query(description=f"received on or after; {DAY_RANGE}")] = None,
    received_to: Annotated[Day | None, Query(description=f"received on or before; {DAY_RANGE}")] = None,
    status_: query_text(50, "the complaints' status, e.g. received", alias="status") = None,
    open_only: Annotated[bool, Query(alias="open", description="only those that have not ended")] = True,
    limit: Annotated[int, Query(ge=1, le=CAMPAIGN_MAX)] = CAMPAIGN_MAX,
) -> AlikePage:
    if not (controller or body):
        raise invalid_query(
            "name the controller (`controller`) or the Art 80 body (`body`) the complaints are alike by",
            "controller",
            "body",
        )
    total, rows = await readside.campaigns.alike(
        session,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status_,
        open_only=open_only,
        limit=limit,
    )
    return AlikePage(total=total, items=[AlikeOut.model_validate(row, from_attributes=True) for row in rows])


async def give(
    store: Handling,
    request: Request,
    body: Any,
    command: domain.SelectionCommand,
    caller: Caller,
    key: str | None,
) -> JSONResponse:
    if key is None:
        raise HTTPException(status.HTTP_428_PRECONDITION_REQUIRED, "send an Idempotency-Key with a campaign's request")
    digest = campaigns.request_digest(request.url.path, body.model_dump(mode="json"))
    done = await campaigns.give(store, command, actor(caller), Step(key, digest))
    refused = sum(1 for r in done.results if r["result"] == "refused")
    answer = CampaignOut.model_validate(
        {"done": len(done.results) - refused, "refused": refused, "results": done.results}
    )
    headers = {"Idempotent-Replayed": "true"} if done.replayed else None
    return JSONResponse(answer.model_dump(mode="json"), headers=headers)


@router.post(
    "/campaigns/assignment",
    response_model=CampaignOut,
    responses=ANSWERS,
    summary="Give complaints to a staff member, a team, both or nobody: each its own event",
)
async def assign(
    body: CampaignAssignmentIn,
    request: Request,
    store: HandlingDep,
    clock: ClockDep,
    caller: ComplaintHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    selection = tuple(body.complaint_ids)
    command = domain.AssignComplaints(selection, assignee(body, caller), body.team, body.assigned_on or clock.today())
    return await give(store, request, body, command, caller, idempotency_key)


@router.post(
    "/campaigns/admissibility",
    response_model=CampaignOut,
    responses=ANSWERS,
    summary="Decide the admissibility of complaints alike: each its own decision and letter (never Art 57(4) for "
    "more than one at once)",
)
async def decide(
    body: CampaignAdmissibilityIn,
    request: Request,
    store: HandlingDep,
    clock: ClockDep,
    caller: ComplaintHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = admissibility(body, tuple(body.complaint_ids), clock.today())
    return await give(store, request, body, command, caller, idempotency_key)


@router.post(
    "/campaigns/controller-letters",
    response_model=CampaignOut,
    responses=ANSWERS,
    summary="Write once to each controller about its complaints, asking it to act; each complaint its own event and "
    "letter to its complainant",
)
async def write(
    body: CampaignLetterIn,
    request: Request,
    store: HandlingDep,
    clock: ClockDep,
    settings: SettingsDep,
    caller: ComplaintHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = letter(body, tuple(body.complaint_ids), clock.today(), settings.controller_answer_days)
    return await give(store, request, body, command, caller, idempotency_key)


@router.post(
    "/campaigns/closure",
    response_model=CampaignOut,
    responses=ANSWERS,
    summary="Close complaints alike with the same reason and reasons: each its own event and letter",
)
async def close(
    body: CampaignClosureIn,
    request: Request,
    store: HandlingDep,
    clock: ClockDep,
    caller: ComplaintHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = closure(body, tuple(body.complaint_ids), clock.today())
    return await give(store, request, body, command, caller, idempotency_key)
