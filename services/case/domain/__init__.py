"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.
"""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import AppealDecided, AppealLodged, Payload, PublicationMade, PublicationWithdrawn

from . import closing, complaints, injunctions, investigation, notices, sanctions
from .commands import (
    CONVENTIONS,
    CloseCase,
    Command,
    Conduct,
    Convention,
    ExpireDeadline,
    ImposeSanction,
    IssueFormalNotice,
    IssueReprimand,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    OpenCase,
    OpenInvestigation,
    PublishDecision,
    RecordCompliance,
    RecordFinding,
    RecordInjunctionCompliance,
    RecordNoticeNotification,
    RecordRuling,
    RecordSanctionNotification,
    WithdrawPublication,
)
from .evolve import evolve, replay
from .injunctions import days_of_delay
from .refusals import NEXT_STEPS, Rejected, next_steps, not_before, unpublishable
from .state import Appeal, CaseState, Decision, Liquidation, Notice, Publication, Reprimand, Sanction, Status

__all__ = [
    "CONVENTIONS",
    "NEXT_STEPS",
    "Appeal",
    "CaseState",
    "CloseCase",
    "Command",
    "Conduct",
    "Convention",
    "Decision",
    "ExpireDeadline",
    "ImposeSanction",
    "Invalid",
    "IssueFormalNotice",
    "IssueReprimand",
    "LinkComplaint",
    "LiquidatePenalty",
    "Liquidation",
    "LodgeAppeal",
    "Notice",
    "OpenCase",
    "OpenInvestigation",
    "Publication",
    "PublishDecision",
    "RecordCompliance",
    "RecordFinding",
    "RecordInjunctionCompliance",
    "RecordNoticeNotification",
    "RecordRuling",
    "RecordSanctionNotification",
    "Rejected",
    "Reprimand",
    "Sanction",
    "Status",
    "WithdrawPublication",
    "days_of_delay",
    "decide",
    "evolve",
    "next_steps",
    "replay",
]


def decide(state: CaseState, command: Command) -> list[Payload]:
    match command:
        case OpenCase():
            return complaints.open_case(state, command)
        case LinkComplaint():
            return complaints.link_complaint(state, command)
        case OpenInvestigation():
            return investigation.open_investigation(state, command)
        case RecordFinding():
            return investigation.record_finding(state, command)
        case IssueFormalNotice():
            return notices.issue(state, command)
        case RecordCompliance():
            return notices.record_compliance(state, command)
        case ExpireDeadline():
            return notices.expire(state, command)
        case ImposeSanction():
            return sanctions.impose(state, command)
        case IssueReprimand():
            return sanctions.issue_reprimand(state, command)
        case PublishDecision():
            return _publish(state, command)
        case WithdrawPublication():
            return _withdraw_publication(state, command)
        case LodgeAppeal():
            return _lodge_appeal(state, command)
        case RecordRuling():
            return _record_ruling(state, command)
        case RecordInjunctionCompliance():
            return injunctions.record_compliance(state, command)
        case LiquidatePenalty():
            return injunctions.liquidate(state, command)
        case RecordNoticeNotification():
            return notices.record_notification(state, command)
        case RecordSanctionNotification():
            return injunctions.record_sanction_notification(state, command)
        case CloseCase():
            return closing.close(state, command)
    raise TypeError(f"unknown command {command!r}")


def _publish(state: CaseState, command: PublishDecision) -> list[Payload]:
    action = "make a decision public"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    decision = next((d for d in state.decisions() if d.decision_id == command.decision_id), None)
    if decision is None:
        raise Invalid("decision_id", f"the case has no formal notice, sanction or reprimand {command.decision_id}")
    if (why := unpublishable(state, decision)) is not None:
        raise Rejected(state, action, why)
    if any(p.publication_id == command.publication_id for p in state.publications):
        raise Invalid("publication_id", f"the case already has a publication {command.publication_id}")
    not_before("published_on", command.published_on, decision.dated, decision.taken)
    return [
        PublicationMade(
            case_id=state.case_id,
            publication_id=command.publication_id,
            decision=decision.kind,
            decision_id=decision.decision_id,
            decision_dated=decision.dated,
            published_on=command.published_on,
        )
    ]


def _withdraw_publication(state: CaseState, command: WithdrawPublication) -> list[Payload]:
    """A publication is withdrawn while the case is open or after it closed, once, and not before it was made."""
    action = "withdraw a publication"
    if state.status == "none":
        raise Rejected(state, action)
    assert state.case_id is not None
    publication = next((p for p in state.publications if p.publication_id == command.publication_id), None)
    if publication is None:
        raise Invalid("publication_id", f"the case has no publication {command.publication_id}")
    if publication.withdrawn_on is not None:
        raise Rejected(state, action, f"it was withdrawn on {publication.withdrawn_on}")
    not_before(
        "withdrawn_on",
        command.withdrawn_on,
        publication.published_on,
        f"the {publication.decision.replace('_', ' ')} was made public",
    )
    return [
        PublicationWithdrawn(
            case_id=state.case_id,
            publication_id=publication.publication_id,
            decision=publication.decision,
            decision_id=publication.decision_id,
            withdrawn_on=command.withdrawn_on,
            reasons=command.reasons,
        )
    ]


def _lodge_appeal(state: CaseState, command: LodgeAppeal) -> list[Payload]:
    """The controller appeals the sanction or reprimand the case stands on, once, on or after its day."""
    action = "record an appeal"
    standing = state.standing_decision()
    if standing is None:
        raise Rejected(state, action, "no sanction or reprimand stands to appeal")
    assert state.case_id is not None and standing.kind != "formal_notice"
    appealable = {d.decision_id: d for d in state.decisions() if d.kind != "formal_notice"}
    if command.decision_id not in appealable:
        raise Invalid("decision_id", f"the case has no sanction or reprimand {command.decision_id}")
    if command.decision_id != standing.decision_id:
        annulled = appealable[command.decision_id].annulled_on
        raise Rejected(state, action, f"the court annulled that {appealable[command.decision_id].name} on {annulled}")
    lodged = next((a for a in state.appeals if a.decision_id == standing.decision_id), None)
    if lodged is not None:
        raise Rejected(state, action, f"an appeal against the {standing.name} was lodged on {lodged.lodged_on}")
    if any(a.appeal_id == command.appeal_id for a in state.appeals):
        raise Invalid("appeal_id", f"the case already has an appeal {command.appeal_id}")
    not_before("lodged_on", command.lodged_on, standing.dated, standing.taken)
    return [
        AppealLodged(
            case_id=state.case_id,
            appeal_id=command.appeal_id,
            decision=standing.kind,
            decision_id=standing.decision_id,
            decision_dated=standing.dated,
            lodged_on=command.lodged_on,
        )
    ]


def _record_ruling(state: CaseState, command: RecordRuling) -> list[Payload]:
    """The court's ruling on an appeal, once, on or after the appeal was lodged. Only a sanction's fine can be
    reduced, and only below what it was."""
    action = "record the court's ruling"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    appeal = next((a for a in state.appeals if a.appeal_id == command.appeal_id), None)
    if appeal is None:
        raise Invalid("appeal_id", f"the case has no appeal {command.appeal_id}")
    if appeal.decided_on is not None:
        raise Rejected(state, action, f"the court ruled on {appeal.decided_on}: the appeal was {appeal.outcome}")
    not_before("decided_on", command.decided_on, appeal.lodged_on, "the appeal was lodged")
    if command.outcome == "fine_reduced":
        if appeal.decision != "sanction":
            raise Invalid("outcome", "a reprimand imposes no fine to reduce")
        fine = next(s.fine_eur for s in state.sanctions if s.sanction_id == appeal.decision_id)
        if command.fine_eur is None:
            raise Invalid("fine_eur", "give the fine as the court reduced it")
        if command.fine_eur >= fine:
            raise Invalid(
                "fine_eur", f"EUR {command.fine_eur:,} is not below the fine the sanction imposed (EUR {fine:,})"
            )
    elif command.fine_eur is not None:
        raise Invalid("fine_eur", "only a ruling that reduces the fine sets one")
    decision = next(d for d in state.decisions() if d.decision_id == appeal.decision_id)
    return [
        AppealDecided(
            case_id=state.case_id,
            appeal_id=appeal.appeal_id,
            decision=appeal.decision,
            decision_id=appeal.decision_id,
            decision_dated=decision.dated,
            decided_on=command.decided_on,
            outcome=command.outcome,
            fine_eur=command.fine_eur,
        )
    ]
