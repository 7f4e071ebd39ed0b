"""A complaint's own handling over HTTP, one complaint at a time: its record, its assignment, its admissibility,
the letter to its controller and the answer, its joining the investigation, its transfer, its closure; and a
case's assignment. Each route builds the domain's command and runs it through handling.run, which decides it on
the complaint's own state (no case version is asked for: handling.py says why).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, status

from docket_contracts import registry
from docket_identity.roles import Caller

from .. import domain
from ..application import Actor
from ..deps import CaseReader, ClockDep, ComplaintHandler, HandlingDep, Investigator, SettingsDep
from ..domain import CaseState, Complaint, HandlingCommand, complaint_steps
from ..handling import Handling, Outcome, case_of, run
from ..readside.complaints import row_of
from .handling_models import (
    AdmissibilityIn,
    AnswerIn,
    AssignmentIn,
    ComplaintClosureIn,
    ComplaintOut,
    ControllerLetterIn,
    HandlingOut,
    JoinIn,
    TransferIn,
)
from .preconditions import IF_MATCH, IfMatch

router = APIRouter(tags=["complaint handling"])


def actor(caller: Caller) -> Actor:
    return Actor(caller.subject, caller.acting_as, caller.name)


def complaint_out(case: CaseState, complaint: Complaint) -> ComplaintOut:
    assert case.controller is not None
    return ComplaintOut(
        **row_of(complaint, case.controller.key), allowed_next_steps=list(complaint_steps(case, complaint))
    )


async def on_complaint(
    store: Handling, complaint_id: uuid.UUID, command: HandlingCommand, caller: Caller
) -> HandlingOut:
    """Run the command on the one complaint: its events and its record after them, or its refusal."""
    case_id = await case_of(store, complaint_id)
    outcome = await run(store, case_id, command, actor(caller))
    if complaint_id in outcome.handled.refused:
        raise outcome.handled.refused[complaint_id]
    return await handling_out(store, case_id, complaint_id, outcome)


async def handling_out(store: Handling, case_id: uuid.UUID, complaint_id: uuid.UUID, outcome: Outcome) -> HandlingOut:
    assert outcome.case is not None
    async with store.transaction():
        found = await store.complaints(case_id, [complaint_id])
    events = [{"type": registry.spec_of(e).type, "data": e.model_dump(mode="json")} for e in outcome.handled.events]
    return HandlingOut(complaint=complaint_out(outcome.case, found[complaint_id]), events=events)


def assignee(body: AssignmentIn, caller: Caller) -> str | None:
    return caller.subject if body.me else body.staff


def seen(if_match: str | None) -> int | None:
    """The case version an optional If-Match names ("3", 3 or W/"3"), or None without one."""
    if if_match is None:
        return None
    found = IF_MATCH.match(if_match)
    if found is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, 'If-Match must be a case version such as "3"')
    return int(found["version"])


@router.get(
    "/complaints/{complaint_id}/handling",
    response_model=ComplaintOut,
    summary="A complaint's handling as it stands, its next step and what it allows next",
)
async def complaint_handling(complaint_id: uuid.UUID, store: HandlingDep, caller: CaseReader) -> ComplaintOut:
    case_id = await case_of(store, complaint_id)
    async with store.transaction():
        case = await store.load(case_id)
        found = await store.complaints(case_id, [complaint_id])
    return complaint_out(case, found[complaint_id])


@router.post(
    "/complaints/{complaint_id}/assignment",
    response_model=HandlingOut,
    summary="Give the complaint to a staff member, a team, both, or nobody (release it); again to reassign it",
)
async def assign_complaint(
    complaint_id: uuid.UUID, body: AssignmentIn, store: HandlingDep, clock: ClockDep, caller: ComplaintHandler
) -> HandlingOut:
    on = body.assigned_on or clock.today()
    command = domain.AssignComplaints((complaint_id,), assignee(body, caller), body.team, on)
    return await on_complaint(store, complaint_id, command, caller)


@router.post(
    "/complaints/{complaint_id}/admissibility",
    response_model=HandlingOut,
    summary="Find the complaint admissible, or inadmissible with a reason from the closed list and reasons",
)
async def decide_admissibility(
    complaint_id: uuid.UUID, body: AdmissibilityIn, store: HandlingDep, clock: ClockDep, caller: ComplaintHandler
) -> HandlingOut:
    command = admissibility(body, (complaint_id,), clock.today())
    return await on_complaint(store, complaint_id, command, caller)


def admissibility(body: AdmissibilityIn, selection: tuple[uuid.UUID, ...], today: date) -> domain.DecideAdmissibility:
    return domain.DecideAdmissibility(
        selection, body.decision, body.decided_on or today, body.reason, body.reasons, body.duplicate_of
    )


def letter(
    body: ControllerLetterIn, selection: tuple[uuid.UUID, ...], today: date, answer_days: int
) -> domain.AskController:
    asked_on = body.asked_on or today
    due = body.answer_due or asked_on + timedelta(days=answer_days)
    return domain.AskController(selection, uuid.uuid4(), body.request, asked_on, due)


@router.post(
    "/complaints/{complaint_id}/controller-letters",
    response_model=HandlingOut,
    summary="Write to the controller about the complaint, asking it to act and to answer by a day; the controller "
    "is reminded the day after if it has not answered",
)
async def ask_controller(
    complaint_id: uuid.UUID,
    body: ControllerLetterIn,
    store: HandlingDep,
    clock: ClockDep,
    settings: SettingsDep,
    caller: ComplaintHandler,
) -> HandlingOut:
    command = letter(body, (complaint_id,), clock.today(), settings.controller_answer_days)
    return await on_complaint(store, complaint_id, command, caller)


@router.post(
    "/complaints/{complaint_id}/investigation",
    response_model=HandlingOut,
    summary="Join the complaint to its case's investigation: it then ends with the case, unless closed before",
)
async def join_investigation(
    complaint_id: uuid.UUID, body: JoinIn, store: HandlingDep, clock: ClockDep, caller: Investigator
) -> HandlingOut:
    command = domain.JoinInvestigation((complaint_id,), body.joined_on or clock.today())
    return await on_complaint(store, complaint_id, command, caller)


@router.post(
    "/complaints/{complaint_id}/transfer",
    response_model=HandlingOut,
    summary="Send the complaint to the authority competent for it; it ends here",
)
async def transfer_complaint(
    complaint_id: uuid.UUID, body: TransferIn, store: HandlingDep, clock: ClockDep, caller: ComplaintHandler
) -> HandlingOut:
    command = domain.TransferComplaints(
        (complaint_id,), body.authority, body.authority_country, body.reasons, body.transferred_on or clock.today()
    )
    return await on_complaint(store, complaint_id, command, caller)


def closure(body: ComplaintClosureIn, selection: tuple[uuid.UUID, ...], today: date) -> domain.CloseComplaints:
    return domain.CloseComplaints(selection, body.reason, body.reasons, body.closed_on or today)


@router.post(
    "/complaints/{complaint_id}/closure",
    response_model=HandlingOut,
    summary="Close the complaint with its reason (its case may go on); the letter names the complainant's remedies",
)
async def close_complaint(
    complaint_id: uuid.UUID, body: ComplaintClosureIn, store: HandlingDep, clock: ClockDep, caller: ComplaintHandler
) -> HandlingOut:
    return await on_complaint(store, complaint_id, closure(body, (complaint_id,), clock.today()), caller)


@router.post(
    "/cases/{case_id}/controller-letters/{letter_id}/answer",
    summary="Record the controller's answer to a letter, for every complaint of it still awaiting one",
)
async def record_answer(
    case_id: uuid.UUID,
    letter_id: uuid.UUID,
    body: AnswerIn,
    store: HandlingDep,
    clock: ClockDep,
    caller: ComplaintHandler,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """If-Match is optional here: the answer is recorded for the complaints still awaiting it, whatever else
    the case took in meanwhile."""
    command = domain.RecordControllerAnswer(letter_id, body.answered_on or clock.today(), body.summary)
    outcome = await run(store, case_id, command, actor(caller), expected_version=seen(if_match))
    return {
        "answered": [str(c) for c in outcome.handled.done],
        "version": outcome.case.version if outcome.case else None,
    }


@router.post(
    "/cases/{case_id}/assignment",
    summary="Give the case to a staff member, a team, both, or nobody (release it); again to reassign it",
)
async def assign_case(
    case_id: uuid.UUID,
    body: AssignmentIn,
    store: HandlingDep,
    clock: ClockDep,
    caller: Investigator,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """If-Match is optional here: an assignment does not depend on where the case stands."""
    command = domain.AssignCase(assignee(body, caller), body.team, body.assigned_on or clock.today())
    outcome = await run(store, case_id, command, actor(caller), expected_version=seen(if_match))
    assert outcome.case is not None
    return {
        "case_id": str(case_id),
        "staff": outcome.case.staff,
        "team": outcome.case.team,
        "version": outcome.case.version,
    }
