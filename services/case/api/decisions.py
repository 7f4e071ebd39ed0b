"""The restricted committee's decisions and what follows them over HTTP: a sanction or a reprimand, each the
outcome of the committee's deliberation, whose body names the members who sat (the quorum is the service's
setting RESTRICTED_COMMITTEE_QUORUM); the decision's notification, compliance with its injunction and the
liquidation of its penalty; publication and its withdrawal; an appeal and the court's ruling; and the closure.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from docket_contracts.events import PublicationAuthority
from docket_identity.http import acting_in
from docket_identity.roles import Role

from .. import domain
from ..deps import CasesDep, CommitteeQuorum, Decider, Investigator, Publisher, SanctionsCommittee
from .commands import run
from .models import (
    AppealIn,
    ClosureIn,
    CommandOut,
    ComplianceIn,
    InjunctionEndIn,
    LiquidationDecisionIn,
    LiquidationIn,
    LiquidationObservationsIn,
    NotificationIn,
    PublicationIn,
    PublicationWithdrawalIn,
    ReprimandIn,
    RulingIn,
    SanctionIn,
)
from .preconditions import IfMatch

router = APIRouter(tags=["decisions"])


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
    summary="The restricted committee's deliberation imposes a sanction: a fine within the cap of each conduct it "
    "fines, and an optional injunction with its periodic penalty payment; refused while a step of the committee's "
    "procedure is missing",
)
async def impose_sanction(
    case_id: uuid.UUID,
    body: SanctionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    quorum: CommitteeQuorum,
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
        national=tuple(sorted(set(body.national_provisions))),
        deliberation=domain.Deliberation(body.reference, tuple(body.members), quorum),
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/reprimands",
    response_model=CommandOut,
    summary="The restricted committee's deliberation issues a reprimand (GDPR Art 58(2)(b)): the infringements "
    "found, without a fine; refused while a step of the committee's procedure is missing",
)
async def issue_reprimand(
    case_id: uuid.UUID,
    body: ReprimandIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    quorum: CommitteeQuorum,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueReprimand(
        reprimand_id=uuid.uuid4(),
        decided_on=body.decided_on,
        articles=tuple(sorted(set(body.articles_infringed))),
        reasons=body.reasons,
        deliberation=domain.Deliberation(body.reference, tuple(body.members), quorum),
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


# The role a publication's authority acts through: the President asks the bureau (loi 78-17 art 20 II); a member
# of the restricted committee records the committee's decision (loi 78-17 art 22).
PUBLISHING_ROLES: dict[PublicationAuthority, Role] = {
    "bureau": Role.PRESIDENT,
    "restricted_committee": Role.SANCTIONS_COMMITTEE,
}


@router.post(
    "/cases/{case_id}/publications",
    response_model=CommandOut,
    summary="Make a formal notice (the bureau, at the President's request) or a sanction, reprimand or liquidation "
    "(the restricted committee) public until the day the controller's name is removed, also after the case closed",
)
async def publish_decision(
    case_id: uuid.UUID,
    body: PublicationIn,
    cases: CasesDep,
    caller: Publisher,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    acting = acting_in(caller, PUBLISHING_ROLES[body.decided_by], f"a publication by the {_words(body.decided_by)}")
    command = domain.PublishDecision(
        publication_id=uuid.uuid4(),
        decision_id=body.decision_id,
        published_on=body.published_on,
        anonymised_on=body.anonymised_on,
        decided_by=body.decided_by,
    )
    return await run(cases, case_id, body, if_match, acting, command, response)


@router.post(
    "/cases/{case_id}/publications/{publication_id}/withdrawal",
    response_model=CommandOut,
    summary="Withdraw a publication, by the authority that decided it: the decision stands, no longer public; also "
    "after the case closed",
)
async def withdraw_publication(
    case_id: uuid.UUID,
    publication_id: uuid.UUID,
    body: PublicationWithdrawalIn,
    cases: CasesDep,
    caller: Publisher,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    acting = acting_in(caller, PUBLISHING_ROLES[body.decided_by], f"a withdrawal by the {_words(body.decided_by)}")
    command = domain.WithdrawPublication(
        publication_id=publication_id, withdrawn_on=body.withdrawn_on, reasons=body.reasons, decided_by=body.decided_by
    )
    return await run(cases, case_id, body, if_match, acting, command, response)


def _words(authority: PublicationAuthority) -> str:
    return authority.replace("_", " ")


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


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/liquidations",
    response_model=CommandOut,
    summary="Open a liquidation of the penalty payment: its reasons and envisaged amount notified to the controller, "
    "who has fifteen days to answer (décret 2019-536 art 44)",
)
async def open_liquidation(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: LiquidationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.OpenLiquidation(
        liquidation_id=uuid.uuid4(),
        sanction_id=sanction_id,
        opened_on=body.opened_on,
        period_start=body.period_start,
        period_end=body.period_end,
        convention=body.convention,
        envisaged_amount_eur=body.envisaged_amount_eur,
        reasons=body.reasons,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/liquidation/observations",
    response_model=CommandOut,
    summary="Record the controller's written observations on the liquidation opened, within its fifteen days",
)
async def record_liquidation_observations(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: LiquidationObservationsIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordLiquidationObservations(sanction_id=sanction_id, received_on=body.received_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/liquidation/decision",
    response_model=CommandOut,
    summary="The restricted committee liquidates the penalty payment opened, at an amount up to days x rate, with "
    "its reasons, once the controller's fifteen days are over",
)
async def liquidate_penalty(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: LiquidationDecisionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.LiquidatePenalty(
        sanction_id=sanction_id,
        decided_on=body.decided_on,
        amount_eur=body.amount_eur,
        reasons=body.reasons,
        reference=body.reference,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/sanctions/{sanction_id}/injunction-end",
    response_model=CommandOut,
    summary="The restricted committee ends a sanction's injunction: its penalty payment stops accruing that day",
)
async def end_injunction(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: InjunctionEndIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.EndInjunction(sanction_id=sanction_id, ended_on=body.ended_on, reasons=body.reasons)
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
