"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.
"""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import Payload

from . import appeals, closing, complaints, injunctions, investigation, notices, publication, sanctions
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
from .refusals import NEXT_STEPS, Rejected, next_steps
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
            return publication.publish(state, command)
        case WithdrawPublication():
            return publication.withdraw(state, command)
        case LodgeAppeal():
            return appeals.lodge(state, command)
        case RecordRuling():
            return appeals.record_ruling(state, command)
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
