"""The case's lifecycle commands over HTTP: each route parses its body into the domain's command and runs it
against the version of the case the client saw (If-Match or expected_version, preconditions.py), through
application.execute.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from docket_identity.roles import Caller

from .. import domain
from ..application import Actor, Then, execute
from ..deps import CasesDep, Investigator, President
from ..domain import Command
from ..views import case_view
from .models import (
    CheckIn,
    CommandIn,
    CommandOut,
    ComplianceIn,
    FindingIn,
    FormalNoticeIn,
    NoticeExtensionIn,
    NotificationIn,
    OpenInvestigationIn,
    WarningIn,
)
from .preconditions import IfMatch, expected

router = APIRouter(tags=["case commands"])


async def run(
    cases: CasesDep,
    case_id: uuid.UUID,
    body: CommandIn,
    if_match: str | None,
    caller: Caller,
    command: Command,
    response: Response,
    then: Then | None = None,
) -> CommandOut:
    actor = Actor(caller.subject, caller.acting_as, caller.name)
    state, events = await execute(cases, case_id, expected(body, if_match), command, actor, then)
    response.headers["ETag"] = f'"{state.version}"'
    return CommandOut(
        case=case_view(state),
        events=[{"type": e.type, "version": e.sequence, "event_id": e.id, "data": e.data} for e in events],
    )


@router.post(
    "/cases/{case_id}/investigation",
    response_model=CommandOut,
    summary="The President's decision to carry out checks (loi 78-17 art 19): the investigation opens",
)
async def open_investigation(
    case_id: uuid.UUID,
    body: OpenInvestigationIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.OpenInvestigation(opened_on=body.opened_on, scope=body.scope, reference=body.decision_reference)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/checks",
    response_model=CommandOut,
    summary="Record a check: a questionnaire sent to the controller, an online or on-site check, a hearing",
)
async def record_check(
    case_id: uuid.UUID,
    body: CheckIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordCheck(
        check_id=uuid.uuid4(), kind=body.kind, carried_out_on=body.carried_out_on, description=body.description
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post("/cases/{case_id}/findings", response_model=CommandOut)
async def record_finding(
    case_id: uuid.UUID,
    body: FindingIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordFinding(
        finding_id=uuid.uuid4(), articles=tuple(sorted(set(body.articles))), facts=body.facts
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/warnings",
    response_model=CommandOut,
    summary="The President's warning that intended processing is likely to infringe the GDPR (Art 58(2)(a))",
)
async def issue_warning(
    case_id: uuid.UUID,
    body: WarningIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueWarning(
        warning_id=uuid.uuid4(),
        decided_on=body.decided_on,
        reference=body.reference,
        articles=tuple(sorted(set(body.articles))),
        intended_processing=body.intended_processing,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/formal-notices",
    response_model=CommandOut,
    summary="The President's formal notice: Art 58(2) orders and a time limit from the controller's receipt",
)
async def issue_formal_notice(
    case_id: uuid.UUID,
    body: FormalNoticeIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueFormalNotice(
        notice_id=uuid.uuid4(),
        orders=tuple(o.order() for o in body.orders),
        issued_on=body.issued_on,
        time_limit=body.time_limit.time_limit(),
        reference=body.reference,
        urgency=body.urgency,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/formal-notices/{notice_id}/extension",
    response_model=CommandOut,
    summary="Extend a formal notice's time limit, once, by its deadline (décret 2019-536 art 38)",
)
async def extend_formal_notice(
    case_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: NoticeExtensionIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.ExtendFormalNotice(
        notice_id=notice_id, decided_on=body.decided_on, extension=body.extension.time_limit(), reasons=body.reasons
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/formal-notices/{notice_id}/compliance",
    response_model=CommandOut,
    summary="Record compliance with a formal notice; dated by the deadline, it is taken even after the "
    "timer found the deadline passed, and that expiry is marked superseded",
)
async def record_compliance(
    case_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: ComplianceIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordCompliance(notice_id=notice_id, complied_on=body.complied_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/formal-notices/{notice_id}/notification",
    response_model=CommandOut,
    summary="Record the day the formal notice reached the controller, which fixes its deadline",
)
async def record_notice_notification(
    case_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: NotificationIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordNoticeNotification(notice_id=notice_id, notified_on=body.notified_on)
    return await run(cases, case_id, body, if_match, caller, command, response)
