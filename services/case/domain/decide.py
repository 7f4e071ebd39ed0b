"""decide(state, command) -> events: each command goes to the procedure that decides it, in the module named for
that procedure. The procedure returns the events, or refuses the command (Rejected, Invalid)."""

from __future__ import annotations

from docket_contracts.events import Payload

from . import (
    appeals,
    closing,
    complaints,
    cooperate,
    cooperation_deadlines,
    injunctions,
    investigation,
    liquidation,
    notices,
    proceedings,
    publication,
    sanctions,
    warning,
)
from .commands import (
    CloseCase,
    Command,
    Cooperate,
    EndInjunction,
    ExpireDeadline,
    ExtendFormalNotice,
    ExtendObservations,
    ImposeSanction,
    InterruptSimplified,
    IssueFormalNotice,
    IssueReprimand,
    IssueWarning,
    LapseCooperation,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    NotifyReport,
    OpenCase,
    OpenInvestigation,
    OpenLiquidation,
    PublishDecision,
    RecordCheck,
    RecordCompliance,
    RecordControllerReply,
    RecordFileAccess,
    RecordFinding,
    RecordHearing,
    RecordInjunctionCompliance,
    RecordLiquidationObservations,
    RecordNoticeNotification,
    RecordObservations,
    RecordRapporteurAnswer,
    RecordRuling,
    RecordSanctionNotification,
    ReferToCommittee,
    SummonController,
    WithdrawPublication,
)
from .state import CaseState


def decide(state: CaseState, command: Command) -> list[Payload]:
    match command:
        case OpenCase():
            return complaints.open_case(state, command)
        case LinkComplaint():
            return complaints.link_complaint(state, command)
        case OpenInvestigation():
            return investigation.open_investigation(state, command)
        case RecordCheck():
            return investigation.record_check(state, command)
        case RecordFinding():
            return investigation.record_finding(state, command)
        case IssueWarning():
            return warning.issue(state, command)
        case IssueFormalNotice():
            return notices.issue(state, command)
        case RecordNoticeNotification():
            return notices.record_notification(state, command)
        case ExtendFormalNotice():
            return notices.extend(state, command)
        case RecordCompliance():
            return notices.record_compliance(state, command)
        case ExpireDeadline():
            return notices.expire(state, command)
        case ReferToCommittee():
            return proceedings.refer(state, command)
        case NotifyReport():
            return proceedings.notify_report(state, command)
        case RecordFileAccess():
            return proceedings.record_file_access(state, command)
        case ExtendObservations():
            return proceedings.extend_observations(state, command)
        case RecordObservations():
            return proceedings.record_observations(state, command)
        case RecordRapporteurAnswer():
            return proceedings.record_answer(state, command)
        case RecordControllerReply():
            return proceedings.record_reply(state, command)
        case SummonController():
            return proceedings.summon(state, command)
        case RecordHearing():
            return proceedings.record_hearing(state, command)
        case InterruptSimplified():
            return proceedings.interrupt(state, command)
        case ImposeSanction():
            return sanctions.impose(state, command)
        case IssueReprimand():
            return sanctions.issue_reprimand(state, command)
        case RecordSanctionNotification():
            return injunctions.record_sanction_notification(state, command)
        case RecordInjunctionCompliance():
            return injunctions.record_compliance(state, command)
        case OpenLiquidation():
            return liquidation.open_liquidation(state, command)
        case RecordLiquidationObservations():
            return liquidation.record_observations(state, command)
        case LiquidatePenalty():
            return liquidation.liquidate(state, command)
        case EndInjunction():
            return injunctions.end_injunction(state, command)
        case PublishDecision():
            return publication.publish(state, command)
        case WithdrawPublication():
            return publication.withdraw(state, command)
        case LodgeAppeal():
            return appeals.lodge(state, command)
        case RecordRuling():
            return appeals.record_ruling(state, command)
        case CloseCase():
            return closing.close(state, command)
        case Cooperate():
            return cooperate.cooperate(state, command)
        case LapseCooperation():
            return cooperation_deadlines.lapse(state, command)
    raise TypeError(f"unknown command {command!r}")
