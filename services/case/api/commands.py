"""The case's lifecycle commands over HTTP: each route parses its body into the domain's command and runs it
against the version of the case the client saw (If-Match or expected_version, preconditions.py), through
application.execute.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from docket_identity.roles import Caller

from .. import domain
from ..application import Actor, execute
from ..deps import CasesDep, Decider, Investigator, President, SanctionsCommittee
from ..domain import Command
from ..views import case_view
from .models import (
    AppealIn,
    CheckIn,
    ClosureIn,
    CommandIn,
    CommandOut,
    ComplianceIn,
    FindingIn,
    FormalNoticeIn,
    LiquidationIn,
    NoticeExtensionIn,
    NotificationIn,
    OpenInvestigationIn,
    PublicationIn,
    PublicationWithdrawalIn,
    ReprimandIn,
    RulingIn,
    SanctionIn,
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
) -> CommandOut:
    actor = Actor(caller.subject, caller.acting_as, caller.name)
    state, events = await execute(cases, case_id, expected(body, if_match), command, actor)
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


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/notification",
    response_model=CommandOut,
    summary="Record the day the sanction decision was notified to the controller; an injunction "
    "whose deadline is a period from notification gets its deadline, and its penalty starts",
)
async def record_sanction_notification(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: NotificationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordSanctionNotification(sanction_id=sanction_id, notified_on=body.notified_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/sanctions",
    response_model=CommandOut,
    summary="Impose a sanction: a fine within the GDPR Art 83 cap of each conduct it fines, and an "
    "optional injunction with its periodic penalty payment",
)
async def impose_sanction(
    case_id: uuid.UUID,
    body: SanctionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.ImposeSanction(
        sanction_id=uuid.uuid4(),
        decided_on=body.decided_on,
        fine_eur=body.fine_eur,
        turnover_eur=body.turnover_eur,
        articles=tuple(sorted(set(body.articles_infringed or ()))),
        injunction=body.injunction.injunction() if body.injunction else None,
        orders_not_complied=tuple(sorted(set(body.orders_not_complied))),
        conducts=tuple(c.conduct() for c in body.conducts or ()),
        procedure=body.procedure,
        national=tuple(sorted(set(body.national_provisions))),
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/reprimands",
    response_model=CommandOut,
    summary="Issue a reprimand (GDPR Art 58(2)(b)): the infringements found, without a fine; the case may "
    "then close as reprimanded",
)
async def issue_reprimand(
    case_id: uuid.UUID,
    body: ReprimandIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueReprimand(
        reprimand_id=uuid.uuid4(),
        decided_on=body.decided_on,
        articles=tuple(sorted(set(body.articles_infringed))),
        reasons=body.reasons,
        procedure=body.procedure,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/publications",
    response_model=CommandOut,
    summary="Make a formal notice, a sanction or a reprimand public (never one taken under the simplified procedure)",
)
async def publish_decision(
    case_id: uuid.UUID,
    body: PublicationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.PublishDecision(
        publication_id=uuid.uuid4(), decision_id=body.decision_id, published_on=body.published_on
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/publications/{publication_id}/withdrawal",
    response_model=CommandOut,
    summary="Withdraw a publication: the decision stands, no longer public; also after the case closed",
)
async def withdraw_publication(
    case_id: uuid.UUID,
    publication_id: uuid.UUID,
    body: PublicationWithdrawalIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.WithdrawPublication(
        publication_id=publication_id, withdrawn_on=body.withdrawn_on, reasons=body.reasons
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/appeals",
    response_model=CommandOut,
    summary="Record the controller's appeal of a sanction or a reprimand before the Conseil d'État; the "
    "case cannot close until the court has ruled",
)
async def lodge_appeal(
    case_id: uuid.UUID,
    body: AppealIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.LodgeAppeal(appeal_id=uuid.uuid4(), decision_id=body.decision_id, lodged_on=body.lodged_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/appeals/{appeal_id}/ruling",
    response_model=CommandOut,
    summary="Record the court's ruling on an appeal: dismissed, annulled (the case goes back to before the "
    "decision) or the fine reduced",
)
async def record_ruling(
    case_id: uuid.UUID,
    appeal_id: uuid.UUID,
    body: RulingIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordRuling(
        appeal_id=appeal_id, decided_on=body.decided_on, outcome=body.outcome, fine_eur=body.fine_eur
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/compliance",
    response_model=CommandOut,
    summary="Record compliance with a sanction's injunction: its penalty payment stops accruing that day",
)
async def record_injunction_compliance(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: ComplianceIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordInjunctionCompliance(sanction_id=sanction_id, complied_on=body.complied_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post("/cases/{case_id}/sanctions/{sanction_id}/liquidations", response_model=CommandOut)
async def liquidate_penalty(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: LiquidationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.LiquidatePenalty(
        sanction_id=sanction_id,
        period_start=body.period_start,
        period_end=body.period_end,
        convention=body.convention,
        decided_on=body.decided_on,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post("/cases/{case_id}/closure", response_model=CommandOut)
async def close_case(
    case_id: uuid.UUID,
    body: ClosureIn,
    cases: CasesDep,
    caller: Decider,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.CloseCase(outcome=body.outcome, reasons=body.reasons, closed_on=body.closed_on)
    return await run(cases, case_id, body, if_match, caller, command, response)
